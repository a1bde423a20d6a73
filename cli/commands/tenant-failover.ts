// `rp9 tenant failover <tenant> --to shared --reason …`: playbook 5, step 6.
// Opens (or updates in place) the demotion pull request (spec.mode: shared,
// spec.promotion removed) and follows it: the pull request's state and what
// the controller records for the tenant, for a bounded time.
import { demotionEdits } from '../../bots/promotion/edits.js';
import { failoverMergeDecision, type FailoverMergeDecision } from '../../bots/promotion/failover-merge.js';
import { AFTER_MERGE, failoverBody, failoverLabels, failoverTitle } from '../../bots/promotion/failover-pr.js';
import type { Forge, MergeMethod } from '../../edges/forge/forge.js';
import type { BaseConfig } from '../../bots/sources/types.js';
import type { Store } from '../../controller/store/store.js';
import type { StoreEvent } from '../../controller/store/types.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, EXIT_UNCONFIRMED, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { DEFAULT_STATE_DIR } from '../../controller/store/store.js';
import { connectForge, FORGE_ENVIRONMENT } from '../tenant-pr/connect.js';
import { failoverVerdict, type FailoverObservation, type FailoverVerdict } from '../tenant-pr/failover-progress.js';
import { openCliStore } from '../tenant-pr/open-cli-store.js';
import { openTenantPr, type TenantPrOutcome } from '../tenant-pr/open-tenant-pr.js';
import { baseRefusal } from '../tenant-pr/plan-edit.js';
import { outcomeJson, renderOutcomeText } from '../tenant-pr/render.js';
import { cliActor } from './purge.js';
import { tenantArgument } from './tenant-promote.js';

const REASON_MAX = 500;
const MAX_WAIT_SECONDS = 3600;

function secondsOption(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value > max) throw new UsageError(`--${name} must be a number of seconds from 0 to ${max} (got "${text}")`);
  return value;
}

function at(started: number): string {
  return `+${Math.round((Date.now() - started) / 1000)}s`.padStart(6);
}

function eventLine(e: StoreEvent): string {
  return `${e.type} ${e.reason}: ${e.message.replace(/[\u0000-\u001f\u007f]/g, ' ')} (${e.actor})`;
}

interface WatchResult {
  verdict: Exclude<FailoverVerdict, 'pending'> | 'timeout';
  waitedSeconds: number;
  pr: FailoverObservation['pr'];
  status: FailoverObservation['status'];
  events: { time: string; type: string; reason: string; message: string; actor: string }[];
}

/** Polls the pull request and the store until a verdict other than pending, or the wait ends. */
async function watch(input: { forge: Forge; store: Store | undefined; tenant: string; number: number; waitMs: number; intervalMs: number; since: Date; appliedAtStart: string | null; print?: (line: string) => void }): Promise<WatchResult> {
  const started = Date.now();
  const seen = new Set<number>();
  const events: WatchResult['events'] = [];
  let lastLine = '';
  for (;;) {
    const pulls = await input.forge.findPullRequests({ bot: 'failover', tenant: input.tenant, state: 'all' });
    const found = pulls.find((p) => p.number === input.number);
    const pr = { state: found?.state ?? 'closed', merged: found?.merged ?? false } as const;
    let status: FailoverObservation['status'];
    if (input.store) {
      const row = await input.store.status.get(input.tenant);
      status = { phase: row?.phase ?? '(no status)', appliedCommit: row?.appliedCommit ?? null };
      const recent = (await input.store.events.recent({ tenant: input.tenant, since: input.since, limit: 100 })).reverse();
      for (const e of recent) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        events.push({ time: e.time.toISOString(), type: e.type, reason: e.reason, message: e.message, actor: e.actor });
        input.print?.(`${at(started)}  event ${eventLine(e)}`);
      }
    }
    const line = `PR #${input.number} ${pr.merged ? 'merged' : pr.state === 'open' ? 'open (waiting for a person to merge)' : 'closed'}${status ? `; controller: phase ${status.phase}, applied commit ${status.appliedCommit?.slice(0, 12) ?? '(none)'}` : ''}`;
    if (line !== lastLine) input.print?.(`${at(started)}  ${line}`);
    lastLine = line;
    const verdict = failoverVerdict({ pr, status, appliedAtStart: input.appliedAtStart });
    const waitedSeconds = Math.round((Date.now() - started) / 100) / 10;
    if (verdict !== 'pending') return { verdict, waitedSeconds, pr, status, events };
    if (Date.now() - started + input.intervalMs > input.waitMs) return { verdict: 'timeout', waitedSeconds, pr, status, events };
    await new Promise((done) => setTimeout(done, input.intervalMs));
  }
}

const VERDICT_TEXT: Record<Exclude<WatchResult['verdict'], 'pending'>, string> = {
  done: 'Done: the pull request is merged and the controller applied a newer commit with the tenant active.',
  closed: 'The pull request was closed without merging: nothing changes.',
  'merged-unobserved': 'Merged. No state store here to follow the controller: check `rp9 status <tenant>`.',
  timeout: 'The wait ended before the controller confirmed the failover; follow it with `rp9 status <tenant>` and `rp9 tenant events <tenant>`.',
};

async function recordRequest(store: Store | undefined, tenant: string, actor: string, reason: string, pr: { number: number; url: string }, io: CommandIo): Promise<void> {
  if (!store) return;
  await store.events.record({ tenant, type: 'Warning', reason: 'FailoverRequested', message: `failover to shared requested: PR #${pr.number} (${pr.url}); reason: ${reason}`, actor, data: { pullRequest: pr.number } }).catch((error: unknown) => {
    io.stderr.write(`rp9 tenant failover: [failover.event-failed] the FailoverRequested event could not be recorded: ${(error as Error).message}\n`);
  });
}

interface FailoverRun {
  io: CommandIo;
  forge: Forge;
  base: BaseConfig;
  store: Store | undefined;
  /** Why there is no store, when there is none. */
  unseen: string | undefined;
  appliedAtStart: string | null;
  tenant: string;
  reason: string;
  actor: string;
  now: Date;
  noWait: boolean;
  waitMs: number;
  intervalMs: number;
  json: boolean;
  /** Declared an emergency (--emergency): with autoMerge.failover.emergency the PR merges by itself. */
  emergency: boolean;
  merge: { requiredContexts: string[]; method: MergeMethod };
}

/** Turns on the forge's auto-merge, or merges at once when the required checks are green (as the bots do). */
async function autoMerge(forge: Forge, number: number, merge: FailoverRun['merge']): Promise<string> {
  if ((await forge.enableAutoMerge({ number, method: merge.method })) === 'native') return 'auto-merge on: the forge merges once the required checks pass';
  const merged = await forge.mergeWhenGreen({ number, requiredContexts: merge.requiredContexts, method: merge.method });
  return merged.merged ? 'merged' : `not merged yet (${merged.reason}: ${merged.detail}); run the command again to retry`;
}

async function failover(run: FailoverRun): Promise<number> {
  const { io, forge, base, store, tenant, reason, actor, now, waitMs, intervalMs } = run;
  const entry = base.config.tenants.find((t) => t.name === tenant);
  let outcome: TenantPrOutcome | undefined = baseRefusal(base, tenant);
  if (!outcome && entry && entry.tenant.spec.mode !== 'dedicated') {
    outcome = { kind: 'refused', code: 'tenant-failover.not-dedicated', message: `tenant ${tenant} is mode: ${entry.tenant.spec.mode} on ${base.branch}: it is on the shared n8n already`, diagnostics: [] };
  }
  let decision: FailoverMergeDecision | undefined;
  if (!outcome && base.config.platform) decision = failoverMergeDecision(base.config.platform, { emergency: run.emergency });
  if (!outcome) {
    const title = failoverTitle(tenant);
    const edits = demotionEdits(entry?.tenant.spec);
    outcome = await openTenantPr(forge, base, {
      purpose: 'failover', tenant, edits, title, body: failoverBody(tenant, reason, `with \`rp9 tenant failover\` by \`${actor}\``, edits, decision),
      commitMessage: `${title}\n\nReason: ${reason}\nRequested with rp9 tenant failover by ${actor}.\n\nRp9-Purpose: failover`,
      labels: failoverLabels(decision?.autoMerge === true),
    });
  }
  const final = outcome;
  let merged: string | undefined;
  if (final.kind === 'opened' && decision?.autoMerge) {
    try {
      merged = await autoMerge(forge, final.number, run.merge);
    } catch (error) {
      merged = `auto-merge failed: ${(error as Error).message}`;
    }
  }
  const mergeJson = decision ? { autoMerge: { ...decision, ...(merged ? { result: merged } : {}) } } : {};
  const json = (extra: Record<string, unknown>): void => void io.stdout.write(`${JSON.stringify({ tenant, to: 'shared', reason, ...outcomeJson(final), ...mergeJson, ...extra }, null, 2)}\n`);
  if (final.kind !== 'opened') {
    if (run.json) json({});
    else io.stdout.write(renderOutcomeText(final, 'Failover'));
    return final.kind === 'refused' ? EXIT_INVALID : EXIT_OK;
  }
  if (!run.json) io.stdout.write(renderOutcomeText(final, 'Failover'));
  if (!run.json && decision) io.stdout.write(`Merge: ${decision.autoMerge ? `by policy (${decision.rule}): ${merged ?? ''}` : `a person merges (${decision.rule})`}\n`);
  if (final.action !== 'unchanged') await recordRequest(store, tenant, actor, reason, final, io);
  if (run.noWait) {
    if (run.json) json({ progress: null });
    return EXIT_OK;
  }
  if (!run.json) io.stdout.write(`\nFollowing for up to ${waitMs / 1000} s${run.unseen ? ` (${run.unseen}: the pull request only)` : ''}:\n`);
  try {
    const result = await watch({
      forge, store, tenant, number: final.number, waitMs, intervalMs, since: now, appliedAtStart: run.appliedAtStart,
      ...(run.json ? {} : { print: (line: string) => io.stdout.write(`${line}\n`) }),
    });
    if (run.json) json({ progress: result });
    else io.stdout.write(`${VERDICT_TEXT[result.verdict]}\n`);
    if (result.verdict === 'done') return EXIT_OK;
    return result.verdict === 'closed' ? EXIT_INVALID : EXIT_UNCONFIRMED;
  } catch (error) {
    io.stderr.write(`rp9 tenant failover: following PR #${final.number} failed: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
}

export const tenantFailoverCommand: Command = {
  name: ['tenant', 'failover'],
  summary: 'Open (or update) the emergency pull request that moves a dedicated tenant back to shared, and follow it (playbook 5)',
  args: '<tenant>',
  description: [
    'Reads the config from the base branch, sets the tenant\'s spec.mode: shared and removes',
    'spec.promotion and what a shared tenant may not carry (spec.customDomains, spec.n8n,',
    'spec.resources, spec.throttle.concurrency: custom domains stop routing), checks the result',
    'like `rp9 validate`, and opens one pull request per tenant on rp9/failover/<tenant> (run it',
    'again: the same PR is updated). Then, unless --no-wait, it',
    'shows progress until --wait ends: the pull request\'s state, and, with a state store',
    '(DATABASE_URL or --state-dir), the tenant\'s phase, applied commit and new events.',
    'A person merges it, unless it is declared an emergency (--emergency) and platform.yaml has',
    'autoMerge.failover.emergency: true: then the forge merges it once its required checks pass',
    '(or rp9 merges it at once when they are green).',
    '',
    ...AFTER_MERGE,
    '',
    'Exit 0: PR opened (--no-wait), or merged and the controller applied a newer commit with the',
    'tenant active; 1: refused (tenant unknown or not dedicated, the edit fails validation), or',
    'the PR was closed unmerged; 2: usage, forge or I/O error; 3: the wait ended first, or the PR',
    'merged with no state store to follow the controller.',
    '',
    FORGE_ENVIRONMENT,
    '',
    'Examples:',
    '  rp9 tenant failover acme --to shared --reason "dedicated host down (INC-42)"',
    '  rp9 tenant failover acme --to shared --reason "INC-42" --no-wait -o json',
    '  rp9 tenant failover acme --to shared --reason "INC-42: host lost" --emergency',
  ].join('\n'),
  options: {
    to: { type: 'string', valueName: 'shared', description: 'Where to: shared (the only target)' },
    reason: { type: 'string', valueName: 'text', description: `Why (in the pull request and the event; required, at most ${REASON_MAX} characters)` },
    emergency: { type: 'boolean', description: 'Declare an emergency: merges by itself when autoMerge.failover.emergency is true' },
    'no-wait': { type: 'boolean', description: 'Open the pull request and exit' },
    wait: { type: 'string', default: '900', valueName: 'seconds', description: `How long to follow the failover (at most ${MAX_WAIT_SECONDS})` },
    interval: { type: 'string', default: '5', valueName: 'seconds', description: 'Seconds between two looks' },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format (json: one document at the end)' },
    'state-dir': { type: 'string', default: DEFAULT_STATE_DIR, valueName: 'dir', description: 'State directory of the embedded store' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    const tenant = tenantArgument(positionals);
    if (values.to !== 'shared') throw new UsageError(values.to === undefined ? '--to shared is required' : `--to must be shared (got "${String(values.to)}"): a failover goes to the shared n8n`);
    const reason = String(values.reason ?? '').trim();
    if (reason.length === 0 || reason.length > REASON_MAX) throw new UsageError(`--reason is required, 1 to ${REASON_MAX} characters`);
    const waitMs = secondsOption(values.wait, 'wait', 900, MAX_WAIT_SECONDS) * 1000;
    const intervalMs = Math.max(100, secondsOption(values.interval, 'interval', 5, 300) * 1000);
    const noWait = values['no-wait'] === true;
    const actor = cliActor(io.env);
    const now = new Date();
    const logger = createLogger({ stream: io.stderr, env: io.env, ...(io.env.RP9_LOG_LEVEL ? {} : { level: 'warn' as const }) });
    const { forge, base, merge } = await connectForge(io.env, 'failover', now, logger);
    // Before the pull request exists: the applied commit the controller must move past.
    const opened = await openCliStore(io, values['state-dir']);
    const store = 'store' in opened ? opened.store : undefined;
    try {
      const appliedAtStart = store ? ((await store.status.get(tenant))?.appliedCommit ?? null) : null;
      return await failover({ io, forge, base, store, unseen: 'error' in opened ? opened.error : undefined, appliedAtStart, tenant, reason, actor, now, noWait, waitMs, intervalMs, json: format === 'json', emergency: values.emergency === true, merge });
    } finally {
      await store?.close();
    }
  },
};

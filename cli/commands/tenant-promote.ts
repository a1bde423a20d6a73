// `rp9 tenant promote <tenant> [--window now|<time>] [--reason …]`: playbook 1.
// Opens (or updates in place) the pull request that sets the tenant's
// `spec.mode: dedicated` and `spec.promotion`, with the promotion bot's edit
// (bots/promotion/edits.ts). Merging it is what promotes the tenant.
import { promotionEdits } from '../../bots/promotion/edits.js';
import { REASON_MAX } from '../../bots/promotion/decide.js';
import { formatWindow, nextMaintenanceWindow } from '../../bots/promotion/window.js';
import { REVIEW_LABEL } from '../../bots/runner/plan.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { connectForge, FORGE_ENVIRONMENT } from '../tenant-pr/connect.js';
import { openTenantPr, type TenantPrOutcome } from '../tenant-pr/open-tenant-pr.js';
import { baseRefusal } from '../tenant-pr/plan-edit.js';
import { outcomeJson, renderOutcomeText } from '../tenant-pr/render.js';
import { cliActor } from './purge.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** A window this far in the past is a typo, not "now". */
const PAST_SLACK_MS = 60_000;

export type WindowChoice = { kind: 'now' } | { kind: 'at'; at: Date } | { kind: 'next' };

/** `--window`: `now`, an RFC 3339 time with a zone (not in the past), or absent (the next maintenance window). */
export function windowOption(raw: unknown, now: Date): WindowChoice {
  if (raw === undefined) return { kind: 'next' };
  const text = String(raw).trim();
  if (text === 'now') return { kind: 'now' };
  const at = Date.parse(text);
  if (!RFC3339.test(text) || Number.isNaN(at)) throw new UsageError(`--window must be "now" or an RFC 3339 time with a zone, like 2026-12-12T22:00:00Z (got "${text}")`);
  if (at < now.getTime() - PAST_SLACK_MS) throw new UsageError(`--window ${text} is in the past; use --window now to promote as soon as the pull request merges`);
  return { kind: 'at', at: new Date(at) };
}

export function tenantArgument(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the tenant' : `expected one tenant (got ${positionals.join(', ')})`);
  const tenant = positionals[0] as string;
  if (!TENANT_NAME.test(tenant) || tenant.length > 63) throw new UsageError(`"${tenant}" is not a tenant name`);
  return tenant;
}

function promotionBody(tenant: string, window: string, ttlMinutes: number, reason: string, actor: string): string {
  return [
    `Moves **${tenant}** from the shared n8n to its dedicated one. Requested with \`rp9 tenant promote\` by \`${actor}\`.`,
    '',
    `- Window: \`${window}\` — the promotion starts when this is merged and the window has come`,
    `- Freeze at most ${ttlMinutes} minutes (\`policies.promotion.ttlMinutes\`)`,
    `- Reason: ${reason}`,
    '',
    'On merge the controller builds the dedicated stack, and at the window runs the journaled promotion: pre-migration backup,',
    'freeze (503 with Retry-After), export from the shared n8n, import (ids kept), activation, verification, route switch.',
    'Any failing step or a freeze past the TTL rolls back to shared automatically and opens a rollback pull request.',
    '',
    'A person merges this pull request: `autoMerge.promotion.*` covers the promotion bot\'s scored proposals, not a manual request.',
  ].join('\n');
}

export const tenantPromoteCommand: Command = {
  name: ['tenant', 'promote'],
  summary: 'Open (or update) the pull request that promotes a shared tenant to dedicated (playbook 1)',
  args: '<tenant>',
  description: [
    'Reads the config from the base branch, sets the tenant\'s spec.mode: dedicated and',
    'spec.promotion (window, ttlMinutes from policies.promotion, reason) with the promotion bot\'s',
    'edit, checks the result like `rp9 validate`, and opens one pull request per tenant on',
    'rp9/promote/<tenant> (run it again to change the window or reason: the same PR is updated).',
    'Nothing happens to the tenant until a person merges it; then the controller runs the',
    'promotion when the window comes (docs/operations.md, playbook 1). Follow it with',
    '`rp9 status <tenant>` and `rp9 tenant events <tenant>`.',
    '',
    'Exit 0: pull request opened, updated or already as asked; 1: refused (tenant unknown or',
    'already dedicated, the edit fails validation; nothing opened); 2: usage, forge or I/O error.',
    '',
    FORGE_ENVIRONMENT,
    '',
    'Examples:',
    '  rp9 tenant promote soylent                      # at the next maintenance window',
    '  rp9 tenant promote soylent --window now --reason "Customer moved to Enterprise"',
    '  rp9 tenant promote soylent --window 2026-12-12T22:00:00Z -o json',
  ].join('\n'),
  options: {
    window: { type: 'string', valueName: 'now|time', description: 'When the promotion may start: now, or an RFC 3339 time (default: the next policies.promotion.maintenanceWindow)' },
    reason: { type: 'string', valueName: 'text', description: `Why (spec.promotion.reason, at most ${REASON_MAX} characters)` },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    const tenant = tenantArgument(positionals);
    const now = new Date();
    const choice = windowOption(values.window, now);
    const actor = cliActor(io.env);
    const reason = values.reason === undefined ? `Manual promotion requested by ${actor}` : String(values.reason).trim();
    if (reason.length === 0 || reason.length > REASON_MAX) throw new UsageError(`--reason must be 1 to ${REASON_MAX} characters (got ${reason.length})`);
    const logger = createLogger({ stream: io.stderr, env: io.env, ...(io.env.RP9_LOG_LEVEL ? {} : { level: 'warn' as const }) });
    const { forge, base } = await connectForge(io.env, 'promote', now, logger);

    const entry = base.config.tenants.find((t) => t.name === tenant);
    const platform = base.config.platform;
    let outcome: TenantPrOutcome | undefined = baseRefusal(base, tenant);
    let window: string | undefined;
    if (outcome || !entry || !platform) {
      // Refused: the base fails validation or has no such tenant.
    } else if (entry.tenant.spec.mode !== 'shared') {
      const scheduled = entry.tenant.spec.promotion ? ` (promotion window ${entry.tenant.spec.promotion.window})` : '';
      outcome = { kind: 'refused', code: 'tenant-promote.not-shared', message: `tenant ${tenant} is already mode: dedicated on ${base.branch}${scheduled}`, diagnostics: [] };
    } else {
      const policy = platform.spec.policies.promotion;
      window = formatWindow(choice.kind === 'now' ? now : choice.kind === 'at' ? choice.at : nextMaintenanceWindow(policy.maintenanceWindow, now));
      const title = `promotion: move ${tenant} to dedicated (window ${window})`;
      outcome = await openTenantPr(forge, base, {
        purpose: 'promote',
        tenant,
        edits: promotionEdits({ window, ttlMinutes: policy.ttlMinutes, reason }),
        title,
        body: promotionBody(tenant, window, policy.ttlMinutes, reason, actor),
        commitMessage: `${title}\n\nRequested with rp9 tenant promote by ${actor}.\n\nRp9-Purpose: promote`,
        labels: ['rp9', 'promotion', REVIEW_LABEL],
      });
    }
    outcome ??= { kind: 'refused', code: 'tenant-pr.base-invalid', message: 'no platform or tenant', diagnostics: [] };
    if (format === 'json') io.stdout.write(`${JSON.stringify({ tenant, window: window ?? null, reason, ...outcomeJson(outcome) }, null, 2)}\n`);
    else io.stdout.write(renderOutcomeText(outcome, 'Promotion'));
    return outcome.kind === 'refused' ? EXIT_INVALID : EXIT_OK;
  },
};

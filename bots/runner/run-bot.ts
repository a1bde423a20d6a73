// One run of one bot: read its inputs, decide (pure), plan the forge
// operations (pure, a value), then execute them unless it is a dry run.
import { isForgeError, type Forge } from '../../edges/forge/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import { BotError } from '../core/errors.js';
import { decideAutoscaleRun } from './decide-autoscale.js';
import { decideEnforcementRun } from './decide-enforcement.js';
import { executeEffects, plannedEffects } from './effects.js';
import { decidePromotionRun } from './decide-promotion.js';
import { decideStripeSyncRun } from './decide-stripe-sync.js';
import { decideUpgradesRun } from './decide-upgrades.js';
import { executeOperations } from './execute.js';
import { planRun, type PullRequestState } from './plan.js';
import type { Decision, EffectResult, RunBotDeps, RunnableBot, RunOptions, RunReport } from './types.js';

export const DEFAULT_RUN_OPTIONS: RunOptions = { requiredContexts: [], mergeMethod: 'squash' };

/** `policies.promotion.windowHours` as a Prometheus duration (`4h`, or minutes for a fraction: `90m`). */
export function promotionWindow(hours: number): string {
  return Number.isInteger(hours) ? `${hours}h` : `${Math.round(hours * 60)}m`;
}

/** The bot's open pull requests and those it created in the last hour. */
export async function pullRequestState(forge: Forge, bot: RunnableBot, now: Date, logger: Logger): Promise<{ state: PullRequestState; notes: string[] }> {
  const hourAgo = now.getTime() - 3_600_000;
  const recent = (prs: { bot: string; createdAt: string }[]) => prs.filter((pr) => Date.parse(pr.createdAt) >= hourAgo).map((pr) => ({ bot: pr.bot }));
  try {
    const all = await forge.findPullRequests({ bot, state: 'all' });
    return { state: { open: all.filter((pr) => pr.state === 'open'), createdLastHour: recent(all) }, notes: [] };
  } catch (error) {
    if (!isForgeError(error, 'forge.request-failed')) throw error;
    logger.warn('too many pull requests to list them all; counting only open ones for the hourly limit', { bot, error: error.message });
    const open = await forge.findPullRequests({ bot, state: 'open' });
    return { state: { open, createdLastHour: recent(open) }, notes: ['the hourly PR limit counted only open pull requests (the full list is too long)'] };
  }
}

async function decide(name: RunnableBot, deps: RunBotDeps): Promise<Decision> {
  const platform = deps.base.config.platform!;
  const tenants = deps.base.config.tenants.map((t) => t.tenant);
  const history = deps.history;
  const now = deps.now;
  switch (name) {
    case 'autoscale':
      return decideAutoscaleRun({ platform, tenants, now, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(history ? { history } : {}) });
    case 'enforcement':
      return decideEnforcementRun({ platform, tenants, now, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.subscriptions ? { subscriptions: deps.subscriptions } : {}) });
    case 'promotion':
      return decidePromotionRun({ platform, tenants, now, window: promotionWindow(platform.spec.policies.promotion.windowHours), ...(deps.metrics ? { metrics: deps.metrics } : {}) });
    case 'stripe-sync':
      return decideStripeSyncRun({ platform, tenants, ...(deps.subscriptions ? { subscriptions: deps.subscriptions } : {}), ...(deps.productFeatures ? { productFeatures: deps.productFeatures } : {}), ...(deps.onlyTenant ? { only: deps.onlyTenant } : {}) });
    case 'upgrades': {
      if (!deps.versions) throw new BotError('bots.no-versions', 'the upgrades bot needs a source of available versions (policies.upgrades.registryUrl)');
      const metrics = deps.metrics;
      const health = deps.health ?? (metrics ? (at: Date) => metrics.ready(at) : undefined);
      return decideUpgradesRun({
        platform, tenants, now, versions: deps.versions,
        ...(deps.installable ? { installable: deps.installable } : {}), ...(health ? { health } : {}), ...(history ? { history } : {}),
        ...(deps.upgradeJournal ? { upgradeJournal: deps.upgradeJournal } : {}),
      });
    }
  }
}

export async function runBot(name: RunnableBot, deps: RunBotDeps): Promise<RunReport> {
  const { base, logger, now } = deps;
  const platform = base.config.platform;
  if (!platform) {
    const first = base.config.diagnostics.find((d) => d.file === 'platform.yaml' && d.severity === 'error');
    throw new BotError('bots.platform-invalid', `platform.yaml on ${base.branch} is missing or invalid${first ? `: ${first.file}:${first.line} ${first.code}: ${first.message}` : ''}`);
  }
  if (!deps.dryRun && (!deps.forge || base.sha === '')) {
    throw new BotError('bots.no-forge', 'a run that opens pull requests needs the forge and the config read from its base branch (use --dry-run with --dir)');
  }
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...deps.options };
  const log = logger.child({ bot: name });
  const notes: string[] = [];
  if (base.config.diagnostics.some((d) => d.severity === 'error')) notes.push(`the config on ${base.branch} fails rp9 validate: only proposals that remove one of its errors go through, the others are deferred until it is fixed`);

  const decision = await decide(name, deps);
  notes.push(...decision.notes);
  let prs: PullRequestState | undefined;
  if (deps.forge) {
    const found = await pullRequestState(deps.forge, name, now, log);
    prs = found.state;
    notes.push(...found.notes);
  }
  const plan = planRun({ bot: name, decision, base, platform, prs, options });
  notes.push(...plan.notes);
  log.info('bot run planned', { dry_run: deps.dryRun, proposals: decision.proposals.length, operations: plan.operations.length, held: decision.held.length });
  const results = deps.dryRun || !deps.forge ? [] : await executeOperations(deps.forge, plan.operations, log);
  const effectsInput = { notices: decision.notices ?? [], meterEvents: decision.meterEvents ?? [] };
  let effects: EffectResult[] | undefined;
  if (decision.notices || decision.meterEvents) {
    if (deps.dryRun) effects = plannedEffects(effectsInput);
    else if (!deps.effects) effects = plannedEffects(effectsInput, 'skipped', 'no notification or Stripe settings');
    else effects = await executeEffects(deps.effects, effectsInput, log);
  }
  return {
    bot: name,
    dryRun: deps.dryRun,
    at: now.toISOString(),
    base: { branch: base.branch, sha: base.sha },
    notes,
    ...(decision.metricsUnavailable !== undefined ? { metricsUnavailable: decision.metricsUnavailable } : {}),
    ...(decision.candidates ? { candidates: decision.candidates } : {}),
    proposals: plan.proposals,
    held: decision.held,
    operations: plan.operations,
    results,
    ...(effects ? { effects } : {}),
  };
}

// The autoscale bot's inputs and decision: window figures from Prometheus,
// "low since" for tenants that look idle with something to release, and the
// cooldown from git history (read only for tenants the bot would otherwise change).
import type { Platform } from '../../config/types.js';
import type { Plan, Policies } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { decideAutoscale, inCooldown, type AutoscaleTenantInput, type TenantWindowMetrics } from '../autoscale/decide.js';
import { autoscaleLimits, effectiveResources, keepsBeyondCeiling, peakThresholds, type AutoscaleLimits, type DownResource, type ScaledResource, type SignalName } from '../autoscale/rules.js';
import { tenantFile } from '../core/types.js';
import type { BotMetrics, FieldHistory, LowThresholds, WindowFigures } from '../sources/types.js';
import type { Decision, Held } from './types.js';

const LOW_STEP_SECONDS = 300;

type AutoscalePolicy = Policies['autoscale'];
const RESOURCES = ['spec', 'resources'] as const;

/** The figures the rules read; a figure without samples is NaN, which no rule fires on. */
function ruleMetrics(figures: WindowFigures): TenantWindowMetrics {
  return {
    queueWaitP95Seconds: figures.queueWaitP95Seconds ?? Number.NaN,
    cpuPercent: figures.cpuPercent ?? Number.NaN,
    memoryPercent: figures.memoryPercent ?? Number.NaN,
    executionsPerMinute: figures.executionsPerMinute ?? Number.NaN,
  };
}

/** The thresholds (tolerance applied, as the rules compare) of the scale-down rules the figures meet now. */
export function lowThresholdsFor(metrics: TenantWindowMetrics, platform: Platform, limits: AutoscaleLimits = autoscaleLimits(platform.spec.policies.autoscale)): LowThresholds | undefined {
  const down = limits.down;
  const below = (signal: SignalName) => Number.isFinite(metrics[signal]) && metrics[signal] < down[signal];
  const machine = below('cpuPercent') && below('memoryPercent');
  const queue = below('queueWaitP95Seconds') && below('executionsPerMinute');
  if (!machine && !queue) return undefined;
  const thresholds: LowThresholds = {};
  if (machine) {
    thresholds.cpuPercent = down.cpuPercent;
    thresholds.memoryPercent = down.memoryPercent;
  }
  if (queue) {
    thresholds.queueWaitP95Seconds = down.queueWaitP95Seconds;
    thresholds.executionsPerMinute = down.executionsPerMinute;
  }
  return thresholds;
}

/** Tenants whose open beyond-ceiling pull request stays open: at a ceiling and not yet below the scale-down limits. */
export function keptBeyondCeiling(inputs: readonly AutoscaleTenantInput[], platform: Platform, limits: AutoscaleLimits = autoscaleLimits(platform.spec.policies.autoscale)): Set<string> {
  const kept = new Set<string>();
  const policy = platform.spec.policies.autoscale;
  for (const { tenant, metrics } of inputs) {
    const plan = platform.spec.plans[tenant.spec.plan];
    if (plan && keepsBeyondCeiling(tenant.spec.resources, plan, metrics, policy, limits)) kept.add(tenant.metadata.name);
  }
  return kept;
}

function stable(since: Date, hours: number, now: Date): boolean {
  return now.getTime() - since.getTime() >= hours * 3_600_000;
}

/** The resources a scale-down could release now: those whose rule's figures are low (`low`) and that are above 1. */
function releasableOf(low: LowThresholds, resources: Record<ScaledResource, number>): DownResource[] {
  const releasable: DownResource[] = [];
  if (low.cpuPercent !== undefined && resources.cpu > 1) releasable.push('cpu');
  if (low.queueWaitP95Seconds !== undefined && resources.workers > 1) releasable.push('workers');
  return releasable;
}

/**
 * For each resource a scale-down would release, since when its peaks fit the smaller allocation (`peakThresholds`),
 * counted from the last change of spec.resources at the latest (`resourcesChangedAt`, read only when some peak is asked):
 * figures measured before it were percentages and waits of another allocation, and say nothing of how this one's
 * peaks fit one step less.
 */
async function readPeaks(metrics: BotMetrics, tenant: Tenant, plan: Plan, releasable: readonly DownResource[], into: TenantWindowMetrics, policy: AutoscalePolicy, now: Date, resourcesChangedAt: () => Promise<Date | undefined>, limits: AutoscaleLimits): Promise<void> {
  if (policy.scaleDownPeakHours === 0) return;
  const lookback = policy.scaleDownPeakHours * 3600 + LOW_STEP_SECONDS;
  let changedAt: Date | undefined;
  let changedRead = false;
  for (const resource of releasable) {
    const peaks = peakThresholds(resource, tenant.spec.resources, plan, policy, limits);
    if (!peaks) continue;
    if (!changedRead) {
      changedAt = await resourcesChangedAt();
      changedRead = true;
    }
    const since = await metrics.lowSince(tenant.metadata.name, peaks, now, lookback);
    if (since) into.peakFitsSince = { ...into.peakFitsSince, [resource]: changedAt && changedAt > since ? changedAt : since };
  }
}

function runs(tenant: Tenant): boolean {
  return tenant.spec.mode === 'dedicated' && !tenant.spec.suspended;
}

export interface AutoscaleSources {
  platform: Platform;
  tenants: Tenant[];
  metrics?: BotMetrics;
  history?: FieldHistory;
  now: Date;
}

export async function decideAutoscaleRun(sources: AutoscaleSources): Promise<Decision> {
  const { platform, now } = sources;
  const policy = platform.spec.policies.autoscale;
  if (!sources.metrics) {
    return { proposals: [], wanted: undefined, held: [], notes: ['metrics unavailable (no Prometheus configured): autoscale needs them and proposes nothing'], metricsUnavailable: 'no Prometheus configured' };
  }
  let figures: Map<string, WindowFigures>;
  try {
    figures = await sources.metrics.window(`${policy.windowMinutes}m`, now);
  } catch (error) {
    return { proposals: [], wanted: undefined, held: [], notes: [`metrics unavailable (${(error as Error).message}): autoscale proposes nothing and closes nothing`], metricsUnavailable: (error as Error).message };
  }

  const limits = autoscaleLimits(policy);
  const lowLookback = policy.scaleDownStabilizationHours * 3600 + LOW_STEP_SECONDS;
  const notes: string[] = [];
  const inputs: AutoscaleTenantInput[] = [];
  const noData: string[] = [];
  for (const tenant of sources.tenants.filter(runs)) {
    const name = tenant.metadata.name;
    const found = figures.get(name);
    if (!found) {
      noData.push(name);
      continue;
    }
    const metrics = ruleMetrics(found);
    const thresholds = lowThresholdsFor(metrics, platform, limits);
    const plan = platform.spec.plans[tenant.spec.plan];
    // "Low since" and the peaks matter only to a scale-down: not asked when nothing low is above 1 (or the plan is unknown).
    const releasable = thresholds && plan ? releasableOf(thresholds, effectiveResources(tenant.spec.resources, plan)) : [];
    if (thresholds && plan && releasable.length > 0) {
      const since = await sources.metrics.lowSince(name, thresholds, now, lowLookback);
      if (since) metrics.lowSince = since;
      if (since && stable(since, policy.scaleDownStabilizationHours, now)) {
        const history = sources.history;
        const changedAt = async () => (history ? await history.lastChangeAt(tenantFile(name), RESOURCES, new Date(now.getTime() - policy.scaleDownPeakHours * 3_600_000)) : undefined);
        await readPeaks(sources.metrics, tenant, plan, releasable, metrics, policy, now, changedAt, limits);
      }
    }
    inputs.push({ tenant, metrics });
  }
  if (noData.length > 0) notes.push(`no metrics for ${noData.join(', ')}: left as they are`);

  // First without the cooldown: what the bot wants. History is read only for those tenants.
  const wanted = decideAutoscale({ tenants: inputs }, platform, now);
  const keepBeyondCeiling = keptBeyondCeiling(inputs, platform, limits);
  const held: Held[] = [];
  if (!sources.history) {
    if (wanted.length > 0) notes.push('git history unavailable: cooldowns not applied');
    return { proposals: wanted, wanted: new Set([...wanted.map((p) => p.tenant), ...noData]), keepBeyondCeiling, held, notes };
  }
  const since = new Date(now.getTime() - policy.cooldownMinutes * 60_000);
  const changedAt = new Map<string, Date>();
  for (const proposal of wanted) {
    const at = await sources.history.lastChangeAt(proposal.file, RESOURCES, since);
    if (at) changedAt.set(proposal.tenant, at);
  }
  // The cooldown only removes proposals (decideAutoscale with the history gives the same list less the
  // tenants in cooldown), so the second pass filters the first instead of deciding every tenant again.
  const proposals = wanted.filter((proposal) => !inCooldown(changedAt.get(proposal.tenant), policy.cooldownMinutes, now));
  const kept = new Set(proposals.map((p) => p.tenant));
  for (const proposal of wanted) {
    if (kept.has(proposal.tenant)) continue;
    const at = changedAt.get(proposal.tenant);
    held.push({
      tenant: proposal.tenant,
      code: 'autoscale.cooldown',
      reason: `spec.resources changed at ${at?.toISOString() ?? '?'}, less than ${policy.cooldownMinutes} minutes ago (policies.autoscale.cooldownMinutes)`,
    });
  }
  return { proposals, wanted: new Set([...wanted.map((p) => p.tenant), ...noData]), keepBeyondCeiling, held, notes };
}

// The autoscale rules for one dedicated tenant: which resources move, by how
// much, and the measurements that justify it. Pure.
import type { Plan, Policies } from '../../types/platform.js';
import type { Resources } from '../../types/tenant.js';
import type { Evidence } from '../core/types.js';

export type ScaledResource = 'cpu' | 'memoryMb' | 'workers';

export interface TenantWindowMetrics {
  queueWaitP95Seconds: number;
  /** Average over the window, of the allocated cores. */
  cpuPercent: number;
  memoryPercent: number;
  executionsPerMinute: number;
  /** Since when the tenant has been continuously below the scale-down thresholds (from the metrics side). */
  lowSince?: Date;
  /**
   * Per resource a scale-down would release: since when the tenant's figures have stayed below the
   * scale-up limits the smaller allocation would have (`peakThresholds`, from the metrics side).
   */
  peakFitsSince?: Partial<Record<DownResource, Date>>;
}

/** The resources a scale-down releases (memory is never scaled down). */
export type DownResource = 'cpu' | 'workers';

export interface ResourceChange {
  resource: ScaledResource;
  from: number;
  to: number;
  direction: 'up' | 'down';
  beyondCeiling: boolean;
}

export interface TenantScaling {
  direction: 'up' | 'down';
  beyondCeiling: boolean;
  changes: ResourceChange[];
  evidence: Evidence[];
  /** Short phrases for the trigger line: `queue wait p95 7 s > 5.5 s`. */
  reasons: string[];
}

export const MEMORY_STEP_MB = 256;

type AutoscalePolicy = Policies['autoscale'];

export function effectiveResources(resources: Resources | undefined, plan: Plan): Record<ScaledResource, number> {
  return {
    cpu: resources?.cpu ?? plan.cpu,
    memoryMb: resources?.memoryMb ?? plan.memoryMb,
    workers: resources?.workers ?? plan.workers,
  };
}

function roundUpTo(value: number, step: number): number {
  return Math.ceil(value / step - 1e-9) * step;
}

function stepUp(resource: ScaledResource, current: number, policy: AutoscalePolicy): number {
  if (resource === 'memoryMb') return roundUpTo((current * (100 + policy.scaleUp.memoryStepPercent)) / 100, MEMORY_STEP_MB);
  return current + 1;
}

/** One step down, never below 1. */
function stepDown(current: number): number {
  return Math.max(1, current - 1);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

interface Signal {
  metric: keyof Omit<TenantWindowMetrics, 'lowSince' | 'peakFitsSince'>;
  label: string;
  unit: string;
}

const SIGNALS = {
  p95: { metric: 'queueWaitP95Seconds', label: 'queue wait p95', unit: 's' },
  epm: { metric: 'executionsPerMinute', label: 'executions', unit: '/min' },
  cpu: { metric: 'cpuPercent', label: 'CPU', unit: '%' },
  memory: { metric: 'memoryPercent', label: 'memory', unit: '%' },
} satisfies Record<string, Signal>;

interface Firing {
  fired: boolean;
  evidence: () => Evidence;
  reason: () => string;
}

export type SignalName = Signal['metric'];

/** A signal's band in one direction, percent: its own (`tolerance.<signal>.<direction>`) or `tolerancePercent`. */
export function tolerancePercentFor(policy: AutoscalePolicy, signal: SignalName, direction: 'up' | 'down'): number {
  return policy.tolerance?.[signal]?.[direction] ?? policy.tolerancePercent;
}

/** The limit a figure is compared with: threshold·(1+tolerance) up, threshold·(1−tolerance) down. */
export function limitFor(policy: AutoscalePolicy, signal: SignalName, threshold: number, direction: 'up' | 'down'): number {
  const tolerance = tolerancePercentFor(policy, signal, direction) / 100;
  return round2(direction === 'up' ? threshold * (1 + tolerance) : threshold * (1 - tolerance));
}

/**
 * Up: above threshold·(1+tolerance); down: below threshold·(1−tolerance), each signal with its own band.
 * Exactly at the limit is inside the band: nothing fires.
 */
function firing(signal: Signal, metrics: TenantWindowMetrics, threshold: number, direction: 'up' | 'down', policy: AutoscalePolicy, window: string): Firing {
  const value = metrics[signal.metric];
  const limit = limitFor(policy, signal.metric, threshold, direction);
  const fired = Number.isFinite(value) && (direction === 'up' ? value > limit : value < limit);
  const comparator = direction === 'up' ? ('>' as const) : ('<' as const);
  const unit = signal.unit === 's' ? ' s' : signal.unit;
  return {
    fired,
    evidence: () => ({ metric: signal.metric, value, threshold: limit, comparator, window, unit: signal.unit }),
    reason: () => `${signal.label} ${round2(value)}${unit} ${comparator} ${limit}${unit}`,
  };
}

function scaleUp(current: Record<ScaledResource, number>, plan: Plan, metrics: TenantWindowMetrics, policy: AutoscalePolicy, window: string): TenantScaling | undefined {
  const up = policy.scaleUp;
  const p95 = firing(SIGNALS.p95, metrics, up.queueWaitP95Seconds, 'up', policy, window);
  const epm = firing(SIGNALS.epm, metrics, up.executionsPerMinute, 'up', policy, window);
  const cpu = firing(SIGNALS.cpu, metrics, up.cpuPercent, 'up', policy, window);
  const memory = firing(SIGNALS.memory, metrics, up.memoryPercent, 'up', policy, window);
  // p95 and executions/min both say "the queue is behind": one worker per run, then re-measure.
  const all: { resource: ScaledResource; signals: Firing[] }[] = [
    { resource: 'workers', signals: [p95, epm].filter((s) => s.fired) },
    { resource: 'cpu', signals: [cpu].filter((s) => s.fired) },
    { resource: 'memoryMb', signals: [memory].filter((s) => s.fired) },
  ];
  const wanted = all.filter((w) => w.signals.length > 0);
  if (wanted.length === 0) return undefined;

  const changes = wanted.map(({ resource, signals }) => {
    const from = current[resource];
    const ceiling = plan.ceiling[resource];
    const desired = stepUp(resource, from, policy);
    const beyondCeiling = from >= ceiling;
    return { change: { resource, from, to: beyondCeiling ? desired : Math.min(desired, ceiling), direction: 'up' as const, beyondCeiling }, signals, ceiling };
  });
  // Within-ceiling steps merge by themselves; beyond-ceiling ones wait for a human, so they are
  // proposed only when nothing within the ceiling is left to do.
  const within = changes.filter((c) => !c.change.beyondCeiling);
  const chosen = within.length > 0 ? within : changes;
  const beyondCeiling = within.length === 0;
  const evidence = chosen.flatMap((c) => c.signals.map((s) => s.evidence()));
  if (beyondCeiling) {
    for (const c of chosen) {
      evidence.push({ metric: `resources.${c.change.resource}`, value: c.change.from, threshold: c.ceiling, comparator: '>=', window: '', unit: c.change.resource === 'memoryMb' ? 'MB' : '' });
    }
  }
  return {
    direction: 'up',
    beyondCeiling,
    changes: chosen.map((c) => c.change),
    evidence,
    reasons: chosen.flatMap((c) => c.signals.map((s) => s.reason())),
  };
}

function scaleDown(current: Record<ScaledResource, number>, metrics: TenantWindowMetrics, policy: AutoscalePolicy, window: string, now: Date): TenantScaling | undefined {
  const down = policy.scaleDown;
  const cpu = firing(SIGNALS.cpu, metrics, down.cpuPercent, 'down', policy, window);
  const memory = firing(SIGNALS.memory, metrics, down.memoryPercent, 'down', policy, window);
  const p95 = firing(SIGNALS.p95, metrics, down.queueWaitP95Seconds, 'down', policy, window);
  const epm = firing(SIGNALS.epm, metrics, down.executionsPerMinute, 'down', policy, window);
  let rules = [
    { resource: 'cpu' as const, signals: [cpu, memory] },
    { resource: 'workers' as const, signals: [p95, epm] },
  ].filter((rule) => rule.signals.every((s) => s.fired) && stepDown(current[rule.resource]) < current[rule.resource]);
  if (rules.length === 0 || !metrics.lowSince) return undefined;

  const lowForHours = (now.getTime() - metrics.lowSince.getTime()) / 3_600_000;
  if (!(lowForHours >= policy.scaleDownStabilizationHours)) return undefined;
  const peakHours = policy.scaleDownPeakHours;
  const fits = (resource: DownResource) => {
    const since = metrics.peakFitsSince?.[resource];
    return peakHours === 0 || (since !== undefined && (now.getTime() - since.getTime()) / 3_600_000 >= peakHours);
  };
  rules = rules.filter((rule) => fits(rule.resource));
  if (rules.length === 0) return undefined;

  const changes: ResourceChange[] = rules.map((rule) => ({
    resource: rule.resource,
    from: current[rule.resource],
    to: stepDown(current[rule.resource]),
    direction: 'down',
    beyondCeiling: false,
  }));
  const evidence = rules.flatMap((rule) => rule.signals.map((s) => s.evidence()));
  evidence.push({ metric: 'belowScaleDownThresholdsFor', value: round2(lowForHours), threshold: policy.scaleDownStabilizationHours, comparator: '>=', window: '', unit: 'h' });
  if (peakHours > 0) evidence.push({ metric: 'peaksFitSmallerAllocationFor', value: round2(Math.min(...rules.map((rule) => (now.getTime() - metrics.peakFitsSince![rule.resource]!.getTime()) / 3_600_000))), threshold: peakHours, comparator: '>=', window: '', unit: 'h' });
  return { direction: 'down', beyondCeiling: false, changes, evidence, reasons: rules.flatMap((rule) => rule.signals.map((s) => s.reason())) };
}

/** Scale-up wins over scale-down; undefined when nothing should change. */
export function evaluateScaling(
  resources: Resources | undefined,
  plan: Plan,
  metrics: TenantWindowMetrics,
  policy: AutoscalePolicy,
  now: Date,
): TenantScaling | undefined {
  const current = effectiveResources(resources, plan);
  const window = `${policy.windowMinutes}m`;
  return scaleUp(current, plan, metrics, policy, window) ?? scaleDown(current, metrics, policy, window, now);
}

/** The scale-up signals of each resource: what makes the bot add it. */
const UP_SIGNALS: Record<ScaledResource, SignalName[]> = {
  workers: ['queueWaitP95Seconds', 'executionsPerMinute'],
  cpu: ['cpuPercent'],
  memoryMb: ['memoryPercent'],
};

/**
 * Whether an open beyond-ceiling proposal stays open although this run proposes
 * nothing for the tenant: some resource is at (or above) the plan's ceiling and
 * one of the signals that scale it up has not yet fallen below its scale-down
 * limit (threshold·(1−tolerance)). The proposal opens above the scale-up limit
 * and closes below the scale-down limit, the same hysteresis the resources have,
 * so a tenant that is hot on one run and warm on the next keeps one pull request
 * instead of one per hot run. A figure without samples (NaN) keeps nothing open.
 */
export function keepsBeyondCeiling(resources: Resources | undefined, plan: Plan, metrics: TenantWindowMetrics, policy: AutoscalePolicy): boolean {
  const current = effectiveResources(resources, plan);
  return (Object.keys(UP_SIGNALS) as ScaledResource[]).some(
    (resource) =>
      current[resource] >= plan.ceiling[resource] &&
      UP_SIGNALS[resource].some((signal) => Number.isFinite(metrics[signal]) && metrics[signal] >= limitFor(policy, signal, policy.scaleDown[signal], 'down')),
  );
}

/**
 * The limits a resource's peaks must have stayed under for a scale-down of it
 * (one step, as `scaleDown` takes it) not to be undone by the next peak: the
 * scale-up limits as the smaller allocation would see them. CPU % is of the
 * allocated cores, so its limit shrinks with the step (from 2 to 1 core per
 * container, 88 % becomes 44 %); executions/min fires whatever the
 * allocation, so its limit stays, and so does queue wait p95's. Undefined
 * when the step would not lower the resource.
 */
export function peakThresholds(resource: DownResource, resources: Resources | undefined, plan: Plan, policy: AutoscalePolicy): Partial<Record<SignalName, number>> | undefined {
  const from = effectiveResources(resources, plan)[resource];
  const to = stepDown(from);
  if (!(to < from)) return undefined;
  const up = policy.scaleUp;
  if (resource === 'cpu') return { cpuPercent: round2((limitFor(policy, 'cpuPercent', up.cpuPercent, 'up') * to) / from) };
  return { queueWaitP95Seconds: limitFor(policy, 'queueWaitP95Seconds', up.queueWaitP95Seconds, 'up'), executionsPerMinute: limitFor(policy, 'executionsPerMinute', up.executionsPerMinute, 'up') };
}

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
}

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
  metric: keyof Omit<TenantWindowMetrics, 'lowSince'>;
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
  const rules = [
    { resource: 'cpu' as const, signals: [cpu, memory] },
    { resource: 'workers' as const, signals: [p95, epm] },
  ].filter((rule) => rule.signals.every((s) => s.fired) && stepDown(current[rule.resource]) < current[rule.resource]);
  if (rules.length === 0 || !metrics.lowSince) return undefined;

  const lowForHours = (now.getTime() - metrics.lowSince.getTime()) / 3_600_000;
  if (!(lowForHours >= policy.scaleDownStabilizationHours)) return undefined;

  const changes: ResourceChange[] = rules.map((rule) => ({
    resource: rule.resource,
    from: current[rule.resource],
    to: stepDown(current[rule.resource]),
    direction: 'down',
    beyondCeiling: false,
  }));
  const evidence = rules.flatMap((rule) => rule.signals.map((s) => s.evidence()));
  evidence.push({ metric: 'belowScaleDownThresholdsFor', value: round2(lowForHours), threshold: policy.scaleDownStabilizationHours, comparator: '>=', window: '', unit: 'h' });
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

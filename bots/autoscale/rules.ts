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

/** One step down, never below 1: a worker, or `scaleDownCpuStep` cores per container. */
function stepDown(resource: DownResource, current: number, policy: AutoscalePolicy): number {
  return Math.max(1, current - (resource === 'cpu' ? policy.scaleDownCpuStep : 1));
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

/** The limits of one run: every signal's scale-up and scale-down limit (`limitFor`) and the window, computed once per policy read. */
export interface AutoscaleLimits {
  up: Record<SignalName, number>;
  down: Record<SignalName, number>;
  window: string;
}

const SIGNAL_NAMES: readonly SignalName[] = ['queueWaitP95Seconds', 'executionsPerMinute', 'cpuPercent', 'memoryPercent'];

/** The limits the rules compare with, from `policy` as it is now (a decider computes them once per run). */
export function autoscaleLimits(policy: AutoscalePolicy): AutoscaleLimits {
  const up = {} as Record<SignalName, number>;
  const down = {} as Record<SignalName, number>;
  for (const signal of SIGNAL_NAMES) {
    up[signal] = limitFor(policy, signal, policy.scaleUp[signal], 'up');
    down[signal] = limitFor(policy, signal, policy.scaleDown[signal], 'down');
  }
  return { up, down, window: `${policy.windowMinutes}m` };
}

/**
 * Up: above threshold·(1+tolerance); down: below threshold·(1−tolerance), each signal with its own band.
 * Exactly at the limit is inside the band: nothing fires.
 */
function fires(value: number, limit: number, direction: 'up' | 'down'): boolean {
  return Number.isFinite(value) && (direction === 'up' ? value > limit : value < limit);
}

/** A signal that fired: its evidence row and trigger phrase are built from it. */
interface Fired {
  signal: Signal;
  value: number;
  limit: number;
  comparator: '>' | '<';
}

function firedOf(signal: Signal, metrics: TenantWindowMetrics, limit: number, direction: 'up' | 'down'): Fired {
  return { signal, value: metrics[signal.metric], limit, comparator: direction === 'up' ? '>' : '<' };
}

function evidenceRow(fired: Fired, window: string): Evidence {
  return { metric: fired.signal.metric, value: fired.value, threshold: fired.limit, comparator: fired.comparator, window, unit: fired.signal.unit };
}

function reasonOf(fired: Fired): string {
  const unit = fired.signal.unit === 's' ? ' s' : fired.signal.unit;
  return `${fired.signal.label} ${round2(fired.value)}${unit} ${fired.comparator} ${fired.limit}${unit}`;
}

interface UpStep {
  change: ResourceChange;
  signals: Fired[];
  ceiling: number;
}

function upStep(resource: ScaledResource, signals: Fired[], current: Record<ScaledResource, number>, plan: Plan, policy: AutoscalePolicy): UpStep {
  const from = current[resource];
  const ceiling = plan.ceiling[resource];
  const desired = stepUp(resource, from, policy);
  const beyondCeiling = from >= ceiling;
  return { change: { resource, from, to: beyondCeiling ? desired : Math.min(desired, ceiling), direction: 'up', beyondCeiling }, signals, ceiling };
}

function scaleUp(current: Record<ScaledResource, number>, plan: Plan, metrics: TenantWindowMetrics, policy: AutoscalePolicy, limits: AutoscaleLimits): TenantScaling | undefined {
  const up = limits.up;
  // Most tenants fire nothing: decide that on the figures before building anything.
  const p95Fired = fires(metrics.queueWaitP95Seconds, up.queueWaitP95Seconds, 'up');
  const epmFired = fires(metrics.executionsPerMinute, up.executionsPerMinute, 'up');
  const cpuFired = fires(metrics.cpuPercent, up.cpuPercent, 'up');
  const memoryFired = fires(metrics.memoryPercent, up.memoryPercent, 'up');
  if (!p95Fired && !epmFired && !cpuFired && !memoryFired) return undefined;
  // p95 and executions/min both say "the queue is behind": one worker per run, then re-measure.
  const steps: UpStep[] = [];
  if (p95Fired || epmFired) {
    const signals: Fired[] = [];
    if (p95Fired) signals.push(firedOf(SIGNALS.p95, metrics, up.queueWaitP95Seconds, 'up'));
    if (epmFired) signals.push(firedOf(SIGNALS.epm, metrics, up.executionsPerMinute, 'up'));
    steps.push(upStep('workers', signals, current, plan, policy));
  }
  if (cpuFired) steps.push(upStep('cpu', [firedOf(SIGNALS.cpu, metrics, up.cpuPercent, 'up')], current, plan, policy));
  if (memoryFired) steps.push(upStep('memoryMb', [firedOf(SIGNALS.memory, metrics, up.memoryPercent, 'up')], current, plan, policy));
  // Within-ceiling steps merge by themselves; beyond-ceiling ones wait for a human, so they are
  // proposed only when nothing within the ceiling is left to do.
  const within = steps.filter((step) => !step.change.beyondCeiling);
  const chosen = within.length > 0 ? within : steps;
  const beyondCeiling = within.length === 0;
  const window = limits.window;
  const changes: ResourceChange[] = [];
  const evidence: Evidence[] = [];
  const reasons: string[] = [];
  for (const step of chosen) {
    changes.push(step.change);
    for (const fired of step.signals) {
      evidence.push(evidenceRow(fired, window));
      reasons.push(reasonOf(fired));
    }
  }
  if (beyondCeiling) {
    for (const step of chosen) {
      evidence.push({ metric: `resources.${step.change.resource}`, value: step.change.from, threshold: step.ceiling, comparator: '>=', window: '', unit: step.change.resource === 'memoryMb' ? 'MB' : '' });
    }
  }
  return { direction: 'up', beyondCeiling, changes, evidence, reasons };
}

function scaleDown(current: Record<ScaledResource, number>, metrics: TenantWindowMetrics, policy: AutoscalePolicy, limits: AutoscaleLimits, now: Date): TenantScaling | undefined {
  const down = limits.down;
  const cpuRule = fires(metrics.cpuPercent, down.cpuPercent, 'down') && fires(metrics.memoryPercent, down.memoryPercent, 'down') && stepDown('cpu', current.cpu, policy) < current.cpu;
  const workersRule = fires(metrics.queueWaitP95Seconds, down.queueWaitP95Seconds, 'down') && fires(metrics.executionsPerMinute, down.executionsPerMinute, 'down') && stepDown('workers', current.workers, policy) < current.workers;
  if ((!cpuRule && !workersRule) || !metrics.lowSince) return undefined;

  const lowForHours = (now.getTime() - metrics.lowSince.getTime()) / 3_600_000;
  if (!(lowForHours >= policy.scaleDownStabilizationHours)) return undefined;
  let rules: { resource: DownResource; signals: Fired[] }[] = [];
  if (cpuRule) rules.push({ resource: 'cpu', signals: [firedOf(SIGNALS.cpu, metrics, down.cpuPercent, 'down'), firedOf(SIGNALS.memory, metrics, down.memoryPercent, 'down')] });
  if (workersRule) rules.push({ resource: 'workers', signals: [firedOf(SIGNALS.p95, metrics, down.queueWaitP95Seconds, 'down'), firedOf(SIGNALS.epm, metrics, down.executionsPerMinute, 'down')] });
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
    to: stepDown(rule.resource, current[rule.resource], policy),
    direction: 'down',
    beyondCeiling: false,
  }));
  const window = limits.window;
  const evidence = rules.flatMap((rule) => rule.signals.map((fired) => evidenceRow(fired, window)));
  evidence.push({ metric: 'belowScaleDownThresholdsFor', value: round2(lowForHours), threshold: policy.scaleDownStabilizationHours, comparator: '>=', window: '', unit: 'h' });
  if (peakHours > 0) evidence.push({ metric: 'peaksFitSmallerAllocationFor', value: round2(Math.min(...rules.map((rule) => (now.getTime() - metrics.peakFitsSince![rule.resource]!.getTime()) / 3_600_000))), threshold: peakHours, comparator: '>=', window: '', unit: 'h' });
  return { direction: 'down', beyondCeiling: false, changes, evidence, reasons: rules.flatMap((rule) => rule.signals.map(reasonOf)) };
}

/** Scale-up wins over scale-down; undefined when nothing should change. */
export function evaluateScaling(
  resources: Resources | undefined,
  plan: Plan,
  metrics: TenantWindowMetrics,
  policy: AutoscalePolicy,
  now: Date,
  limits: AutoscaleLimits = autoscaleLimits(policy),
): TenantScaling | undefined {
  const current = effectiveResources(resources, plan);
  return scaleUp(current, plan, metrics, policy, limits) ?? scaleDown(current, metrics, policy, limits, now);
}

/** The scale-up signals of each resource: what makes the bot add it. */
const UP_SIGNALS: Record<ScaledResource, SignalName[]> = {
  workers: ['queueWaitP95Seconds', 'executionsPerMinute'],
  cpu: ['cpuPercent'],
  memoryMb: ['memoryPercent'],
};
const SCALED_RESOURCES = Object.keys(UP_SIGNALS) as ScaledResource[];

/**
 * Whether an open beyond-ceiling proposal stays open although this run proposes
 * nothing for the tenant: some resource is at (or above) the plan's ceiling and
 * one of the signals that scale it up has not yet fallen below its scale-down
 * limit (threshold·(1−tolerance)). The proposal opens above the scale-up limit
 * and closes below the scale-down limit, the same hysteresis the resources have,
 * so a tenant that is hot on one run and warm on the next keeps one pull request
 * instead of one per hot run. A figure without samples (NaN) keeps nothing open.
 */
export function keepsBeyondCeiling(resources: Resources | undefined, plan: Plan, metrics: TenantWindowMetrics, policy: AutoscalePolicy, limits: AutoscaleLimits = autoscaleLimits(policy)): boolean {
  const current = effectiveResources(resources, plan);
  for (const resource of SCALED_RESOURCES) {
    if (!(current[resource] >= plan.ceiling[resource])) continue;
    for (const signal of UP_SIGNALS[resource]) {
      if (Number.isFinite(metrics[signal]) && metrics[signal] >= limits.down[signal]) return true;
    }
  }
  return false;
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
export function peakThresholds(resource: DownResource, resources: Resources | undefined, plan: Plan, policy: AutoscalePolicy, limits: AutoscaleLimits = autoscaleLimits(policy)): Partial<Record<SignalName, number>> | undefined {
  const from = effectiveResources(resources, plan)[resource];
  const to = stepDown(resource, from, policy);
  if (!(to < from)) return undefined;
  const up = limits.up;
  if (resource === 'cpu') return { cpuPercent: round2((up.cpuPercent * to) / from) };
  return { queueWaitP95Seconds: up.queueWaitP95Seconds, executionsPerMinute: up.executionsPerMinute };
}

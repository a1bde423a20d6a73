// One collection pass: every tenant's usage read through the edges, a few
// tenants at a time, each bounded by its own deadline. A tenant that does not
// answer in time is cut off (its signal aborted) and reported; it never holds
// up the others. The samples feed `recordTenantUsage` as they are; with marks
// given, the queue waits new since the last pass feed `recordQueueWaits`.
import { mapLimit } from '../../kernel/concurrency/map-limit.js';
import type { QueueWaitObservation } from '../../controller/metrics/record-queue-waits.js';
import type { TenantUsageSample } from '../../controller/metrics/record.js';
import { tenantResourceUsage, type ContainerUsage } from './docker-stats.js';
import { billingPeriodAt, type BillingPeriod } from '../../kernel/billing/billing-period.js';
import { summarizeExecutions, type ExecutionActivity } from './executions.js';
import { storageBytesOf, type StorageReading } from './storage.js';
import { newQueueWaits, readFromFor, seriesKey, type WaitMark } from './queue-wait-marks.js';
import { TelemetryError, type TelemetryIssue, type TelemetrySources, type TelemetryTarget } from './types.js';

export interface CollectOptions {
  /** Deadline for one tenant, all its reads together (default 10 s). */
  timeoutMs?: number;
  /** Tenants read at once (default 4). */
  concurrency?: number;
  /** Window of executions per minute and queue wait (default 5 min). */
  windowMs?: number;
  /** The pass's instant (default: the clock at the start of the pass). */
  now?: Date;
  /**
   * The queue-wait histogram's high-water marks by series key (seriesKey);
   * when given, the result carries each measured series' new waits and mark.
   */
  queueWaitMarks?: ReadonlyMap<string, WaitMark>;
  /** Rows started less than this before `now` are left to the next pass (default 10 s). */
  settleMs?: number;
  /** How far back a pass reads to reach a mark left by failed passes (default 1 h). */
  maxReadBackMs?: number;
}

/** One series' pass for the histogram: the new waits and the mark to keep. */
export interface QueueWaitPass extends QueueWaitObservation {
  key: string;
  mark: WaitMark;
}

interface WaitTracking {
  previous: WaitMark | undefined;
  settleMs: number;
  maxReadBackMs: number;
}

export interface CollectResult {
  /** Tenants with at least one figure, in input order. */
  samples: TenantUsageSample[];
  errors: TelemetryIssue[];
  /** Wall time each tenant took, ms (at most about timeoutMs). */
  elapsedMs: Record<string, number>;
  /** With `queueWaitMarks`: one entry per series whose executions were read, in input order. */
  queueWaits: QueueWaitPass[];
}

type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };

function positive(name: string, value: number, integer = false): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`collectTenantMetrics: ${name} must be a positive ${integer ? 'integer' : 'number'} (got ${value})`);
  }
  return value;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `read` against the shared deadline; a read that throws synchronously counts as failed. */
function guard<T>(read: () => Promise<T>, deadline: Promise<void>): Promise<Outcome<T>> {
  const attempt = Promise.resolve()
    .then(read)
    .then((value): Outcome<T> => ({ kind: 'ok', value }), (error: unknown): Outcome<T> => ({ kind: 'failed', error }));
  return Promise.race([attempt, deadline.then((): Outcome<T> => ({ kind: 'timeout' }))]);
}

interface TenantResult {
  sample?: TenantUsageSample;
  errors: TelemetryIssue[];
  queueWait?: QueueWaitPass;
}

async function collectOne(target: TelemetryTarget, sources: TelemetrySources, windowMs: number, now: Date, timeoutMs: number, waits: WaitTracking | undefined): Promise<TenantResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new TelemetryError('telemetry.timeout', `tenant ${target.tenant}: no answer within ${timeoutMs} ms`));
      resolve();
    }, timeoutMs);
  });
  const windowStart = new Date(now.getTime() - windowMs);
  const readFrom = waits ? readFromFor(windowStart, waits.previous, now, waits.maxReadBackMs) : windowStart;
  const period = billingPeriodAt(now, target.subscriptionPeriod);
  const query = { now, windowStart, periodStart: period.start, ...(readFrom < windowStart ? { startedSince: readFrom } : {}) };
  const { containerUsage, executions, storage } = sources;
  try {
    const [docker, runs, stored] = await Promise.all([
      target.mode === 'dedicated' && containerUsage ? guard(() => containerUsage(target.tenant, controller.signal), deadline) : undefined,
      executions ? guard(() => executions(target, query, controller.signal), deadline) : undefined,
      storage ? guard(() => storage(target, controller.signal), deadline) : undefined,
    ]);
    const result = assemble(target, docker, runs, stored, { now, windowStart }, timeoutMs, period);
    if (!waits || runs?.kind !== 'ok') return result;
    const pass = newQueueWaits(runs.value.rows, waits.previous, { cutoff: new Date(now.getTime() - waits.settleMs), readFrom });
    return { ...result, queueWait: { tenant: target.tenant, mode: target.mode, plan: target.plan, key: seriesKey(target), ...pass } };
  } finally {
    clearTimeout(timer);
    // Whatever is still in flight after the deadline or a sibling's failure is cancelled.
    if (!controller.signal.aborted) controller.abort(new Error(`tenant ${target.tenant}: collection finished`));
  }
}

function assemble(
  target: TelemetryTarget,
  docker: Outcome<ContainerUsage[]> | undefined,
  runs: Outcome<ExecutionActivity> | undefined,
  stored: Outcome<StorageReading> | undefined,
  window: { now: Date; windowStart: Date },
  timeoutMs: number,
  period: BillingPeriod,
): { sample?: TenantUsageSample; errors: TelemetryIssue[] } {
  const { tenant } = target;
  const errors: TelemetryIssue[] = [];
  const sample: TenantUsageSample = { tenant, mode: target.mode, plan: target.plan };
  let measured = false;
  if (docker?.kind === 'ok') {
    Object.assign(sample, tenantResourceUsage(docker.value));
    measured = true;
  } else if (docker?.kind === 'timeout') {
    errors.push({ tenant, code: 'telemetry.timeout', message: `tenant ${tenant}: Docker stats did not answer within ${timeoutMs} ms` });
  } else if (docker?.kind === 'failed') {
    errors.push({ tenant, code: 'telemetry.docker-failed', message: `tenant ${tenant}: Docker stats failed: ${message(docker.error)}` });
  }
  if (runs?.kind === 'ok') {
    Object.assign(sample, summarizeExecutions(runs.value, window));
    sample.billingPeriod = { start: period.start, source: period.source };
    measured = true;
    if (runs.value.truncated) errors.push({ tenant, code: 'telemetry.rows-truncated', message: `tenant ${tenant}: too many executions in the window; per-minute and queue-wait figures undercount` });
  } else if (runs?.kind === 'timeout') {
    errors.push({ tenant, code: 'telemetry.timeout', message: `tenant ${tenant}: executions did not answer within ${timeoutMs} ms` });
  } else if (runs?.kind === 'failed') {
    const code = runs.error instanceof TelemetryError ? runs.error.code : 'telemetry.executions-failed';
    errors.push({ tenant, code, message: code === 'telemetry.executions-failed' ? `tenant ${tenant}: reading executions failed: ${message(runs.error)}` : message(runs.error) });
  }
  if (stored?.kind === 'ok') {
    sample.storageBytes = storageBytesOf(stored.value);
    measured = true;
  } else if (stored?.kind === 'timeout') {
    errors.push({ tenant, code: 'telemetry.timeout', message: `tenant ${tenant}: storage did not answer within ${timeoutMs} ms` });
  } else if (stored?.kind === 'failed') {
    const code = stored.error instanceof TelemetryError ? stored.error.code : 'telemetry.storage-failed';
    // The executions read already said why a shared tenant has no project.
    const repeated = code === 'telemetry.no-project' && errors.some((e) => e.code === code);
    if (!repeated) errors.push({ tenant, code, message: code === 'telemetry.storage-failed' && !(stored.error instanceof TelemetryError) ? `tenant ${tenant}: reading storage failed: ${message(stored.error)}` : message(stored.error) });
  }
  return measured ? { sample, errors } : { errors };
}

/**
 * Reads every target's usage. Bounded: at most `concurrency` tenants at once,
 * each cut off after `timeoutMs`, so a pass takes at most about
 * ceil(targets / concurrency) × timeoutMs. Never throws for a tenant's failure.
 */
export async function collectTenantMetrics(targets: readonly TelemetryTarget[], sources: TelemetrySources, options: CollectOptions = {}): Promise<CollectResult> {
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 10_000);
  const concurrency = positive('concurrency', options.concurrency ?? 4, true);
  const windowMs = positive('windowMs', options.windowMs ?? 5 * 60_000);
  const now = options.now ?? new Date();
  const marks = options.queueWaitMarks;
  const settleMs = options.settleMs ?? 10_000;
  const maxReadBackMs = options.maxReadBackMs ?? 3_600_000;
  if (marks && !(settleMs >= 0 && settleMs < windowMs)) throw new RangeError(`collectTenantMetrics: settleMs must be >= 0 and shorter than the window (got ${settleMs})`);
  if (marks) positive('maxReadBackMs', maxReadBackMs);
  const elapsedMs: Record<string, number> = {};
  const results = await mapLimit(targets, concurrency, async (target) => {
    const started = performance.now();
    const waits = marks ? { previous: marks.get(seriesKey(target)), settleMs, maxReadBackMs } : undefined;
    const result = await collectOne(target, sources, windowMs, now, timeoutMs, waits);
    elapsedMs[target.tenant] = Math.round(performance.now() - started);
    return result;
  });
  return {
    samples: results.flatMap((r) => (r.sample ? [r.sample] : [])),
    errors: results.flatMap((r) => r.errors),
    elapsedMs,
    queueWaits: results.flatMap((r) => (r.queueWait ? [r.queueWait] : [])),
  };
}

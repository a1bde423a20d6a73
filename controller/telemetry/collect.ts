// One collection pass: every tenant's usage read through the edges, a few
// tenants at a time, each bounded by its own deadline. A tenant that does not
// answer in time is cut off (its signal aborted) and reported; it never holds
// up the others. The samples feed `recordTenantUsage` as they are.
import { mapLimit } from '../concurrency/map-limit.js';
import type { TenantUsageSample } from '../metrics/record.js';
import { tenantResourceUsage, type ContainerUsage } from './docker-stats.js';
import { monthStart, summarizeExecutions, type ExecutionActivity } from './executions.js';
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
}

export interface CollectResult {
  /** Tenants with at least one figure, in input order. */
  samples: TenantUsageSample[];
  errors: TelemetryIssue[];
  /** Wall time each tenant took, ms (at most about timeoutMs). */
  elapsedMs: Record<string, number>;
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

async function collectOne(target: TelemetryTarget, sources: TelemetrySources, windowMs: number, now: Date, timeoutMs: number): Promise<{ sample?: TenantUsageSample; errors: TelemetryIssue[] }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new TelemetryError('telemetry.timeout', `tenant ${target.tenant}: no answer within ${timeoutMs} ms`));
      resolve();
    }, timeoutMs);
  });
  const query = { now, windowStart: new Date(now.getTime() - windowMs), monthStart: monthStart(now) };
  const { containerUsage, executions } = sources;
  try {
    const [docker, runs] = await Promise.all([
      target.mode === 'dedicated' && containerUsage ? guard(() => containerUsage(target.tenant, controller.signal), deadline) : undefined,
      executions ? guard(() => executions(target, query, controller.signal), deadline) : undefined,
    ]);
    return assemble(target, docker, runs, { now, windowStart: query.windowStart }, timeoutMs);
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
  window: { now: Date; windowStart: Date },
  timeoutMs: number,
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
    measured = true;
    if (runs.value.truncated) errors.push({ tenant, code: 'telemetry.rows-truncated', message: `tenant ${tenant}: too many executions in the window; per-minute and queue-wait figures undercount` });
  } else if (runs?.kind === 'timeout') {
    errors.push({ tenant, code: 'telemetry.timeout', message: `tenant ${tenant}: executions did not answer within ${timeoutMs} ms` });
  } else if (runs?.kind === 'failed') {
    const code = runs.error instanceof TelemetryError ? runs.error.code : 'telemetry.executions-failed';
    errors.push({ tenant, code, message: code === 'telemetry.executions-failed' ? `tenant ${tenant}: reading executions failed: ${message(runs.error)}` : message(runs.error) });
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
  const elapsedMs: Record<string, number> = {};
  const results = await mapLimit(targets, concurrency, async (target) => {
    const started = performance.now();
    const result = await collectOne(target, sources, windowMs, now, timeoutMs);
    elapsedMs[target.tenant] = Math.round(performance.now() - started);
    return result;
  });
  return {
    samples: results.flatMap((r) => (r.sample ? [r.sample] : [])),
    errors: results.flatMap((r) => r.errors),
    elapsedMs,
  };
}

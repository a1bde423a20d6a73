// Pure PromQL for the per-tenant gauges the controller exports (names fixed in
// kernel/metrics/registry.ts), and the reading of a "low since" range.

export const TENANT_METRIC = {
  queueWaitP95Seconds: 'rp9_tenant_queue_wait_p95_seconds',
  cpuPercent: 'rp9_tenant_cpu_percent',
  memoryPercent: 'rp9_tenant_mem_percent',
  executionsPerMinute: 'rp9_tenant_executions_min',
  executionsMonth: 'rp9_tenant_executions_month',
  concurrentExecutions: 'rp9_tenant_concurrent_executions',
} as const;

export type TenantWindowField = keyof typeof TENANT_METRIC;

/** The collector's queue-wait histogram (rp9_tenant_queue_wait_seconds_bucket, _sum, _count). */
export const QUEUE_WAIT_HISTOGRAM = 'rp9_tenant_queue_wait_seconds';

/** Thresholds a tenant must stay strictly below to count as low (platform.yaml scaleDown keys). */
export interface LowThresholds {
  cpuPercent?: number;
  memoryPercent?: number;
  queueWaitP95Seconds?: number;
  executionsPerMinute?: number;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Checks a PromQL duration ('15m', '1h30m'); returns it. */
export function promDuration(window: string): string {
  if (!DURATION.test(window)) throw new RangeError(`window ${JSON.stringify(window)} is not a Prometheus duration like 15m or 1h30m`);
  return window;
}

/** A label value inside double quotes, escaped as PromQL string literals require. */
export function quoteLabelValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** `metric{a="x",b="y"}`; label names must be valid Prometheus names. */
export function selector(metric: string, labels: Record<string, string> = {}): string {
  const matchers = Object.keys(labels).sort().map((name) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new RangeError(`label name ${JSON.stringify(name)} is not a valid Prometheus label name`);
    return `${name}=${quoteLabelValue(labels[name] as string)}`;
  });
  return matchers.length > 0 ? `${metric}{${matchers.join(',')}}` : metric;
}

/**
 * Queue wait p95 per tenant over `range` (a PromQL range like `15m` or `300s`):
 * the histogram's p95 of the waits observed in the range
 * (histogram_quantile over the buckets' increase, summed across mode, plan and
 * instance); for a tenant with no observation in it (no histogram series, or
 * all increases 0, which histogram_quantile answers with NaN and `>= 0` drops),
 * the old figure: the worst collector gauge p95 in the range. The gauge is 0
 * when the collector saw no execution at all, so an idle tenant reads 0 as before.
 */
export function queueWaitP95Expr(range: string, labels: Record<string, string> = {}): string {
  const buckets = selector(`${QUEUE_WAIT_HISTOGRAM}_bucket`, labels);
  const gauge = selector(TENANT_METRIC.queueWaitP95Seconds, labels);
  return `((histogram_quantile(0.95, sum by (tenant, le) (increase(${buckets}[${range}]))) >= 0)`
    + ` or max by (tenant) (max_over_time(${gauge}[${range}])))`;
}

/**
 * One query per figure over `window`, each one series per tenant:
 * queue wait p95: see queueWaitP95Expr (histogram p95, else the gauge's max);
 * CPU, memory, executions/min: the mean (avg_over_time);
 * executions this month: the latest value (last_over_time);
 * concurrent executions: the peak (max_over_time).
 * `labels` narrows every selector (e.g. { environment: 'prod' }).
 */
export function tenantWindowQueries(window: string, labels: Record<string, string> = {}): Record<TenantWindowField, string> {
  const w = promDuration(window);
  const over = (fn: string, agg: string, field: TenantWindowField) => `${agg} by (tenant) (${fn}(${selector(TENANT_METRIC[field], labels)}[${w}]))`;
  return {
    queueWaitP95Seconds: queueWaitP95Expr(w, labels),
    cpuPercent: over('avg_over_time', 'avg', 'cpuPercent'),
    memoryPercent: over('avg_over_time', 'avg', 'memoryPercent'),
    executionsPerMinute: over('avg_over_time', 'avg', 'executionsPerMinute'),
    executionsMonth: over('last_over_time', 'max', 'executionsMonth'),
    concurrentExecutions: over('max_over_time', 'max', 'concurrentExecutions'),
  };
}

/**
 * 1 at each step where every given figure stayed below its threshold for the
 * whole step (its max over the step; for queue wait, the p95 over the step as
 * queueWaitP95Expr reads it), 0 where one did not, no point where one had no
 * data. Only the thresholds given are checked.
 */
export function lowQuery(tenant: string, thresholds: LowThresholds, stepSeconds: number, labels: Record<string, string> = {}): string {
  if (!(Number.isInteger(stepSeconds) && stepSeconds > 0)) throw new RangeError(`step must be a whole number of seconds > 0 (got ${stepSeconds})`);
  const fields = (Object.keys(thresholds) as (keyof LowThresholds)[]).filter((f) => thresholds[f] !== undefined).sort();
  if (fields.length === 0) throw new RangeError('lowQuery needs at least one threshold');
  return fields.map((field) => {
    const threshold = thresholds[field] as number;
    if (!Number.isFinite(threshold)) throw new RangeError(`threshold ${field} must be a finite number (got ${threshold})`);
    if (!(field in TENANT_METRIC)) throw new RangeError(`unknown threshold ${field}`);
    if (field === 'queueWaitP95Seconds') return `(${queueWaitP95Expr(`${stepSeconds}s`, { ...labels, tenant })} < bool ${threshold})`;
    return `(max by (tenant) (max_over_time(${selector(TENANT_METRIC[field], { ...labels, tenant })}[${stepSeconds}s])) < bool ${threshold})`;
  }).join(' * ');
}

export interface LowRun {
  /** Start of the trailing low run (the start of its first step); undefined when not low now. */
  since?: Date;
  /** end − since, 0 when not low now. */
  lowForSeconds: number;
  /** The run reaches back to the start of the queried range: low at least that long. */
  coversRange: boolean;
}

/**
 * Reads a `lowQuery` range (points ascending, Unix seconds): the trailing run
 * of 1s ending at `end`. A missing point (no data) or a gap ends the run, and
 * so does a last point older than one step: no data now is not "low".
 */
export function trailingLowRun(points: readonly { time: number; value: number }[], range: { start: Date; end: Date; stepSeconds: number }): LowRun {
  const step = range.stepSeconds;
  const slack = step / 2;
  const end = range.end.getTime() / 1000;
  const start = range.start.getTime() / 1000;
  const last = points.length - 1;
  const none: LowRun = { lowForSeconds: 0, coversRange: false };
  if (last < 0) return none;
  const newest = points[last]!;
  if (end - newest.time > step + slack || newest.value !== 1) return none;
  let first = last;
  while (first > 0) {
    const previous = points[first - 1]!;
    if (previous.value !== 1 || points[first]!.time - previous.time > step + slack) break;
    first -= 1;
  }
  const sinceSeconds = points[first]!.time - step;
  return {
    since: new Date(sinceSeconds * 1000),
    lowForSeconds: end - sinceSeconds,
    coversRange: first === 0 && points[0]!.time - start <= slack,
  };
}

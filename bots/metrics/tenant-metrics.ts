// Typed per-tenant reads for the bots: the figures of a window (what the
// autoscale bot compares with its scale-up thresholds) and how long a tenant
// has been below the scale-down thresholds (its stabilisation window).
import type { PrometheusClient } from './prometheus-client.js';
import { lowQuery, tenantWindowQueries, trailingLowRun, type LowRun, type LowThresholds, type TenantWindowField } from './tenant-queries.js';

/** A tenant's figures over the window; a field is undefined when its series had no samples in it. */
export type TenantWindowMetrics = Record<TenantWindowField, number | undefined>;

export interface SelectorOptions {
  /** Extra label matchers on every selector, e.g. { environment: 'prod' }. */
  labels?: Record<string, string>;
}

function emptyMetrics(): TenantWindowMetrics {
  return {
    queueWaitP95Seconds: undefined,
    cpuPercent: undefined,
    memoryPercent: undefined,
    executionsPerMinute: undefined,
    executionsMonth: undefined,
    concurrentExecutions: undefined,
  };
}

/**
 * Six instant queries at `now`, in parallel, merged by tenant. Any failing
 * query fails the whole read (a PrometheusError), so a bot never decides on
 * half a picture.
 */
export async function tenantWindowMetrics(client: PrometheusClient, window: string, now: Date, options: SelectorOptions = {}): Promise<Map<string, TenantWindowMetrics>> {
  const queries = tenantWindowQueries(window, options.labels);
  const fields = Object.keys(queries) as TenantWindowField[];
  const answers = await Promise.all(fields.map((field) => client.instantVector(queries[field], now)));
  const byTenant = new Map<string, TenantWindowMetrics>();
  fields.forEach((field, i) => {
    for (const sample of answers[i] ?? []) {
      const tenant = sample.labels.tenant;
      if (!tenant || Number.isNaN(sample.value)) continue;
      const entry = byTenant.get(tenant) ?? emptyMetrics();
      entry[field] = sample.value;
      byTenant.set(tenant, entry);
    }
  });
  return new Map([...byTenant.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export interface LowSinceOptions extends SelectorOptions {
  now: Date;
  /** How far back to look, e.g. the stabilisation window plus one step. */
  lookbackSeconds: number;
  /** Coarse step, e.g. 300 (5 min); each step counts as low only if low throughout. */
  stepSeconds: number;
}

/**
 * How long `tenant` has been strictly below every given threshold, read with
 * one query_range over [now − lookback, now]. `coversRange` true means at
 * least `lookbackSeconds`.
 */
export async function lowSince(client: PrometheusClient, tenant: string, thresholds: LowThresholds, options: LowSinceOptions): Promise<LowRun> {
  const query = lowQuery(tenant, thresholds, options.stepSeconds, options.labels);
  const range = { start: new Date(options.now.getTime() - options.lookbackSeconds * 1000), end: options.now, stepSeconds: options.stepSeconds };
  const series = await client.rangeQuery(query, range);
  const mine = series.find((s) => s.labels.tenant === tenant);
  return trailingLowRun(mine?.points ?? [], range);
}

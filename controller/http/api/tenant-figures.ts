// GET /metrics/tenant/:id's figures, read with the autoscale bot's own
// window queries (bots/metrics/tenant-queries.ts) narrowed to one tenant,
// plus the memory gauge in bytes in the same form (mean over the window).
import type { PrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import { selector, tenantWindowQueries, promDuration } from '../../../bots/metrics/tenant-queries.js';

export const TENANT_MEM_BYTES = 'rp9_tenant_mem_bytes';

export interface TenantFigures {
  window: string;
  queue_wait_p95: number | null;
  cpu_percent: number | null;
  memory_bytes: number | null;
  memory_percent: number | null;
  executions_min: number | null;
}

/** The PromQL of each figure, one series (or none) for `tenant`. */
export function tenantFigureQueries(tenant: string, window: string): Record<Exclude<keyof TenantFigures, 'window'>, string> {
  const w = promDuration(window);
  const bots = tenantWindowQueries(w, { tenant });
  return {
    queue_wait_p95: bots.queueWaitP95Seconds,
    cpu_percent: bots.cpuPercent,
    memory_bytes: `avg by (tenant) (avg_over_time(${selector(TENANT_MEM_BYTES, { tenant })}[${w}]))`,
    memory_percent: bots.memoryPercent,
    executions_min: bots.executionsPerMinute,
  };
}

/** Reads every figure at `now`; a figure without samples in the window is null. Rejects (PrometheusError) on any failed query. */
export async function readTenantFigures(client: PrometheusClient, tenant: string, window: string, now: Date): Promise<TenantFigures> {
  const queries = tenantFigureQueries(tenant, window);
  const names = Object.keys(queries) as (keyof typeof queries)[];
  const answers = await Promise.all(names.map((name) => client.instantVector(queries[name], now)));
  const figures: TenantFigures = { window, queue_wait_p95: null, cpu_percent: null, memory_bytes: null, memory_percent: null, executions_min: null };
  names.forEach((name, i) => {
    const sample = answers[i]?.find((s) => s.labels.tenant === tenant && !Number.isNaN(s.value));
    if (sample) figures[name] = sample.value;
  });
  return figures;
}

// BotMetrics backed by Prometheus: the per-tenant gauges the controller
// exports, read through bots/metrics.
import type { PrometheusClient } from '../metrics/prometheus-client.js';
import { lowSince, tenantWindowMetrics, type SelectorOptions } from '../metrics/tenant-metrics.js';
import { selector } from '../metrics/tenant-queries.js';
import { tenantUsage } from '../metrics/usage-metrics.js';
import type { BotMetrics } from './types.js';

export const TENANT_READY_METRIC = 'rp9_tenant_ready';

export interface PrometheusMetricsOptions extends SelectorOptions {
  /** Step of the "low since" range query, seconds (default 300). */
  lowStepSeconds?: number;
}

export function createPrometheusMetrics(client: PrometheusClient, options: PrometheusMetricsOptions = {}): BotMetrics {
  const selectorOptions: SelectorOptions = options.labels ? { labels: options.labels } : {};
  const stepSeconds = options.lowStepSeconds ?? 300;
  return {
    window: (window, now) => tenantWindowMetrics(client, window, now, selectorOptions),
    async lowSince(tenant, thresholds, now, lookbackSeconds) {
      const run = await lowSince(client, tenant, thresholds, { ...selectorOptions, now, lookbackSeconds, stepSeconds });
      return run.since;
    },
    async ready(now) {
      const samples = await client.instantVector(`min by (tenant) (${selector(TENANT_READY_METRIC, options.labels)})`, now);
      const ready = new Map<string, boolean>();
      for (const sample of samples) if (sample.labels.tenant) ready.set(sample.labels.tenant, sample.value === 1);
      return ready;
    },
    usage: (now) => tenantUsage(client, now, options.labels),
  };
}

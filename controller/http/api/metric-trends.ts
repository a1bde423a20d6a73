// The edge of the promotion forecast: one range query per Trigger A figure
// over the period, one point per step (a day; an hour below two days), each
// point the step's figure as the bot reads it over its window — the peak of
// the queue wait p95 gauge and of concurrent executions, the mean of
// executions a minute — then a least-squares line per tenant and figure.
import type { PrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import { selector, TENANT_METRIC } from '../../../bots/metrics/tenant-queries.js';
import { periodMs, stepMs } from './growth.js';
import type { MetricTrends } from './promotion-forecast.js';
import { linearFit } from './trend.js';

const DAY_S = 86_400;

export function trendQueries(stepSeconds: number): Record<keyof MetricTrends, string> {
  const over = (fn: string, agg: string, metric: string) => `${agg} by (tenant) (${fn}(${selector(metric)}[${stepSeconds}s]))`;
  return {
    queueWaitP95Seconds: over('max_over_time', 'max', TENANT_METRIC.queueWaitP95Seconds),
    executionsPerMinute: over('avg_over_time', 'avg', TENANT_METRIC.executionsPerMinute),
    concurrentExecutions: over('max_over_time', 'max', TENANT_METRIC.concurrentExecutions),
  };
}

/** Per tenant, the line through each figure's points (x in days since the epoch); a figure with fewer than two points has none. */
export async function readMetricTrends(client: PrometheusClient, period: string, now: Date): Promise<Map<string, MetricTrends>> {
  const step = stepMs(period) / 1000;
  // The first point's window starts where the period does.
  const range = { start: new Date(now.getTime() - periodMs(period) + step * 1000), end: now, stepSeconds: step };
  const queries = trendQueries(step);
  const fields = Object.keys(queries) as (keyof MetricTrends)[];
  const answers = await Promise.all(fields.map((field) => client.rangeQuery(queries[field], range)));
  const trends = new Map<string, MetricTrends>();
  fields.forEach((field, i) => {
    for (const series of answers[i] ?? []) {
      const tenant = series.labels.tenant;
      if (!tenant) continue;
      const fit = linearFit(series.points.map((p) => ({ x: p.time / DAY_S, y: p.value })));
      if (fit) trends.set(tenant, { ...trends.get(tenant), [field]: fit });
    }
  });
  return trends;
}

import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { lowQuery, promDuration, QUEUE_WAIT_HISTOGRAM, queueWaitP95Expr, quoteLabelValue, selector, TENANT_METRIC, tenantWindowQueries, trailingLowRun } from './tenant-queries.js';

describe('metric names', () => {
  it('are the ones the controller registers', () => {
    const { registry } = createMetrics({ defaultMetrics: false });

    for (const name of Object.values(TENANT_METRIC)) expect(registry.getSingleMetric(name), name).toBeDefined();
  });

  it('include the queue-wait histogram, which is a histogram', async () => {
    const { registry } = createMetrics({ defaultMetrics: false });

    expect((await registry.getSingleMetric(QUEUE_WAIT_HISTOGRAM)?.get())?.type).toBe('histogram');
  });
});

describe('queueWaitP95Expr', () => {
  it.each([
    ['15m', {}, '((histogram_quantile(0.95, sum by (tenant, le) (increase(rp9_tenant_queue_wait_seconds_bucket[15m]))) >= 0)'
      + ' or max by (tenant) (max_over_time(rp9_tenant_queue_wait_p95_seconds[15m])))'],
    ['300s', { tenant: 'acme', environment: 'prod' }, '((histogram_quantile(0.95, sum by (tenant, le) (increase(rp9_tenant_queue_wait_seconds_bucket{environment="prod",tenant="acme"}[300s]))) >= 0)'
      + ' or max by (tenant) (max_over_time(rp9_tenant_queue_wait_p95_seconds{environment="prod",tenant="acme"}[300s])))'],
  ])('over %s with %j', (range, labels, expected) => {
    expect(queueWaitP95Expr(range, labels)).toBe(expected);
  });
});

describe('promDuration', () => {
  it.each(['15m', '1h30m', '6h', '90s', '500ms'])('accepts %s', (w) => {
    expect(promDuration(w)).toBe(w);
  });

  it.each(['', '15', '15 m', '1h]', 'm5'])('refuses %j', (w) => {
    expect(() => promDuration(w)).toThrow(/not a Prometheus duration/);
  });
});

describe('selector', () => {
  it.each([
    [{}, 'm'],
    [{ tenant: 'acme' }, 'm{tenant="acme"}'],
    [{ tenant: 'acme', environment: 'prod' }, 'm{environment="prod",tenant="acme"}'],
    [{ tenant: 'a"b\\c\nd' }, 'm{tenant="a\\"b\\\\c\\nd"}'],
  ])('%j', (labels, expected) => {
    expect(selector('m', labels)).toBe(expected);
  });

  it('refuses an invalid label name', () => {
    expect(() => selector('m', { 'bad-name': 'x' })).toThrow(/not a valid Prometheus label name/);
  });

  it('quotes a label value', () => {
    expect(quoteLabelValue('x"}) or vector(1) #')).toBe('"x\\"}) or vector(1) #"');
  });
});

describe('tenantWindowQueries', () => {
  it('builds one aggregation per figure over the window', () => {
    expect(tenantWindowQueries('15m', { environment: 'prod' })).toEqual({
      queueWaitP95Seconds: '((histogram_quantile(0.95, sum by (tenant, le) (increase(rp9_tenant_queue_wait_seconds_bucket{environment="prod"}[15m]))) >= 0)'
        + ' or max by (tenant) (max_over_time(rp9_tenant_queue_wait_p95_seconds{environment="prod"}[15m])))',
      cpuPercent: 'avg by (tenant) (avg_over_time(rp9_tenant_cpu_percent{environment="prod"}[15m]))',
      memoryPercent: 'avg by (tenant) (avg_over_time(rp9_tenant_mem_percent{environment="prod"}[15m]))',
      executionsPerMinute: 'avg by (tenant) (avg_over_time(rp9_tenant_executions_min{environment="prod"}[15m]))',
      executionsMonth: 'max by (tenant) (last_over_time(rp9_tenant_executions_month{environment="prod"}[15m]))',
      concurrentExecutions: 'max by (tenant) (max_over_time(rp9_tenant_concurrent_executions{environment="prod"}[15m]))',
    });
  });
});

describe('lowQuery', () => {
  it('multiplies one "stayed below" test per threshold given', () => {
    expect(lowQuery('acme', { queueWaitP95Seconds: 1, cpuPercent: 20 }, 300)).toBe(
      '(max by (tenant) (max_over_time(rp9_tenant_cpu_percent{tenant="acme"}[300s])) < bool 20)'
      + ' * (((histogram_quantile(0.95, sum by (tenant, le) (increase(rp9_tenant_queue_wait_seconds_bucket{tenant="acme"}[300s]))) >= 0)'
      + ' or max by (tenant) (max_over_time(rp9_tenant_queue_wait_p95_seconds{tenant="acme"}[300s]))) < bool 1)',
    );
  });

  it.each([
    [{}, 300, /at least one threshold/],
    [{ cpuPercent: Number.NaN }, 300, /finite number/],
    [{ cpuPercent: 20 }, 0, /whole number of seconds/],
    [{ cpuPercent: 20 }, 1.5, /whole number of seconds/],
    [{ diskPercent: 20 } as never, 300, /unknown threshold diskPercent/],
  ])('refuses %j at step %d', (thresholds, step, error) => {
    expect(() => lowQuery('acme', thresholds, step)).toThrow(error);
  });
});

describe('trailingLowRun', () => {
  const t0 = 1_700_000_000;
  const range = { start: new Date(t0 * 1000), end: new Date((t0 + 3000) * 1000), stepSeconds: 300 };
  const at = (...values: (number | null)[]) => values.flatMap((value, i) => (value === null ? [] : [{ time: t0 + i * 300, value }]));

  it.each([
    ['no data', [], { lowForSeconds: 0, coversRange: false }],
    ['low over the whole range', at(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), { since: t0 - 300, lowForSeconds: 3300, coversRange: true }],
    ['low for the last three steps', at(1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1), { since: t0 + 2100, lowForSeconds: 900, coversRange: false }],
    ['high now', at(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0), { lowForSeconds: 0, coversRange: false }],
    ['a gap (no data) ends the run', at(1, 1, 1, 1, 1, null, 1, 1, 1, 1, 1), { since: t0 + 1500, lowForSeconds: 1500, coversRange: false }],
    ['no data now', at(1, 1, 1, 1, 1, 1, 1, 1, 1, null, null), { lowForSeconds: 0, coversRange: false }],
    ['data starting mid-range', at(null, null, null, 1, 1, 1, 1, 1, 1, 1, 1), { since: t0 + 600, lowForSeconds: 2400, coversRange: false }],
  ] as [string, { time: number; value: number }[], { since?: number; lowForSeconds: number; coversRange: boolean }][])('%s', (_name, points, expected) => {
    const run = trailingLowRun(points, range);

    expect({ ...run, since: run.since ? run.since.getTime() / 1000 : undefined }).toEqual({ since: undefined, ...expected });
  });
});

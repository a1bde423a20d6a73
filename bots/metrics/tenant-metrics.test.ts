import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordQueueWaits } from '../../controller/metrics/record-queue-waits.js';
import { recordTenantUsage, type TenantUsageSample } from '../../controller/metrics/record.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { startExporter, type Exporter } from '../../test/harness/exporter.js';
import { startPrometheus, type PrometheusServer } from '../../test/harness/prometheus.js';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client.js';
import { lowSince, tenantWindowMetrics, type TenantWindowMetrics } from './tenant-metrics.js';

// The controller's own registry, filled by recordTenantUsage at each scrape,
// scraped every second by a real Prometheus; the bots' reads must give back
// exactly what the samples Prometheus stored say.
const ACME: TenantUsageSample = {
  tenant: 'acme', mode: 'dedicated', plan: 'pro',
  cpuPercent: 91, memBytes: 1_500_000_000, memPercent: 40, executionsPerMinute: 12, executionsMonth: 5000, concurrentExecutions: 3, queueWaitP95Seconds: 2.5,
};
const INITECH: TenantUsageSample = { tenant: 'initech', mode: 'shared', plan: 'starter', executionsPerMinute: 0.5, executionsMonth: 10, concurrentExecutions: 0, queueWaitP95Seconds: 0.2 };

/** globex changes at every scrape. */
function globex(scrape: number): TenantUsageSample {
  return {
    tenant: 'globex', mode: 'dedicated', plan: 'enterprise',
    cpuPercent: 10 * scrape, memPercent: 50 + (scrape % 3), executionsPerMinute: scrape / 2, executionsMonth: 100 + scrape,
    concurrentExecutions: scrape % 4, queueWaitP95Seconds: (scrape * 7) % 5,
  };
}

/**
 * stark's executions, as the telemetry loop records them: its histogram series
 * at 0 on the first pass (baseline), 20 waits observed once at the third:
 * 10 × 0.3 s, 8 × 0.8 s, 2 × 3 s. Its gauge says 7.
 */
const STARK = { tenant: 'stark', mode: 'dedicated', plan: 'pro' };
const STARK_WAITS = [...Array(10).fill(0.3), ...Array(8).fill(0.8), 3, 3] as number[];
async function stark(metrics: ReturnType<typeof createMetrics>, scrape: number): Promise<void> {
  if (scrape === 1) await recordQueueWaits(metrics, [{ ...STARK, waitsSeconds: [], baseline: true }], [STARK]);
  if (scrape === 3) await recordQueueWaits(metrics, [{ ...STARK, waitsSeconds: STARK_WAITS, baseline: false }], [STARK]);
}

describe('tenantWindowMetrics and lowSince against a real Prometheus', () => {
  const metrics = createMetrics({ defaultMetrics: false });
  let exporter: Exporter;
  let prometheus: PrometheusServer;
  let client: PrometheusClient;

  beforeAll(async () => {
    exporter = await startExporter({
      source: metrics.registry,
      beforeScrape: async (n) => {
        recordTenantUsage(metrics, [ACME, globex(n), INITECH, { ...STARK, queueWaitP95Seconds: 7 }]);
        await stark(metrics, n);
      },
    });
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });
    // First scrape ~5–7 s after start; then four at 1 s.
    await prometheus.waitForSeries('count_over_time(rp9_tenant_cpu_percent{tenant="globex"}[1m]) >= 4', { attempts: 100, delayMs: 200 });
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  /** The raw samples Prometheus holds for one tenant's gauge over the last minute at `at`. */
  async function samples(metric: string, tenant: string, at: Date): Promise<number[]> {
    const data = await client.query(`${metric}{tenant="${tenant}"}[1m]`, at);
    if (data.resultType !== 'matrix' || data.result.length !== 1) throw new Error(`expected one series of ${metric} for ${tenant}`);
    return data.result[0]!.points.map((p) => p.value);
  }

  it('gives back constant values as they were exported', async () => {
    const byTenant = await tenantWindowMetrics(client, '1m', new Date());

    expect([...byTenant.keys()]).toEqual(['acme', 'globex', 'initech', 'stark']);
    expect(byTenant.get('acme')).toEqual<TenantWindowMetrics>({
      queueWaitP95Seconds: 2.5, cpuPercent: 91, memoryPercent: 40, executionsPerMinute: 12, executionsMonth: 5000, concurrentExecutions: 3,
    });
  });

  it('leaves figures a tenant does not export undefined (no CPU or memory for a shared tenant)', async () => {
    const initech = (await tenantWindowMetrics(client, '1m', new Date())).get('initech');

    expect(initech).toEqual<TenantWindowMetrics>({
      queueWaitP95Seconds: 0.2, cpuPercent: undefined, memoryPercent: undefined, executionsPerMinute: 0.5, executionsMonth: 10, concurrentExecutions: 0,
    });
  });

  it('averages, maxes and takes the last of changing values exactly as the stored samples say', async () => {
    const at = new Date();

    const figures = (await tenantWindowMetrics(client, '1m', at)).get('globex')!;
    const cpu = await samples('rp9_tenant_cpu_percent', 'globex', at);
    const mem = await samples('rp9_tenant_mem_percent', 'globex', at);
    const perMinute = await samples('rp9_tenant_executions_min', 'globex', at);
    const wait = await samples('rp9_tenant_queue_wait_p95_seconds', 'globex', at);
    const month = await samples('rp9_tenant_executions_month', 'globex', at);
    const concurrent = await samples('rp9_tenant_concurrent_executions', 'globex', at);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    expect(cpu.length).toBeGreaterThanOrEqual(4);
    expect(new Set(cpu).size).toBe(cpu.length); // it did change at every scrape
    expect(figures.cpuPercent).toBeCloseTo(mean(cpu), 9);
    expect(figures.memoryPercent).toBeCloseTo(mean(mem), 9);
    expect(figures.executionsPerMinute).toBeCloseTo(mean(perMinute), 9);
    expect(figures.queueWaitP95Seconds).toBe(Math.max(...wait));
    expect(figures.executionsMonth).toBe(month.at(-1));
    expect(figures.concurrentExecutions).toBe(Math.max(...concurrent));
  });

  it("reads the p95 of the controller's histogram over the window, not its gauge", async () => {
    const figures = (await tenantWindowMetrics(client, '5m', new Date())).get('stark');

    // Rank 0.95 × 20 = 19 lies in (2, 5], which holds 20 − 18 = 2 waits: 2 + 3 × (19 − 18) / 2 = 3.5.
    expect(figures?.queueWaitP95Seconds).toBeCloseTo(2 + 3 * (19 - 18) / 2, 9);
  });

  it('tells how long a tenant has been below the scale-down thresholds', async () => {
    const now = new Date();
    const first = (await client.query('rp9_tenant_queue_wait_p95_seconds{tenant="initech"}[1m]', now));
    const firstSample = first.resultType === 'matrix' ? first.result[0]!.points[0]!.time : Number.NaN;
    const thresholds = { executionsPerMinute: 2, queueWaitP95Seconds: 1 };

    const initech = await lowSince(client, 'initech', thresholds, { now, lookbackSeconds: 60, stepSeconds: 2 });
    const acme = await lowSince(client, 'acme', { cpuPercent: 20, ...thresholds }, { now, lookbackSeconds: 60, stepSeconds: 2 });
    const nobody = await lowSince(client, 'nobody', thresholds, { now, lookbackSeconds: 60, stepSeconds: 2 });

    // Low since its first sample (to within one step), which is younger than the lookback.
    expect(initech.since!.getTime() / 1000).toBeGreaterThanOrEqual(firstSample - 2);
    expect(initech.since!.getTime() / 1000).toBeLessThanOrEqual(firstSample);
    expect(initech.lowForSeconds).toBeCloseTo(now.getTime() / 1000 - initech.since!.getTime() / 1000, 6);
    expect(initech.coversRange).toBe(false);
    expect(acme).toEqual({ lowForSeconds: 0, coversRange: false });
    expect(nobody).toEqual({ lowForSeconds: 0, coversRange: false });
  });
});

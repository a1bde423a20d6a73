import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_WAIT_BUCKETS } from '../../kernel/metrics/registry.js';
import { startExporter, type Exporter } from '../../test/harness/exporter.js';
import { startPrometheus, type PrometheusServer } from '../../test/harness/prometheus.js';
import { createPrometheusMetrics } from '../sources/prometheus-metrics.js';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client.js';
import { lowSince } from './tenant-metrics.js';

// The bots' queue-wait p95 read from a real Prometheus scraping histogram
// buckets with known counts. Like the collector's, every series starts at 0
// (its baseline pass) and then jumps to its counts, so increase() over a window
// holding both scales all of a series' buckets by the same extrapolation
// factor, and histogram_quantile (which only uses the ratios) gives exactly
// the hand-computed value.
const LE = [...QUEUE_WAIT_BUCKETS.map(String), '+Inf'];
const JUMP_AT_SCRAPE = 4;

/** Cumulative counts per `le` of LE, after the jump. */
const COUNTS: Record<string, number[]> = {
  //          0.1 0.25 0.5  1   2   5  10   30   60  120 +Inf
  acme:      [0, 10, 20, 40, 60, 90, 96, 100, 100, 100, 100],
  globex:    [0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20],
  umbrella:  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10],
  initech:   [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
};
/** The collector's p95 gauge; hooli has no histogram at all. */
const GAUGE: Record<string, number> = { acme: 50, globex: 3, umbrella: 0, initech: 0.4, hooli: 3 };

function exposition(scrape: number): string {
  const lines = ['# TYPE rp9_tenant_queue_wait_seconds histogram'];
  for (const [tenant, counts] of Object.entries(COUNTS)) {
    const labels = `tenant="${tenant}",mode="dedicated",plan="pro"`;
    const at = (i: number) => (scrape >= JUMP_AT_SCRAPE ? counts[i]! : 0);
    LE.forEach((le, i) => lines.push(`rp9_tenant_queue_wait_seconds_bucket{${labels},le="${le}"} ${at(i)}`));
    lines.push(`rp9_tenant_queue_wait_seconds_count{${labels}} ${at(LE.length - 1)}`);
  }
  lines.push('# TYPE rp9_tenant_queue_wait_p95_seconds gauge');
  for (const [tenant, value] of Object.entries(GAUGE)) lines.push(`rp9_tenant_queue_wait_p95_seconds{tenant="${tenant}",mode="dedicated",plan="pro"} ${value}`);
  return `${lines.join('\n')}\n`;
}

describe('queue wait p95 over a window, from the histogram (real Prometheus)', () => {
  let scrape = 0;
  let exporter: Exporter;
  let prometheus: PrometheusServer;
  let client: PrometheusClient;

  beforeAll(async () => {
    exporter = await startExporter({ source: () => exposition(scrape), beforeScrape: (n) => { scrape = n; } });
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
    client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });
    // Zeros first (scrapes 1–3), then the counts: wait until the jump is stored.
    await prometheus.waitForSeries('rp9_tenant_queue_wait_seconds_bucket{tenant="acme",le="+Inf"} > 0', { attempts: 100, delayMs: 200 });
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('interpolates within the bucket holding the 95th observation, and falls back to the gauge without observations', async () => {
    const figures = await createPrometheusMetrics(client).window('5m', new Date());
    const p95 = (tenant: string) => figures.get(tenant)?.queueWaitP95Seconds;

    // acme, 100 waits: rank 0.95 × 100 = 95 lies in (5, 10], which holds 96 − 90 = 6 of them:
    // 5 + (10 − 5) × (95 − 90) / 6 = 9.1666… (its gauge, 50, is not used).
    expect(p95('acme')).toBeCloseTo(5 + 5 * (95 - 90) / 6, 9);
    // globex, 20 waits all in (0.1, 0.25]: rank 19 → 0.1 + 0.15 × 19 / 20 = 0.2425.
    expect(p95('globex')).toBeCloseTo(0.1 + 0.15 * 19 / 20, 9);
    // umbrella, every wait above 120 s: the highest finite bound.
    expect(p95('umbrella')).toBe(120);
    // initech has a histogram with no observation in the window (NaN): its gauge.
    expect(p95('initech')).toBe(0.4);
    // hooli has no histogram at all: its gauge.
    expect(p95('hooli')).toBe(3);
  });

  it('runs the scale-down range query with the same fallback', async () => {
    const now = new Date();
    const options = { now, lookbackSeconds: 30, stepSeconds: 2 };

    const initech = await lowSince(client, 'initech', { queueWaitP95Seconds: 1 }, options);
    const hooli = await lowSince(client, 'hooli', { queueWaitP95Seconds: 1 }, options);

    // initech: no observation in any step, gauge 0.4 < 1, low since its first sample; hooli: gauge 3.
    expect(initech.since).toBeInstanceOf(Date);
    expect(initech.lowForSeconds).toBeGreaterThan(0);
    expect(hooli).toEqual({ lowForSeconds: 0, coversRange: false });
  });
});

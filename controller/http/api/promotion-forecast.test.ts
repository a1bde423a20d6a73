// The forecast on the repo's own config (platform.yaml, tenants/): promotion
// thresholds queue wait p95 5 s, executions 0.5 × pro's 10,000 = 5,000 a
// month, concurrency 5; weights 40, 33, 27 (bots/promotion/score.ts).
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.js';
import { readConfigDir } from '../../../config/read-config-dir.js';
import type { Platform, Tenant } from '../../../config/types.js';
import { projectedMetrics, promotionForecast, type MetricTrends } from './promotion-forecast.js';
import type { LinearFit } from './trend.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NOW = new Date('2026-12-06T00:00:00Z');
const NOW_DAYS = NOW.getTime() / 86_400_000;
/** The line worth `today` now, growing by `perDay` (x in days since the epoch, as metric-trends.ts fits it). */
const line = (today: number, perDay: number): LinearFit => ({ slope: perDay, intercept: today - perDay * NOW_DAYS, points: 14 });

let platform: Platform;
let tenants: Tenant[];
beforeAll(async () => {
  const config = loadConfig(await readConfigDir(ROOT));
  platform = config.platform!;
  tenants = config.tenants.map((t) => t.tenant);
});

describe('projectedMetrics', () => {
  it.each([
    { name: 'each line at the day', trends: { queueWaitP95Seconds: line(1, 0.25), concurrentExecutions: line(2, 0.1) }, day: 20, expected: { queueWaitP95Seconds: 6, concurrentExecutions: 4 } },
    // 30 days of executions up to day 30: the mean rate of days 0–30 is the rate at day 15: 0.1 + 0.075 = 0.175 a minute × 43,200.
    { name: 'executions a month from the rate 15 days before', trends: { executionsPerMinute: line(0.1, 0.005) }, day: 30, expected: { executionsMonth: 7560 } },
    { name: 'never below 0', trends: { queueWaitP95Seconds: line(1, -0.5) }, day: 10, expected: { queueWaitP95Seconds: 0 } },
    { name: 'no line: NaN, which scores nothing', trends: {}, day: 10, expected: { queueWaitP95Seconds: Number.NaN, executionsMonth: Number.NaN, concurrentExecutions: Number.NaN } },
  ])('$name', ({ trends, day, expected }) => {
    const when = new Date(NOW.getTime() + day * 86_400_000);
    const metrics = projectedMetrics(trends as MetricTrends, when, '4h');
    for (const [key, value] of Object.entries(expected)) {
      const got = metrics[key as keyof typeof metrics] as number;
      if (Number.isNaN(value)) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(value as number, 9);
    }
  });
});

describe('promotionForecast', () => {
  it('lists each shared tenant from the first day the bot would propose it, scored at the horizon (figures by hand)', () => {
    const trends = new Map<string, MetricTrends>([
      // 1.1 s now, +0.25 s a day: over 5 s from day 16 (5.1 s: 40 × (0.5 + 0.5 × 0.1/5) = 20.4); day 30: 8.6 s, 40 × 0.86 = 34.4.
      ['hooli', { queueWaitP95Seconds: line(1.1, 0.25), concurrentExecutions: line(2, 0) }],
      // 0.1/min now, +0.005 a day: day 19 is 43,200 × 0.12 = 5,184 > 5,000 (33 × (0.5 + 0.5 × 184/5000) = 17.1); day 30: 7,560, 33 × 0.756 = 24.9.
      ['initech', { executionsPerMinute: line(0.1, 0.005) }],
      // Suspended (a shared tenant the bot leaves alone): never a candidate.
      ['vandelay', { queueWaitP95Seconds: line(20, 1) }],
      // Dedicated: not the promotion bot's.
      ['acme', { queueWaitP95Seconds: line(20, 1) }],
    ]);

    const forecast = promotionForecast(tenants, trends, platform, NOW, 30, '4h');

    expect(forecast.map((f) => [f.tenant, f.first_day, f.score_first, f.score, f.priority])).toEqual([
      // soylent: data residency (Trigger B) 40 from day 0, no metrics.
      ['soylent', 0, 40, 40, 'medium'],
      ['hooli', 16, 20, 34, 'low'],
      ['initech', 19, 17, 25, 'low'],
    ]);
    const hooli = forecast.find((f) => f.tenant === 'hooli');
    expect(hooli?.first_date).toBe('2026-12-22T00:00:00.000Z');
    expect(hooli?.projected.queue_wait_p95_seconds).toBeCloseTo(8.6, 9);
    expect(hooli?.projected.executions_month).toBeNull();
    expect(hooli?.trend).toEqual({ queue_wait_p95_seconds: 0.25, executions_min: null, concurrent_executions: 0 });
    expect(hooli?.reasons).toEqual(['High queue latency: 8.6 s p95']);
    expect(forecast.find((f) => f.tenant === 'initech')?.projected.executions_month).toBeCloseTo(7560, 6);
  });

  it('without trends only the compliance candidates', () => {
    expect(promotionForecast(tenants, new Map(), platform, NOW, 30, '4h').map((f) => f.tenant)).toEqual(['soylent']);
  });
});

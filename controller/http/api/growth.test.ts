import { describe, expect, it } from 'vitest';
import { commitsAt, growthPoint, growthRates, periodMs, sampleTimes, stepMs, type TenantFacts } from './growth.js';

const NOW = new Date('2026-12-06T00:00:00Z');
const day = (iso: string) => new Date(`${iso}Z`);

describe('periods and sample times', () => {
  it.each([
    { period: '12h', ms: 12 * 3_600_000, step: 3_600_000 },
    { period: '1d', ms: 86_400_000, step: 3_600_000 },
    { period: '2d', ms: 2 * 86_400_000, step: 86_400_000 },
    { period: '30d', ms: 30 * 86_400_000, step: 86_400_000 },
    { period: '2w', ms: 14 * 86_400_000, step: 86_400_000 },
  ])('$period is $ms ms, a point every $step ms', ({ period, ms, step }) => {
    expect([periodMs(period), stepMs(period)]).toEqual([ms, step]);
  });

  it('refuses what is not <n>h, <n>d or <n>w', () => {
    expect(() => periodMs('5m')).toThrow(RangeError);
  });

  it('samples from now − period every step, ending at now', () => {
    expect(sampleTimes(NOW, '3d').map((d) => d.toISOString())).toEqual(['2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z', '2026-12-05T00:00:00.000Z', '2026-12-06T00:00:00.000Z']);
    expect(sampleTimes(NOW, '3h')).toHaveLength(4);
  });
});

describe('commitsAt', () => {
  const commits = [
    { commit: 'c3', date: day('2026-12-05T12:00:00') },
    { commit: 'c2', date: day('2026-12-04T00:00:00') },
    { commit: 'c1', date: day('2026-12-02T00:00:00') },
  ];

  it.each([
    { at: '2026-12-01T23:59:59', expected: undefined },
    { at: '2026-12-02T00:00:00', expected: 'c1' },
    { at: '2026-12-03T00:00:00', expected: 'c1' },
    { at: '2026-12-04T00:00:00', expected: 'c2' },
    { at: '2026-12-05T11:59:59', expected: 'c2' },
    { at: '2026-12-06T00:00:00', expected: 'c3' },
  ])('at $at the commit in force is $expected', ({ at, expected }) => {
    expect(commitsAt(commits, [day(at)])).toEqual([expected]);
  });
});

describe('growthPoint', () => {
  const facts: TenantFacts[] = [
    { plan: 'pro', mode: 'dedicated', suspended: false, cores: 6, memoryMb: 6144 },
    { plan: 'pro', mode: 'shared', suspended: false, cores: 0, memoryMb: 0 },
    { plan: 'starter', mode: 'shared', suspended: true, cores: 0, memoryMb: 0 },
    { plan: 'enterprise', mode: 'dedicated', suspended: false, cores: 10, memoryMb: 20480 },
  ];

  it('counts tenants by mode and by plan and mode, the suspended ones and the allocation', () => {
    expect(growthPoint(NOW, 'c1', facts)).toEqual({
      at: NOW.toISOString(),
      commit: 'c1',
      tenants: 4,
      by_mode: { shared: 2, dedicated: 2 },
      by_plan: { enterprise: { shared: 0, dedicated: 1 }, pro: { shared: 1, dedicated: 1 }, starter: { shared: 1, dedicated: 0 } },
      suspended: 1,
      allocated: { cores: 16, memory_mb: 26624 },
    });
  });

  it('has no figures without a commit', () => {
    expect(growthPoint(NOW, undefined, undefined)).toMatchObject({ commit: null, tenants: null, by_mode: null, allocated: null });
  });
});

describe('growthRates', () => {
  const point = (iso: string, shared: number, dedicated: number, cores: number) => growthPoint(day(iso), 'c', [
    ...Array.from({ length: shared }, () => ({ plan: 'pro', mode: 'shared' as const, suspended: false, cores: 0, memoryMb: 0 })),
    ...Array.from({ length: dedicated }, (_, i) => ({ plan: 'pro', mode: 'dedicated' as const, suspended: false, cores: i === 0 ? cores : 0, memoryMb: i === 0 ? cores * 1024 : 0 })),
  ]);

  it('least-squares slopes per 30 days over the points with figures', () => {
    // Shared +1 a day, dedicated flat at 1, cores 2, 2, 4, 4 (slope 0.8 a day: sxy 4 / sxx 5 over days 0–3).
    const points = [growthPoint(day('2026-12-01T00:00:00'), undefined, undefined), point('2026-12-02T00:00:00', 1, 1, 2), point('2026-12-03T00:00:00', 2, 1, 2), point('2026-12-04T00:00:00', 3, 1, 4), point('2026-12-05T00:00:00', 4, 1, 4)];
    const rates = growthRates(points);

    expect(rates.tenants_per_30d).toBeCloseTo(30, 9);
    expect(rates.shared_per_30d).toBeCloseTo(30, 9);
    expect(rates.dedicated_per_30d).toBeCloseTo(0, 9);
    expect(rates.cores_per_30d).toBeCloseTo(24, 9);
    expect(rates.memory_mb_per_30d).toBeCloseTo(24 * 1024, 6);
  });

  it('null with fewer than two points with figures', () => {
    expect(growthRates([point('2026-12-02T00:00:00', 1, 0, 0)])).toEqual({ tenants_per_30d: null, shared_per_30d: null, dedicated_per_30d: null, cores_per_30d: null, memory_mb_per_30d: null });
  });
});

import { describe, expect, it } from 'vitest';
import { generateTraces, rateAt, type TenantProfile } from './generate.js';
import { emptyDemand, type DemandSource } from './trace.js';

const plans = [
  { name: 'starter', cpu: 1, memoryMb: 1024, workers: 1, concurrentExecutions: 2 },
  { name: 'pro', cpu: 2, memoryMb: 2048, workers: 2, concurrentExecutions: 10 },
  { name: 'enterprise', cpu: 4, memoryMb: 4096, workers: 4, concurrentExecutions: 50 },
];

function series(source: DemandSource, index: number, from: number, to: number): number[] {
  const demand = emptyDemand();
  const out: number[] = [];
  for (let m = from; m < to; m++) {
    source.demand(index, m, demand);
    out.push(demand.executionsPerMinute);
  }
  return out;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('generateTraces', () => {
  const source = generateTraces({ tenants: 1000, days: 30, seed: 7, plans });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateTraces({ tenants: 1000, days: 30, seed: 7, plans });
    const other = generateTraces({ tenants: 1000, days: 30, seed: 8, plans });
    expect(again.tenants).toEqual(source.tenants);
    expect(again.profiles).toEqual(source.profiles);
    for (const [index, minute] of [[0, 0], [17, 999], [999, 43_199]] as const) {
      expect(series(again, index, minute, minute + 1)).toEqual(series(source, index, minute, minute + 1));
    }
    expect(other.profiles.map((p) => p.base)).not.toEqual(source.profiles.map((p) => p.base));
  });

  it('covers 1,000 tenants × 30 days at one-minute resolution, across the plans', () => {
    expect(source.tenants).toHaveLength(1000);
    expect(source.minutes).toBe(30 * 1440);
    const byPlan = new Map<string, number>();
    for (const t of source.tenants) byPlan.set(t.plan, (byPlan.get(t.plan) ?? 0) + 1);
    expect([...byPlan.keys()].sort()).toEqual(['enterprise', 'pro', 'starter']);
    expect(source.tenants.filter((t) => t.plan === 'enterprise').every((t) => t.mode === 'dedicated')).toBe(true);
    expect(source.tenants.some((t) => t.mode === 'shared')).toBe(true);
  });

  it('has every shape, in roughly the shares of its table', () => {
    const count = (shape: TenantProfile['shape']) => source.profiles.filter((p) => p.shape === shape).length;
    expect(count('quiet')).toBeGreaterThan(100);
    expect(count('quiet')).toBeLessThan(200);
    expect(count('diurnal')).toBeGreaterThan(240);
    for (const shape of ['steady', 'bursty', 'growing', 'step'] as const) expect(count(shape)).toBeGreaterThan(50);
  });

  it('quiet tenants stay quiet', () => {
    const quiet = source.profiles.map((p, i) => ({ p, i })).filter(({ p }) => p.shape === 'quiet').slice(0, 20);
    for (const { i } of quiet) expect(Math.max(...series(source, i, 0, 1440 * 7))).toBeLessThan(0.5);
  });

  it('diurnal tenants peak at their peak hour and are lowest twelve hours later', () => {
    const diurnal = source.profiles.map((p, i) => ({ p, i })).filter(({ p }) => p.shape === 'diurnal' && p.dailyDepth > 0.5 && p.bursts.length === 0).slice(0, 10);
    expect(diurnal.length).toBeGreaterThan(3);
    for (const { p, i } of diurnal) {
      // Tuesday (day 1) has no weekend factor.
      const peak = mean(series(source, i, 1440 + p.peakHourUtc * 60 - 30, 1440 + p.peakHourUtc * 60 + 30));
      const trough = mean(series(source, i, 1440 + ((p.peakHourUtc + 12) % 24) * 60 - 30, 1440 + ((p.peakHourUtc + 12) % 24) * 60 + 30));
      expect(peak).toBeGreaterThan(trough * 2);
    }
  });

  it('weekends follow the weekend share (noise-free rate, 2026-11-02 is a Monday)', () => {
    const profile = source.profiles.find((p) => p.weekendShare < 0.5 && p.bursts.length === 0 && !p.step && p.growthPerDay === 0)!;
    const start = source.start.getTime();
    const monday = rateAt(profile, start, 12 * 60);
    const saturday = rateAt(profile, start, 5 * 1440 + 12 * 60);
    expect(saturday / monday).toBeCloseTo(profile.weekendShare, 9);
  });

  it('growing tenants grow, steps step, bursts burst', () => {
    const start = source.start.getTime();
    const growing = source.profiles.find((p) => p.shape === 'growing')!;
    // Same weekday and hour, 28 days apart.
    expect(rateAt(growing, start, 28 * 1440 + 600) / rateAt(growing, start, 600)).toBeCloseTo((1 + growing.growthPerDay) ** 28, 6);
    const step = source.profiles.find((p) => p.step)!;
    const flat = { ...step, step: undefined };
    expect(rateAt(step, start, step.step!.minute - 1) / rateAt(flat, start, step.step!.minute - 1)).toBe(1);
    expect(rateAt(step, start, step.step!.minute) / rateAt(flat, start, step.step!.minute)).toBeCloseTo(step.step!.factor, 9);
    const bursty = source.profiles.find((p) => p.shape === 'bursty' && p.bursts.length > 0)!;
    const burst = bursty.bursts[0]!;
    const inside = rateAt(bursty, start, burst.start);
    const without = { ...bursty, bursts: [] };
    expect(inside / rateAt(without, start, burst.start)).toBeCloseTo(Math.max(...bursty.bursts.filter((b) => b.start <= burst.start && burst.start < b.end).map((b) => b.factor)), 9);
  });
});

import { describe, expect, it } from 'vitest';
import { erlangC, lightLoadBelow, mixtureP95, queueMinute, waitP95 } from './queueing.js';

describe('erlangC (values computed by hand)', () => {
  it.each([
    // M/M/1: an arrival waits with probability ρ.
    { c: 1, a: 0.5, expected: 0.5 },
    { c: 1, a: 0.9, expected: 0.9 },
    // c = 2, a = 1: B = (1/2)/(1 + 1 + 1/2) = 0.2; C = 0.2 / (1 − 0.5·0.8) = 1/3.
    { c: 2, a: 1, expected: 1 / 3 },
    // c = 2, a = 1.5: B = 1.125/3.625; C = B / (1 − 0.75(1 − B)) = 9/14.
    { c: 2, a: 1.5, expected: 9 / 14 },
    // c = 3, a = 2: B = (8/6)/(1 + 2 + 2 + 8/6) = 4/19; C = (4/19)/(1 − (2/3)(15/19)) = 4/9.
    { c: 3, a: 2, expected: 4 / 9 },
    { c: 4, a: 0, expected: 0 },
    { c: 4, a: 4, expected: 1 },
    { c: 4, a: 9, expected: 1 },
  ])('C($c, $a) = $expected', ({ c, a, expected }) => {
    expect(erlangC(c, a)).toBeCloseTo(expected, 10);
  });

  it('the light-load bound is where C falls to 10⁻⁴', () => {
    for (const c of [1, 10, 20, 80]) expect(erlangC(c, lightLoadBelow(c))).toBeCloseTo(1e-4, 6);
  });
});

describe('waitP95', () => {
  it.each([
    // M/M/1, λ = 0.5/s, μ = 1/s: C = 0.5, P(W > t) = 0.5·e^(−0.5t) = 0.05 at t = ln(10)/0.5.
    { shape: { delay: 0, waitProbability: 0.5, rate: 0.5, weight: 30 }, expected: Math.log(10) / 0.5 },
    // At most 5 % wait: p95 is the delay alone.
    { shape: { delay: 0, waitProbability: 0.05, rate: 1, weight: 1 }, expected: 0 },
    { shape: { delay: 12, waitProbability: 0.01, rate: 1, weight: 1 }, expected: 12 },
    { shape: { delay: 12, waitProbability: 1, rate: 2, weight: 1 }, expected: 12 + Math.log(20) / 2 },
  ])('$shape → $expected s', ({ shape, expected }) => {
    expect(waitP95(shape)).toBeCloseTo(expected, 9);
  });
});

describe('queueMinute', () => {
  it('steady state is M/M/c: 2 servers of 60 s, 1 execution/min → a = 1, C = 1/3, rate = 2/60 − 1/60', () => {
    const minute = queueMinute({ executionsPerMinute: 1, servers: 2, serviceSeconds: 60, backlog: 0 });
    expect(minute.backlog).toBe(0);
    expect(minute.shape.waitProbability).toBeCloseTo(1 / 3, 10);
    expect(minute.shape.rate).toBeCloseTo(1 / 60, 12);
    // P(W > t) = (1/3)e^(−t/60) = 0.05 → t = 60·ln(20/3) ≈ 113.8 s.
    expect(waitP95(minute.shape)).toBeCloseTo(60 * Math.log(20 / 3), 6);
    expect(minute.busy).toBe(1);
  });

  it('overload piles up a backlog that every arrival waits behind', () => {
    // 1 server of 1 s (60/min) and 120/min: 60 left over; mean backlog 30 → 30 s, then M/M/1 at ρ 0.95.
    const minute = queueMinute({ executionsPerMinute: 120, servers: 1, serviceSeconds: 1, backlog: 0 });
    expect(minute.backlog).toBeCloseTo(60, 9);
    expect(minute.shape.delay).toBeCloseTo(30, 9);
    expect(waitP95(minute.shape)).toBeCloseTo(30 + Math.log(0.95 / 0.05) / 0.05, 6);
    // Demand falls to 30/min: the backlog drains at 30/min.
    const next = queueMinute({ executionsPerMinute: 30, servers: 1, serviceSeconds: 1, backlog: minute.backlog });
    expect(next.backlog).toBeCloseTo(30, 9);
    expect(next.shape.delay).toBeCloseTo(45, 9);
  });

  it('a restart serves nothing for the minute; the pile-up drains at the new capacity', () => {
    const minute = queueMinute({ executionsPerMinute: 60, servers: 0, serversAfter: 2, serviceSeconds: 1, backlog: 0 });
    expect(minute.backlog).toBe(60);
    expect(minute.shape.delay).toBe(30);
    expect(minute.busy).toBe(0);
  });

  it('no demand, no wait', () => {
    const minute = queueMinute({ executionsPerMinute: 0, servers: 10, serviceSeconds: 5, backlog: 0 });
    expect(waitP95(minute.shape)).toBe(0);
  });
});

describe('mixtureP95 (the p95 of a window of minutes)', () => {
  const busy = { delay: 10, waitProbability: 1, rate: 1, weight: 6 };
  const idle = { delay: 0, waitProbability: 0, rate: 1, weight: 94 };
  it.each([
    { name: 'one minute is that minute', shapes: [{ delay: 0, waitProbability: 0.5, rate: 0.5, weight: 30 }], expected: Math.log(10) / 0.5 },
    { name: 'the same minute twice', shapes: [busy, busy], expected: 10 + Math.log(20) },
    // 6 % of arrivals wait ≥ 10 s: P(W > t) = 0.06·e^(−(t−10)) = 0.05 → t = 10 + ln 1.2.
    { name: '6 % waited', shapes: [idle, busy], expected: 10 + Math.log(1.2) },
    // Exactly 5 % waited: the p95 is 0.
    { name: '5 % waited', shapes: [{ ...idle, weight: 95 }, { ...busy, weight: 5 }], expected: 0 },
    { name: 'minutes without arrivals do not count', shapes: [{ ...idle, weight: 0 }, busy], expected: 10 + Math.log(20) },
    { name: 'a window without arrivals reads 0', shapes: [{ ...busy, weight: 0 }], expected: 0 },
  ])('$name', ({ shapes, expected }) => {
    expect(mixtureP95(shapes)).toBeCloseTo(expected, 2);
  });
});

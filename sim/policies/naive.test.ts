import { describe, expect, it } from 'vitest';
import { naiveAutoscale, naivePromotes } from './naive.js';

const current = { cpu: 2, memoryMb: 2048, workers: 2 };
const ceiling = { cpu: 4, memoryMb: 4096, workers: 4 };
const calm = { queueWaitP95Seconds: 2, cpuPercent: 50, memoryPercent: 50, executionsPerMinute: 5 };

describe('naiveAutoscale (the spec rules, no band, no cooldown)', () => {
  it.each([
    { name: 'calm: nothing', figures: calm, expected: current },
    { name: 'p95 just over 5 s: +1 worker (no tolerance band)', figures: { ...calm, queueWaitP95Seconds: 5.01 }, expected: { ...current, workers: 3 } },
    { name: 'p95 exactly 5 s: nothing', figures: { ...calm, queueWaitP95Seconds: 5 }, expected: current },
    { name: 'p95 and executions both: +2 workers', figures: { ...calm, queueWaitP95Seconds: 9, executionsPerMinute: 11 }, expected: { ...current, workers: 4 } },
    { name: 'CPU over 80 %: +1 core', figures: { ...calm, cpuPercent: 81 }, expected: { ...current, cpu: 3 } },
    { name: 'memory over 85 %: +50 %', figures: { ...calm, memoryPercent: 86 }, expected: { ...current, memoryMb: 3072 } },
    { name: 'CPU < 20 and memory < 30: −1 core', figures: { ...calm, cpuPercent: 19, memoryPercent: 29 }, expected: { ...current, cpu: 1 } },
    { name: 'CPU low, memory not: nothing', figures: { ...calm, cpuPercent: 19, memoryPercent: 30 }, expected: current },
    { name: 'p95 < 1 and executions < 2: −1 worker', figures: { ...calm, queueWaitP95Seconds: 0.5, executionsPerMinute: 1 }, expected: { ...current, workers: 1 } },
    { name: 'everything low: −1 core and −1 worker at once, memory kept', figures: { queueWaitP95Seconds: 0, cpuPercent: 1, memoryPercent: 1, executionsPerMinute: 0 }, expected: { cpu: 1, memoryMb: 2048, workers: 1 } },
  ])('$name', ({ figures, expected }) => {
    expect(naiveAutoscale(current, ceiling, figures)).toEqual(expected);
  });

  it('never below 1 and never past the ceiling', () => {
    expect(naiveAutoscale({ cpu: 1, memoryMb: 1024, workers: 1 }, ceiling, { queueWaitP95Seconds: 0, cpuPercent: 0, memoryPercent: 0, executionsPerMinute: 0 })).toEqual({ cpu: 1, memoryMb: 1024, workers: 1 });
    expect(naiveAutoscale(ceiling, ceiling, { queueWaitP95Seconds: 60, cpuPercent: 100, memoryPercent: 100, executionsPerMinute: 100 })).toEqual(ceiling);
    expect(naiveAutoscale({ ...current, workers: 4 }, ceiling, { ...calm, queueWaitP95Seconds: 9, executionsPerMinute: 20 })).toEqual({ ...current, workers: 4 });
  });
});

describe('naivePromotes (Trigger A, any one signal)', () => {
  const quiet = { queueWaitP95Seconds: 1, executionsMonth: 100, concurrentExecutions: 1 };
  it.each([
    { name: 'quiet', figures: quiet, requiresDedicated: false, expected: false },
    { name: 'p95 over 5 s', figures: { ...quiet, queueWaitP95Seconds: 5.5 }, requiresDedicated: false, expected: true },
    { name: 'over 5,000 executions this month', figures: { ...quiet, executionsMonth: 5001 }, requiresDedicated: false, expected: true },
    { name: 'more than 5 at once', figures: { ...quiet, concurrentExecutions: 6 }, requiresDedicated: false, expected: true },
    { name: 'a plan that requires dedicated', figures: quiet, requiresDedicated: true, expected: true },
  ])('$name → $expected', ({ figures, requiresDedicated, expected }) => {
    expect(naivePromotes(figures, requiresDedicated)).toBe(expected);
  });
});

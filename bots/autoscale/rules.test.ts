import { describe, expect, it } from 'vitest';
import { examplePlatform } from '../core/fixtures.js';
import type { Resources } from '../../types/tenant.js';
import { keepsBeyondCeiling, peakThresholds, type TenantWindowMetrics } from './rules.js';

const platform = examplePlatform(new URL('../../', import.meta.url));
const policy = platform.spec.policies.autoscale;
const pro = platform.spec.plans.pro!;
// Below every scale-down limit (p95 0.9 s, executions 1.8/min, CPU 18 %, memory 27 %).
const quiet: TenantWindowMetrics = { queueWaitP95Seconds: 0.2, cpuPercent: 5, memoryPercent: 10, executionsPerMinute: 0.5 };
const AT_WORKER_CEILING: Resources = { workers: 4 };

describe('keepsBeyondCeiling', () => {
  it.each<[string, Resources | undefined, Partial<TenantWindowMetrics>, boolean]>([
    ['below every ceiling: nothing to keep, however hot', undefined, { queueWaitP95Seconds: 30, cpuPercent: 99 }, false],
    ['at the worker ceiling, queue quiet: closes', AT_WORKER_CEILING, {}, false],
    ['at the worker ceiling, p95 warm (2 s, between the limits): kept', AT_WORKER_CEILING, { queueWaitP95Seconds: 2 }, true],
    ['at the worker ceiling, p95 exactly at its scale-down limit 0.9 s: kept', AT_WORKER_CEILING, { queueWaitP95Seconds: 0.9 }, true],
    ['at the worker ceiling, executions 5/min: kept', AT_WORKER_CEILING, { executionsPerMinute: 5 }, true],
    ['at the worker ceiling, only CPU warm: closes (CPU does not scale workers)', AT_WORKER_CEILING, { cpuPercent: 60 }, false],
    ['at the cpu ceiling, CPU 40 %: kept', { cpu: 4 }, { cpuPercent: 40 }, true],
    ['at the cpu ceiling, CPU 17 %: closes', { cpu: 4 }, { cpuPercent: 17 }, false],
    ['at the memory ceiling, memory 50 %: kept', { memoryMb: 4096 }, { memoryPercent: 50 }, true],
    ['above the ceiling under an exception, queue warm: kept', { workers: 6, ceilingException: { reason: 'peak' } }, { executionsPerMinute: 5 }, true],
    ['at the worker ceiling without samples (NaN): closes', AT_WORKER_CEILING, { queueWaitP95Seconds: Number.NaN, executionsPerMinute: Number.NaN }, false],
  ])('%s', (_name, resources, metrics, expected) => {
    expect(keepsBeyondCeiling(resources, pro, { ...quiet, ...metrics }, policy)).toBe(expected);
  });
});

describe('peakThresholds', () => {
  it.each<[string, 'cpu' | 'workers', Resources | undefined, ReturnType<typeof peakThresholds>]>([
    ['cpu 2 → 1.5 (scaleDownCpuStep 0.5): CPU peaks under three quarters of 88 %', 'cpu', undefined, { cpuPercent: 66 }],
    ['cpu 4 → 3.5: under seven eighths of 88 %', 'cpu', { cpu: 4 }, { cpuPercent: 77 }],
    ['cpu 1.5 → 1: under two thirds of 88 %', 'cpu', { cpu: 1.5 }, { cpuPercent: 58.67 }],
    ['workers: executions/min and p95 under their scale-up limits', 'workers', { workers: 3 }, { queueWaitP95Seconds: 5.5, executionsPerMinute: 11 }],
    ['already at 1 core: no step, no thresholds', 'cpu', { cpu: 1 }, undefined],
    ['already at 1 worker: no step, no thresholds', 'workers', { workers: 1 }, undefined],
  ])('%s', (_name, resource, resources, expected) => {
    expect(peakThresholds(resource, resources, pro, policy)).toEqual(expected);
  });
});

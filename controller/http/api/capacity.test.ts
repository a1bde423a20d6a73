// Host capacity and over-allocation on the repo's own platform.yaml: autoscale
// scale-down at 20 % CPU and 30 % memory, scale-up at 80 % and 85 %, so the
// right size aims at 50 % and 57.5 %.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.js';
import { readConfigDir } from '../../../config/read-config-dir.js';
import type { Platform } from '../../../config/types.js';
import { capacityReport, daysToFull, overAllocated, rightSize, type DedicatedTenant } from './capacity.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NOW = new Date('2026-12-06T00:00:00Z');
let platform: Platform;
beforeAll(async () => {
  platform = loadConfig(await readConfigDir(ROOT)).platform!;
});

describe('daysToFull', () => {
  it.each([
    { headroom: 10, rate: 3, days: 100, date: '2027-03-16T00:00:00.000Z' },
    { headroom: 0, rate: 3, days: 0, date: NOW.toISOString() },
    { headroom: -4, rate: null, days: 0, date: NOW.toISOString() },
    { headroom: 10, rate: 0, days: null, date: null },
    { headroom: 10, rate: -1, days: null, date: null },
    { headroom: 10, rate: null, days: null, date: null },
  ])('headroom $headroom at $rate per 30 days: $days days', ({ headroom, rate, days, date }) => {
    expect(daysToFull(headroom, rate, NOW)).toEqual({ days, date });
  });
});

describe('rightSize', () => {
  it.each([
    { allocated: 2, p95: 10, target: 50, step: 0.5, expected: 0.5 },
    { allocated: 4, p95: 30, target: 50, step: 0.5, expected: 2.5 },
    { allocated: 2048, p95: 20, target: 57.5, step: 256, expected: 768 },
    { allocated: 1024, p95: 0, target: 57.5, step: 256, expected: 256 },
  ])('$p95 % of $allocated aimed at $target %: $expected', ({ allocated, p95, target, step, expected }) => {
    expect(rightSize(allocated, p95, target, step)).toBe(expected);
  });
});

describe('overAllocated', () => {
  const acme: DedicatedTenant = { name: 'acme', plan: 'pro', cpu: 2, memoryMb: 2048, containers: 3 };
  const below = { cpu: 20, memory: 30 };
  const target = { cpu: 50, memory: 57.5 };

  it.each([
    { name: 'both low', usage: { cpuP95: 10, memP95: 20 }, expected: { suggested: { cpu: 0.5, memory_mb: 768 }, reclaimable: { cores: 4.5, memory_mb: 3840 } } },
    { name: 'memory only', usage: { cpuP95: 25, memP95: 20 }, expected: { suggested: { cpu: 2, memory_mb: 768 }, reclaimable: { cores: 0, memory_mb: 3840 } } },
    { name: 'CPU only, memory unmeasured', usage: { cpuP95: 10 }, expected: { p95: { cpu_percent: 10, memory_percent: null }, suggested: { cpu: 0.5, memory_mb: 2048 } } },
    { name: 'busy', usage: { cpuP95: 60, memP95: 70 }, expected: undefined },
    { name: 'unmeasured', usage: undefined, expected: undefined },
  ])('$name', ({ usage, expected }) => {
    const found = overAllocated(acme, usage, below, target);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject(expected);
  });
});

describe('capacityReport', () => {
  it('capacity, allocation, days to full and the over-allocated tenants, by hand', () => {
    const tenants: DedicatedTenant[] = [
      { name: 'acme', plan: 'pro', cpu: 2, memoryMb: 2048, containers: 3 },
      { name: 'wayne', plan: 'pro', cpu: 3, memoryMb: 3072, containers: 4 },
    ];
    const report = capacityReport({
      hosts: [{ name: 'host-a', cpus: 24, memoryMb: 65536, source: 'docker-info' }],
      tenants,
      usage: new Map([['acme', { cpuP95: 10, memP95: 20 }], ['wayne', { cpuP95: 70, memP95: 70 }]]),
      growth: { cores_per_30d: 3, memory_mb_per_30d: 1024 },
      platform,
      now: NOW,
    });

    // Allocated: acme 2 × 3 = 6 cores, 6,144 MB; wayne 3 × 4 = 12, 12,288: 18 cores and 18,432 MB of 24 and 65,536.
    expect(report.allocated).toEqual({ cores: 18, memory_mb: 18432 });
    expect(report.headroom).toEqual({ cores: 6, memory_mb: 47104 });
    // 6 cores at 3 per 30 days: 60 days; 47,104 MB at 1,024 per 30 days: 1,380 days.
    expect(report.fills.cores).toEqual({ days: 60, date: '2027-02-04T00:00:00.000Z' });
    expect(report.fills.memory.days).toBeCloseTo(1380, 9);
    expect(report.thresholds).toEqual({ over_allocated_below: { cpu_percent: 20, memory_percent: 30 }, target: { cpu_percent: 50, memory_percent: 57.5 } });
    expect(report.over_allocated.map((o) => [o.tenant, o.suggested, o.reclaimable])).toEqual([['acme', { cpu: 0.5, memory_mb: 768 }, { cores: 4.5, memory_mb: 3840 }]]);
    expect(report.recommendations[0]).toBe('CPU: full in 60 days (2027-02-04) at +3 cores per 30 days');
    expect(report.recommendations[2]).toContain('acme: over-allocated');
  });
});

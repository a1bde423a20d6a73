import { describe, expect, it } from 'vitest';
import { nearestRank, utilizationByPlan, utilizationQueries } from './utilization.js';

describe('nearestRank', () => {
  it.each([
    { values: [], p: 95, expected: null },
    { values: [7], p: 95, expected: 7 },
    { values: [50, 50, 50, 95], p: 95, expected: 95 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], p: 95, expected: 19 },
    { values: [3, 1, 2], p: 50, expected: 2 },
  ])('p$p of $values is $expected', ({ values, p, expected }) => {
    expect(nearestRank(values, p)).toBe(expected);
  });
});

describe('utilizationByPlan', () => {
  const tenants = [
    { name: 'a', plan: 'pro', cpu: 2, memoryMb: 2048 },
    { name: 'b', plan: 'pro', cpu: 4, memoryMb: 4096 },
    { name: 'c', plan: 'starter', cpu: 1, memoryMb: 1024 },
    { name: 'd', plan: 'starter', cpu: 1, memoryMb: 1024 },
  ];

  it('means the tenants\' means and takes the p95 of their p95s; a tenant without samples counts in the allocation only', () => {
    const usage = new Map([
      ['a', { cpuAvg: 40, cpuP95: 90, memAvg: 30, memP95: 35 }],
      ['b', { cpuAvg: 60, cpuP95: 70, memAvg: 50, memP95: 55 }],
      ['c', { cpuAvg: 10, cpuP95: 20 }],
    ]);

    expect(utilizationByPlan(tenants, usage)).toEqual([
      { plan: 'pro', tenants: 2, measured: 2, allocated: { cpu: 6, memoryMb: 6144 }, cpu_percent: { avg: 50, p95: 90 }, memory_percent: { avg: 40, p95: 55 } },
      { plan: 'starter', tenants: 2, measured: 1, allocated: { cpu: 2, memoryMb: 2048 }, cpu_percent: { avg: 10, p95: 20 }, memory_percent: { avg: null, p95: null } },
    ]);
  });

  it('reads the allocation-relative gauges over the period', () => {
    expect(utilizationQueries('7d')).toEqual({
      cpuAvg: 'avg by (tenant) (avg_over_time(rp9_tenant_cpu_percent[7d]))',
      cpuP95: 'max by (tenant) (quantile_over_time(0.95, rp9_tenant_cpu_percent[7d]))',
      memAvg: 'avg by (tenant) (avg_over_time(rp9_tenant_mem_percent[7d]))',
      memP95: 'max by (tenant) (quantile_over_time(0.95, rp9_tenant_mem_percent[7d]))',
    });
  });
});

// Monthly costs from a price table, checked against figures worked out by hand
// (hoursPerMonth 730; pro has 2 cores, 2048 MB, 2 workers, 20 GB).
import { describe, expect, it } from 'vitest';
import { examplePlatform, loadedTenant } from '../../compile/fixtures.js';
import { costReport, tenantCost, type Prices } from './costs.js';

const platform = examplePlatform();
const PRICES: Prices = { currency: 'EUR', hoursPerMonth: 730, plans: { pro: 4 }, coreHour: 0.01, memoryGbHour: 0.005, storageGbMonth: 0.1, sharedSeatMonthly: 2 };
const FREE: Prices = { currency: 'USD', hoursPerMonth: 730, plans: {}, coreHour: 0, memoryGbHour: 0, storageGbMonth: 0, sharedSeatMonthly: 0 };

describe('tenantCost', () => {
  it.each([
    { name: 'shared starter: one seat', spec: { mode: 'shared', plan: 'starter' }, cores: 0, memory_gb: 0, storage_gb: 0, monthly: { plan: 0, cores: 0, memory: 0, storage: 0, seat: 2, total: 2 } },
    { name: 'shared pro: the plan and one seat', spec: { mode: 'shared', plan: 'pro' }, cores: 0, memory_gb: 0, storage_gb: 0, monthly: { plan: 4, cores: 0, memory: 0, storage: 0, seat: 2, total: 6 } },
    // main + 2 workers: 6 cores × 0.01 × 730 = 43.8; 6 GB × 0.005 × 730 = 21.9; 20 GB × 0.1 = 2; plan 4.
    { name: 'dedicated pro on the plan\'s resources', spec: { mode: 'dedicated', plan: 'pro' }, cores: 6, memory_gb: 6, storage_gb: 20, monthly: { plan: 4, cores: 43.8, memory: 21.9, storage: 2, seat: 0, total: 71.7 } },
    { name: 'dedicated pro suspended: the volume and the plan only', spec: { mode: 'dedicated', plan: 'pro', suspended: true }, cores: 0, memory_gb: 0, storage_gb: 20, monthly: { plan: 4, cores: 0, memory: 0, storage: 2, seat: 0, total: 6 } },
    // main + 1 worker: 3 cores → 21.9; 3 GB → 10.95; 30 GB → 3; enterprise has no plan price.
    { name: 'dedicated enterprise with its own resources', spec: { mode: 'dedicated', plan: 'enterprise', resources: { cpu: 1.5, memoryMb: 1536, workers: 1, storageGb: 30 } }, cores: 3, memory_gb: 3, storage_gb: 30, monthly: { plan: 0, cores: 21.9, memory: 10.95, storage: 3, seat: 0, total: 35.85 } },
  ] as const)('$name', ({ spec, cores, memory_gb, storage_gb, monthly }) => {
    const cost = tenantCost(loadedTenant('t', spec), platform, PRICES);
    expect({ cores: cost.cores, memory_gb: cost.memory_gb, storage_gb: cost.storage_gb, monthly: cost.monthly }).toEqual({ cores, memory_gb, storage_gb, monthly });
  });
});

describe('costReport', () => {
  const tenants = [
    loadedTenant('ded', { mode: 'dedicated', plan: 'pro' }),
    loadedTenant('alpha', { mode: 'shared', plan: 'starter' }),
    loadedTenant('big', { mode: 'dedicated', plan: 'enterprise', resources: { cpu: 1.5, memoryMb: 1536, workers: 1, storageGb: 30 } }),
    loadedTenant('cold', { mode: 'dedicated', plan: 'pro', suspended: true }),
    loadedTenant('beta', { mode: 'shared', plan: 'pro' }),
  ];

  it('lists tenants by name, sums per plan and in total (2 + 6 + 71.7 + 6 + 35.85 = 121.55)', () => {
    const report = costReport(tenants, platform, PRICES);
    expect(report.tenants.map((t) => [t.tenant, t.monthly.total])).toEqual([['alpha', 2], ['beta', 6], ['big', 35.85], ['cold', 6], ['ded', 71.7]]);
    expect(report.plans).toEqual([{ plan: 'enterprise', tenants: 1, monthly: 35.85 }, { plan: 'pro', tenants: 3, monthly: 83.7 }, { plan: 'starter', tenants: 1, monthly: 2 }]);
    expect([report.currency, report.hours_per_month, report.total_monthly_cost]).toEqual(['EUR', 730, 121.55]);
  });

  it('costs nothing with the defaults (every price 0), and nothing without tenants', () => {
    expect(costReport(tenants, platform, FREE).total_monthly_cost).toBe(0);
    expect(costReport([], platform, PRICES)).toEqual({ currency: 'EUR', hours_per_month: 730, tenants: [], plans: [], total_monthly_cost: 0 });
  });

  it('rounds the total once: a third of a cent per tenant over three tenants is one cent', () => {
    const third = { ...FREE, sharedSeatMonthly: 1 / 300 };
    const three = ['a', 'b', 'c'].map((n) => loadedTenant(n, { mode: 'shared', plan: 'starter' }));
    const report = costReport(three, platform, third);
    expect([report.tenants.map((t) => t.monthly.total), report.total_monthly_cost]).toEqual([[0, 0, 0], 0.01]);
  });
});

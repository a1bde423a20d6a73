// GET /analytics/costs: what each tenant of the config in force costs a
// month, from spec.prices of platform.yaml. A tenant pays its plan's flat
// monthly cost; a dedicated one also its allocated cores and memory (cpu and
// memoryMb of main and of each worker, as compile gives them) per hour and
// its volume per GB-month, unless suspended (its containers are stopped, its
// volume stays); a shared one a seat on the shared n8n. Pure.
import type { LoadedTenant, Platform } from '../../../config/types.js';
import { allocationOf } from './allocation.js';

export type Prices = NonNullable<Platform['spec']['prices']>;

export interface TenantCost {
  tenant: string;
  plan: string;
  mode: 'shared' | 'dedicated';
  suspended: boolean;
  /** Cores and GB allocated and priced (0 for a shared or suspended tenant), and the volume's GB. */
  cores: number;
  memory_gb: number;
  storage_gb: number;
  monthly: { plan: number; cores: number; memory: number; storage: number; seat: number; total: number };
}

export interface CostReport {
  currency: string;
  hours_per_month: number;
  tenants: TenantCost[];
  plans: { plan: string; tenants: number; monthly: number }[];
  total_monthly_cost: number;
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

interface Exact {
  cores: number;
  memoryGb: number;
  storageGb: number;
  parts: Omit<TenantCost['monthly'], 'total'>;
  total: number;
}

function exactCost(loaded: LoadedTenant, platform: Platform, prices: Prices): Exact {
  const spec = loaded.tenant.spec;
  const plan = platform.spec.plans[spec.plan];
  const dedicated = spec.mode === 'dedicated';
  const allocated = allocationOf(loaded.tenant, platform);
  const cores = allocated.cores;
  const memoryGb = allocated.memoryMb / 1024;
  const storageGb = dedicated ? (spec.resources?.storageGb ?? plan?.storageGb ?? 0) : 0;
  const parts = {
    plan: prices.plans[spec.plan] ?? 0,
    cores: cores * prices.coreHour * prices.hoursPerMonth,
    memory: memoryGb * prices.memoryGbHour * prices.hoursPerMonth,
    storage: storageGb * prices.storageGbMonth,
    seat: dedicated ? 0 : prices.sharedSeatMonthly,
  };
  return { cores, memoryGb, storageGb, parts, total: parts.plan + parts.cores + parts.memory + parts.storage + parts.seat };
}

export function tenantCost(loaded: LoadedTenant, platform: Platform, prices: Prices): TenantCost {
  const spec = loaded.tenant.spec;
  const { cores, memoryGb, storageGb, parts, total } = exactCost(loaded, platform, prices);
  return {
    tenant: loaded.name,
    plan: spec.plan,
    mode: spec.mode,
    suspended: spec.suspended === true,
    cores,
    memory_gb: cents(memoryGb),
    storage_gb: storageGb,
    monthly: { plan: cents(parts.plan), cores: cents(parts.cores), memory: cents(parts.memory), storage: cents(parts.storage), seat: cents(parts.seat), total: cents(total) },
  };
}

/** Every tenant's cost (by name), the sum per plan (by plan name) and in total; sums are of the unrounded figures, rounded to cents once. */
export function costReport(tenants: readonly LoadedTenant[], platform: Platform, prices: Prices): CostReport {
  const rows = [...tenants].sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({ cost: tenantCost(t, platform, prices), exact: exactCost(t, platform, prices).total }));
  const byPlan = new Map<string, { tenants: number; monthly: number }>();
  for (const { cost, exact } of rows) {
    const entry = byPlan.get(cost.plan) ?? { tenants: 0, monthly: 0 };
    byPlan.set(cost.plan, { tenants: entry.tenants + 1, monthly: entry.monthly + exact });
  }
  return {
    currency: prices.currency,
    hours_per_month: prices.hoursPerMonth,
    tenants: rows.map((r) => r.cost),
    plans: [...byPlan.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([plan, p]) => ({ plan, tenants: p.tenants, monthly: cents(p.monthly) })),
    total_monthly_cost: cents(rows.reduce((sum, r) => sum + r.exact, 0)),
  };
}

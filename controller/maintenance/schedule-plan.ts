// The plan against maintenance windows, pure. A tenant whose plan causes
// downtime (a recreate of its running main, an upgrade that will swap) is
// "windowed": outside its window all its actions and the upgrade start are
// marked `at: 'window'` (the change waits whole: a new route beside an old
// container would serve a half-applied tenant) and the tenant carries
// windowOpensAt. Tenants without downtime are `at: 'now'`.
// A suspension (a container stopped on purpose) never waits: it is billing
// or abuse enforcement, not maintenance. `runnableNow` is what the pass applies.
import type { LoadedTenant, Platform } from '../../config/types.js';
import type { Action, Plan, TenantPlan } from '../model.js';
import { summarize } from '../plan/plan.js';
import { tenantMaintenance, windowDecision, type TenantMaintenance } from './windows.js';

/** Per tenant in the config in force; a tenant left out has no windows. */
export type MaintenanceByTenant = ReadonlyMap<string, TenantMaintenance>;

export function maintenanceByTenant(platform: Platform, tenants: readonly Pick<LoadedTenant, 'name' | 'tenant'>[]): Map<string, TenantMaintenance> {
  return new Map(tenants.map((t) => [t.name, tenantMaintenance(platform, t.tenant)]));
}

function stopsOnPurpose(action: Action): boolean {
  return action.kind === 'container' && (action.op === 'stop' || (action.desired?.kind === 'container' && !action.desired.running));
}

/** Whether carrying out this tenant's plan interrupts it in a way that belongs in a window. */
export function needsWindow(tenant: TenantPlan): boolean {
  if (tenant.change !== 'update') return false;
  if (tenant.actions.some(stopsOnPurpose)) return false;
  return tenant.actions.some((a) => a.downtime && a.op === 'recreate') || tenant.operation?.status === 'start';
}

function mark(tenant: TenantPlan, wait: boolean): TenantPlan {
  const actions = tenant.actions.map((a): Action => (a.op === 'noop' ? a : { ...a, at: wait ? 'window' : 'now' }));
  const operation = tenant.operation?.status === 'start' ? { ...tenant.operation, at: wait ? ('window' as const) : ('now' as const) } : tenant.operation;
  return { ...tenant, actions, ...(operation ? { operation } : {}) };
}

/** Marks each action of each changing tenant that has maintenance windows `now` or `window`; unmarked means now. */
export function schedulePlan(plan: Plan, maintenance: MaintenanceByTenant, now: Date): Plan {
  const tenants = plan.tenants.map((tenant) => {
    const own = maintenance.get(tenant.tenant);
    // A tenant without windows (nor override) is left unmarked: everything applies at once, as before windows existed.
    if (tenant.change === 'noop' || !own || (own.windows.length === 0 && !own.overrideUntil)) return tenant;
    if (!needsWindow(tenant)) return mark(tenant, false);
    const decision = windowDecision(own, now);
    if (decision.at === 'now') return mark(tenant, false);
    return { ...mark(tenant, true), windowOpensAt: decision.opensAt.toISOString() };
  });
  return { ...plan, tenants };
}

/** Tenants whose downtime change waits, with the time their window opens. */
export function pendingWindows(plan: Plan): Map<string, Date> {
  return new Map(plan.tenants.flatMap((t) => (t.windowOpensAt ? [[t.tenant, new Date(t.windowOpensAt)] as const] : [])));
}

/** The plan without what waits for a window: the pass applies this. */
export function runnableNow(plan: Plan): Plan {
  if (!plan.tenants.some((t) => t.windowOpensAt)) return plan;
  const tenants = plan.tenants.map((t) => (t.windowOpensAt ? { ...t, actions: t.actions.filter((a) => a.at !== 'window') } : t));
  // summarize adds the noop actions to the unchanged count it is given: take them out first.
  const unchanged = plan.summary.unchanged - plan.tenants.reduce((n, t) => n + t.actions.filter((a) => a.op === 'noop').length, 0);
  return { ...plan, tenants, summary: summarize(tenants, unchanged) };
}

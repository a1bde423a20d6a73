// plan: desired state x observed state -> the ordered actions that make them equal. Pure.
import type { DesiredState, ObservedResource, ObservedState, Plan, TenantPlan } from '../model.js';
import { planDesiredTenant, planRemovedTenant } from './plan-tenant.js';
import { deletionShare, massDeletionDecision } from './safety.js';

export interface PlanOptions {
  /** platform.spec.safety.maxDeletionPercent */
  maxDeletionPercent: number;
  /** platform.spec.safety.allowDeletion: removals of the tenants it names do not count toward the limit. */
  allowDeletion?: { tenants: readonly string[]; reason: string } | undefined;
  /** `rp9 controller --allow-mass-deletion <commit>`: lets the plan of that one commit (desired.commit) delete past the limit. */
  allowMassDeletionCommit?: string | undefined;
}

export function plan(desired: DesiredState, observed: ObservedState, options: PlanOptions): Plan {
  // An unavailable part of the platform contributes no observed resources: its objects count as missing.
  const observedByTenant = new Map<string, ObservedResource[]>();
  for (const resource of observed.resources) {
    const list = observedByTenant.get(resource.tenant);
    if (list) list.push(resource);
    else observedByTenant.set(resource.tenant, [resource]);
  }

  const desiredNames = new Set<string>();
  const tenants: TenantPlan[] = [];
  let unchanged = 0;
  for (const tenant of desired.tenants) {
    desiredNames.add(tenant.name);
    const planned = planDesiredTenant(tenant, observedByTenant.get(tenant.name) ?? []);
    unchanged += planned.unchanged;
    tenants.push(planned.plan);
  }
  for (const [tenant, resources] of observedByTenant) {
    if (!desiredNames.has(tenant)) tenants.push(planRemovedTenant(tenant, resources));
  }
  tenants.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));

  const result: Plan = { environment: desired.environment, tenants, summary: summarize(tenants, unchanged) };
  if (desired.commit !== undefined) result.commit = desired.commit;
  const decision = massDeletionDecision(deletionShare(observedByTenant, desiredNames), {
    maxDeletionPercent: options.maxDeletionPercent,
    allowDeletion: options.allowDeletion,
    allowCommit: options.allowMassDeletionCommit,
    commit: desired.commit,
  });
  if (decision.refused) result.refused = decision.refused;
  if (decision.override) result.deletionOverride = decision.override;
  return result;
}

/** start and stop count as updates: they change an existing container in place. */
export function summarize(tenants: readonly TenantPlan[], unchanged: number): Plan['summary'] {
  const summary = { create: 0, update: 0, recreate: 0, delete: 0, retain: 0, unchanged, downtime: 0 };
  for (const tenant of tenants) {
    for (const action of tenant.actions) {
      if (action.downtime) summary.downtime++;
      switch (action.op) {
        case 'create':
          summary.create++;
          break;
        case 'update':
        case 'start':
        case 'stop':
          summary.update++;
          break;
        case 'recreate':
          summary.recreate++;
          break;
        case 'delete':
          summary.delete++;
          break;
        case 'retain':
          summary.retain++;
          break;
        case 'noop':
          summary.unchanged++;
          break;
      }
    }
  }
  return summary;
}

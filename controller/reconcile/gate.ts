// Which tenant plans can be applied with what is reachable now. A tenant whose
// actions need Docker (or the tenant database server) while it is unavailable
// is held back with a transient reason; routes-only tenants still apply.
// Without Docker a tenant is not failing: it waits for Docker
// (WAITING_FOR_DOCKER), shown as its own state on the status page.
import type { Availability, Plan, TenantPlan } from '../model.js';

/** The hold of a tenant whose actions need Docker while no engine is reachable (Ready reason WaitingForDocker). */
export const WAITING_FOR_DOCKER = 'docker.waiting-for-docker';
/** The Ready condition's reason for WAITING_FOR_DOCKER (reasonFromCode of it). */
export const WAITING_FOR_DOCKER_REASON = 'WaitingForDocker';

export interface HeldTenant {
  tenant: string;
  code: string;
  message: string;
  transient: boolean;
}

export function gatePlan(plan: Plan, availability: Availability, options: { tenantDatabases: boolean }): { plan: Plan; held: HeldTenant[] } {
  const held: HeldTenant[] = [];
  const tenants: TenantPlan[] = [];
  for (const tenantPlan of plan.tenants) {
    const kinds = new Set(tenantPlan.actions.filter((a) => a.op !== 'noop' && a.op !== 'retain').map((a) => a.kind));
    if ((kinds.has('container') || kinds.has('volume') || kinds.has('service')) && !availability.docker.available) {
      held.push({ tenant: tenantPlan.tenant, code: WAITING_FOR_DOCKER, message: `Waiting for Docker: ${availability.docker.reason ?? 'no engine reachable'}`, transient: true });
      continue;
    }
    if (kinds.has('database') && !options.tenantDatabases) {
      held.push({ tenant: tenantPlan.tenant, code: 'controller.no-tenant-database', message: 'Dedicated tenants need a PostgreSQL server for their databases: set RP9_TENANT_DATABASE_URL (or DATABASE_URL)', transient: false });
      continue;
    }
    if (kinds.has('database') && !availability.database.available) {
      held.push({ tenant: tenantPlan.tenant, code: 'postgres.unreachable', message: `The tenant database server is not available: ${availability.database.reason ?? 'unknown reason'}`, transient: true });
      continue;
    }
    tenants.push(tenantPlan);
  }
  return { plan: { ...plan, tenants }, held };
}

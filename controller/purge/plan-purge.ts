// Purge plan: what `rp9 purge <tenant>` deletes of a tenant that left git.
// Removal keeps the tenant's data (plan-tenant.ts marks it `retain`); a purge
// deletes it: the volumes rp9 labelled for the tenant, its database and login
// role, its secrets and any status row left in the store. Pure: the inputs are
// what was observed, the output is a value the CLI prints or applies.
import { databaseName, volumeName } from '../compile/names.js';
import type { ObservedState } from '../model.js';

export type PurgeKind = 'volume' | 'database' | 'role' | 'n8n-user' | 'secret' | 'status';

export interface PurgeStep {
  kind: PurgeKind;
  name: string;
}

export type PurgeRefusalCode = 'purge.tenant-in-config' | 'purge.tenant-running' | 'purge.unobservable';

export interface PurgeRefusal {
  code: PurgeRefusalCode;
  message: string;
}

export interface PurgeInventory {
  environment: string;
  /** Tenants in the config now. */
  configTenants: readonly string[];
  /** The platform as observePlatform saw it: Docker objects only with rp9's owner labels, databases only with rp9's owner comment. */
  observed: ObservedState;
  /** Which of the tenant's candidate role names (see purgeRoleCandidates) exist on the database server. */
  roles: readonly string[];
  /** The tenant's rows in the state store. */
  store: { secrets: readonly string[]; status: boolean };
  /** platform.spec.runtime of the config (default docker): on a swarm, `observed` holds services, and volumes are node-local (not seen). */
  runtime?: 'docker' | 'swarm';
  /** A shared tenant's member on the shared n8n (recorded in the store), and whether the shared n8n's API is configured to delete it. */
  sharedMember?: { userId: string; email: string; api: { available: boolean; reason?: string } };
}

export interface PurgePlan {
  tenant: string;
  environment: string;
  /** Set when the purge must not run; steps are then empty. */
  refused?: PurgeRefusal;
  /** In apply order: volumes, database, role, then the store (secrets last: the db-password secret is the evidence that a role is rp9's). */
  steps: PurgeStep[];
  /** What was seen and left alone, and why. */
  notes: string[];
}

/** Role names to ask the database server about: the tenant's observed databases (rp9 names each role after its database) and the compiled name. */
export function purgeRoleCandidates(observed: ObservedState, tenant: string): string[] {
  const names = observed.resources.filter((r) => r.kind === 'database' && r.tenant === tenant).map((r) => r.name);
  return [...new Set([...names, databaseName(tenant)])].sort();
}

export function planPurge(inventory: PurgeInventory, tenant: string): PurgePlan {
  const base = { tenant, environment: inventory.environment };
  const refused = refusal(inventory, tenant);
  if (refused) return { ...base, refused, steps: [], notes: [] };

  const mine = inventory.observed.resources.filter((r) => r.tenant === tenant);
  const volumes = mine.filter((r) => r.kind === 'volume').map((r) => r.name).sort();
  const databases = mine.filter((r) => r.kind === 'database').map((r) => r.name).sort();
  const hasPassword = inventory.store.secrets.includes('db-password');
  const notes: string[] = [];
  const roles: string[] = [];
  for (const role of [...new Set(inventory.roles)].sort()) {
    // A role is rp9's when it is named after one of the tenant's rp9 databases,
    // or after the tenant and rp9 still holds its password.
    if (databases.includes(role) || (role === databaseName(tenant) && hasPassword)) roles.push(role);
    else notes.push(`role ${role} exists but rp9 has no database or password for tenant ${tenant}; left alone`);
  }
  if (inventory.runtime === 'swarm') {
    // The engine made the volume on whichever node ran a task; the manager sees only its own.
    notes.push(`swarm: the node-local volume ${volumeName(tenant)} on the nodes that ran the tenant's tasks is not purged (docker volume rm ${volumeName(tenant)} on each node)`);
  }
  const steps: PurgeStep[] = [
    ...volumes.map((name): PurgeStep => ({ kind: 'volume', name })),
    ...databases.map((name): PurgeStep => ({ kind: 'database', name })),
    ...roles.map((name): PurgeStep => ({ kind: 'role', name })),
    // The n8n user and, with it, its personal project's workflows and credentials (n8n deletes them with the user).
    ...(inventory.sharedMember ? [{ kind: 'n8n-user', name: inventory.sharedMember.userId } as const] : []),
    ...[...inventory.store.secrets].sort().map((name): PurgeStep => ({ kind: 'secret', name })),
    ...(inventory.store.status ? [{ kind: 'status', name: tenant } as const] : []),
  ];
  return { ...base, steps, notes };
}

/** The refusal for a tenant that is still in the config; checked first, before anything is observed. */
export function tenantInConfig(tenant: string, configTenants: readonly string[]): PurgeRefusal | undefined {
  if (!configTenants.includes(tenant)) return undefined;
  return {
    code: 'purge.tenant-in-config',
    message: `tenant ${tenant} is still in the config (tenants/${tenant}.yaml); purge is only for tenants removed from git`,
  };
}

function refusal(inventory: PurgeInventory, tenant: string): PurgeRefusal | undefined {
  const inConfig = tenantInConfig(tenant, inventory.configTenants);
  if (inConfig) return inConfig;
  const { docker, database, routes } = inventory.observed.availability;
  const unreadable = [
    docker.available ? undefined : `Docker: ${docker.reason ?? 'not available'}`,
    database.available ? undefined : `tenant databases: ${database.reason ?? 'not available'}`,
    routes.available ? undefined : `routes: ${routes.reason ?? 'not available'}`,
  ].filter((reason): reason is string => reason !== undefined);
  const member = inventory.sharedMember;
  if (member && !member.api.available) unreadable.push(`shared n8n user ${member.userId} (${member.email}): ${member.api.reason ?? 'the shared n8n API is not configured'}`);
  if (unreadable.length > 0) {
    return { code: 'purge.unobservable', message: `cannot see everything tenant ${tenant} may hold, so nothing is purged (${unreadable.join('; ')})` };
  }
  const serving = inventory.observed.resources
    .filter((r) => r.tenant === tenant && (r.kind === 'container' || r.kind === 'service' || r.kind === 'route'))
    .map((r) => `${r.kind} ${r.name}`);
  if (serving.length > 0) {
    return {
      code: 'purge.tenant-running',
      message: `tenant ${tenant} still has ${serving.join(', ')}; let the controller remove them first (rp9 plan shows the pending deletes)`,
    };
  }
  return undefined;
}

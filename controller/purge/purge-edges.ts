// The I/O edges of `rp9 purge`: observe what a removed tenant still holds
// (Docker, routes, tenant databases and roles, the state store) and the ports
// that delete it. The store is opened by the caller, before anything here runs.
import type Docker from 'dockerode';
import { removeTenantVolume } from '../docker/remove-volume.js';
import type { ObservedState } from '../model.js';
import { observePlatform } from '../observe/observe-platform.js';
import { createTenantDatabaseDropper, type TenantDatabaseDropper } from '../postgres/drop-tenant-database.js';
import { createDatabaseAdmin } from '../postgres/tenant-databases.js';
import type { Store } from '../store/store.js';
import type { PurgePorts } from './apply-purge.js';
import { purgeRoleCandidates, type PurgeInventory } from './plan-purge.js';

export interface PurgeEdgeSettings {
  environment: string;
  docker: Docker;
  routesDir: string;
  /** Admin URL of the tenant database server; undefined: not configured (the purge is then refused). */
  tenantDatabaseUrl: string | undefined;
  store: Pick<Store, 'secrets' | 'status'>;
}

export interface PurgeEdges {
  observe(tenant: string, configTenants: readonly string[]): Promise<PurgeInventory>;
  ports(tenant: string): PurgePorts;
  close(): Promise<void>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function openPurgeEdges(settings: PurgeEdgeSettings): PurgeEdges {
  const { environment, docker, store } = settings;
  const dropper: TenantDatabaseDropper | undefined = settings.tenantDatabaseUrl ? createTenantDatabaseDropper(settings.tenantDatabaseUrl) : undefined;

  async function observe(tenant: string, configTenants: readonly string[]): Promise<PurgeInventory> {
    const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
    let observed: ObservedState;
    try {
      observed = await observePlatform({ environment, docker, routesDir: settings.routesDir, ...(databases ? { databases } : {}) });
    } finally {
      await databases?.close();
    }
    let roles: string[] = [];
    if (dropper && observed.availability.database.available) {
      try {
        roles = await dropper.existingRoles(purgeRoleCandidates(observed, tenant));
      } catch (error) {
        observed = { ...observed, availability: { ...observed.availability, database: { available: false, reason: `cannot list roles: ${message(error)}` } } };
      }
    }
    const [secrets, status] = await Promise.all([store.secrets.names(tenant), store.status.get(tenant)]);
    return { environment, configTenants, observed, roles, store: { secrets, status: status !== undefined } };
  }

  function ports(tenant: string): PurgePorts {
    const owner = { environment, tenant };
    const needDropper = (): TenantDatabaseDropper => {
      if (!dropper) throw Object.assign(new Error('no tenant database server configured'), { code: 'purge.unobservable' });
      return dropper;
    };
    return {
      volume: (name) => removeTenantVolume(docker, name, owner),
      database: (name) => needDropper().dropDatabase(name, owner),
      role: (name) => needDropper().dropRole(name),
      secret: async (name) => (await store.secrets.remove(tenant, name)) > 0,
      status: () => store.status.remove(tenant),
    };
  }

  return { observe, ports, close: async () => dropper?.close() };
}

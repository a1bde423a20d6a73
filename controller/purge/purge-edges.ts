// The I/O edges of `rp9 purge`: observe what a removed tenant still holds
// (Docker, routes, tenant databases and roles, the state store) and the ports
// that delete it. The store is opened by the caller, before anything here runs.
import type Docker from 'dockerode';
import { removeTenantVolume } from '../docker/remove-volume.js';
import type { ObservedState } from '../model.js';
import { observePlatform } from '../observe/observe-platform.js';
import { createTenantDatabaseDropper, type TenantDatabaseDropper } from '../postgres/drop-tenant-database.js';
import { createDatabaseAdmin } from '../postgres/tenant-databases.js';
import { deleteUser, type N8nConnection } from '../../edges/n8n/index.js';
import type { Store } from '../store/store.js';
import type { PurgePorts } from './apply-purge.js';
import { purgeRoleCandidates, type PurgeInventory } from './plan-purge.js';

export interface PurgeEdgeSettings {
  environment: string;
  docker: Docker;
  routesDir: string;
  /** Admin URL of the tenant database server; undefined: not configured (the purge is then refused). */
  tenantDatabaseUrl: string | undefined;
  store: Pick<Store, 'secrets' | 'status' | 'sharedMembers'>;
  /** platform.spec.runtime: on a swarm, `docker` is a manager and the tenant's services are observed (default docker). */
  runtime?: 'docker' | 'swarm';
  /** The shared n8n's public API (an owner's key), to delete a shared tenant's user; undefined: not configured. */
  sharedN8n?: N8nConnection | undefined;
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
      observed = await observePlatform({ environment, docker, routesDir: settings.routesDir, runtime: settings.runtime ?? 'docker', ...(databases ? { databases } : {}) });
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
    const [secrets, status, member] = await Promise.all([store.secrets.names(tenant), store.status.get(tenant), store.sharedMembers.get(tenant)]);
    const api = settings.sharedN8n ? { available: true } : { available: false, reason: 'set RP9_SHARED_N8N_API_KEY (and RP9_SHARED_N8N_URL) to delete it' };
    return {
      environment, configTenants, observed, roles, store: { secrets, status: status !== undefined }, runtime: settings.runtime ?? 'docker',
      ...(member ? { sharedMember: { userId: member.userId, email: member.email, api } } : {}),
    };
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
      'n8n-user': async (userId) => {
        if (!settings.sharedN8n) throw Object.assign(new Error('the shared n8n API is not configured'), { code: 'purge.unobservable' });
        const deleted = await deleteUser(settings.sharedN8n, userId);
        await store.sharedMembers.remove(tenant);
        return deleted === 'deleted';
      },
    };
  }

  return { observe, ports, close: async () => dropper?.close() };
}

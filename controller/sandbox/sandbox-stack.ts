// The I/O of restore sandboxes: bring one up with the same plan and apply code
// as any dedicated tenant (observe its own resources, plan, apply through the
// controller's ports), list them by inventory (owner labels, database
// comments, route files), and remove one whole: containers, route, volume,
// database and role, secrets. Only names that are sandbox names are ever
// removed here.
import type Docker from 'dockerode';
import { applyPlan, type ApplyPorts } from '../apply/apply-plan.js';
import { removeTenantVolume } from '../docker/remove-volume.js';
import { databaseName, volumeName } from '../compile/names.js';
import { LABEL, MANAGED_BY, type DesiredContainer, type DesiredDatabase, type DesiredTenant, type ObservedState } from '../model.js';
import { observePlatform } from '../observe/observe-platform.js';
import { OperationError } from '../operations/kind.js';
import { plan } from '../plan/plan.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import { removeRouteFile } from '../traefik/route-files.js';
import { isSandboxName, SANDBOX_LABEL, type SandboxInventoryEntry } from './sandbox.js';
import { waitReady } from './wait-ready.js';

export interface SandboxStackEdges {
  environment: string;
  docker: Docker;
  databases: DatabaseAdmin;
  routesDir: string;
  ports: ApplyPorts;
  secrets: SecretsApi;
  /** How long a new sandbox may take to pass its health checks. */
  readyTimeoutMs: number;
}

export interface SandboxStack {
  /** Whether anything of that name exists: a container, volume, database, route or secret. */
  inUse(name: string): Promise<boolean>;
  /** An empty database and its role for the sandbox (dropped first when it exists). */
  freshDatabase(database: DesiredDatabase): Promise<void>;
  /** Creates what the sandbox's desired state has, waits until its containers pass their health checks, and writes its route. */
  apply(desired: DesiredTenant): Promise<void>;
  inventory(): Promise<SandboxInventoryEntry[]>;
  /** Removes everything of the sandbox; idempotent. */
  remove(name: string): Promise<void>;
}

function sandboxOnly(name: string): void {
  if (!isSandboxName(name)) throw new OperationError('sandbox.not-a-sandbox', `${name} is not a sandbox name (<tenant>-restore-<yyyymmdd> or <tenant>-drill-<yyyymmdd>); refusing to touch it`);
}

export function createSandboxStack(edges: SandboxStackEdges): SandboxStack {
  const observe = (): Promise<ObservedState> => observePlatform({ environment: edges.environment, docker: edges.docker, routesDir: edges.routesDir, databases: edges.databases, sandboxes: 'only' });

  function unavailable(observed: ObservedState): string | undefined {
    const down = Object.entries(observed.availability).filter(([, a]) => !a.available);
    return down.length > 0 ? down.map(([part, a]) => `${part}: ${a.reason ?? 'unavailable'}`).join('; ') : undefined;
  }

  return {
    async inUse(name) {
      const observed = await observe();
      const why = unavailable(observed);
      if (why) throw new OperationError('sandbox.unobservable', `cannot tell whether ${name} is in use: ${why}`);
      if (observed.resources.some((r) => r.tenant === name)) return true;
      return (await edges.secrets.names(name)).length > 0;
    },
    async freshDatabase(database) {
      sandboxOnly(database.tenant);
      await edges.databases.drop(database);
      await edges.ports.ensureDatabase(database);
    },
    async apply(desired) {
      sandboxOnly(desired.name);
      // A slow n8n fails apply's health wait (Docker says unhealthy) before it turns ready:
      // wait for what exists so far (workers are created only once main is healthy), bounded,
      // then apply again, which creates the rest and writes the route.
      for (let pass = 1; pass <= 3; pass += 1) {
        const observed = await observe();
        const mine = { availability: observed.availability, resources: observed.resources.filter((r) => r.tenant === desired.name) };
        const planned = plan({ environment: edges.environment, tenants: [desired] }, mine, { maxDeletionPercent: 100 });
        const report = await applyPlan(planned, edges.ports, { concurrency: 1, retry: { attempts: 3, baseMs: 500, maxMs: 4_000 } });
        const failed = report.tenants.find((t) => t.outcome === 'failed');
        if (!failed) return;
        if (failed.error?.code !== 'docker.unhealthy' || pass === 3) throw new OperationError('sandbox.apply-failed', `sandbox ${desired.name}: ${failed.error?.message ?? 'apply failed'}`);
        const containers = desired.resources.filter((r): r is DesiredContainer => r.kind === 'container');
        const existing = [];
        for (const c of containers) if (await edges.docker.getContainer(c.name).inspect().then(() => true, () => false)) existing.push(c);
        await waitReady(edges.docker, existing, edges.readyTimeoutMs);
      }
    },
    async inventory() {
      const observed = await observe();
      const byName = new Map<string, SandboxInventoryEntry>();
      for (const r of observed.resources) {
        const entry = byName.get(r.tenant) ?? { name: r.tenant, resources: [] };
        entry.resources.push(`${r.kind} ${r.name}`);
        if (r.kind === 'container') {
          const of = r.labels[SANDBOX_LABEL.of];
          const expires = Date.parse(r.labels[SANDBOX_LABEL.expiresAt] ?? '');
          if (of) entry.of = of;
          if (Number.isFinite(expires) && (!entry.expiresAt || expires < entry.expiresAt.getTime())) entry.expiresAt = new Date(expires);
        }
        byName.set(r.tenant, entry);
      }
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    async remove(name) {
      sandboxOnly(name);
      const owned = { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${edges.environment}`, `${LABEL.tenant}=${name}`] };
      for (const info of await edges.docker.listContainers({ all: true, filters: owned })) await edges.ports.removeContainer(info.Names[0]?.replace(/^\//, '') ?? info.Id);
      await removeRouteFile(edges.routesDir, name);
      await removeTenantVolume(edges.docker, volumeName(name), { environment: edges.environment, tenant: name });
      await edges.databases.drop({ database: databaseName(name), role: databaseName(name) });
      await edges.secrets.remove(name);
    },
  };
}

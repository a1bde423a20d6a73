// What an in-place restore does to a running dedicated tenant, through the
// controller's apply ports: stop its containers, give it an empty database
// (same name, owner role and comment), start its containers again and wait
// until they are healthy.
import type Docker from 'dockerode';
import type { ApplyPorts } from '../apply/apply-plan.js';
import type { DesiredContainer, DesiredDatabase } from '../model.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import { waitReady } from '../sandbox/wait-ready.js';

export interface TenantData {
  stop(containers: readonly DesiredContainer[]): Promise<void>;
  /** Starts them and waits (bounded) until each passes its health check. */
  start(containers: readonly DesiredContainer[]): Promise<void>;
  /** Drops the database (open connections closed) and creates it empty, owned by its role. */
  freshDatabase(database: DesiredDatabase): Promise<void>;
}

export function tenantData(ports: ApplyPorts, databases: Pick<DatabaseAdmin, 'drop'>, docker: Docker, readyTimeoutMs: number): TenantData {
  return {
    async stop(containers) {
      for (const c of containers) await ports.stopContainer(c.name);
    },
    async start(containers) {
      for (const c of containers) await ports.startContainer(c.name);
      await waitReady(docker, containers, readyTimeoutMs);
    },
    async freshDatabase(database) {
      await databases.drop(database);
      await ports.ensureDatabase(database);
    },
  };
}

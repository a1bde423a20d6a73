// Assembly of the promotion kind's dependencies from its edges: the shared
// and dedicated n8n sides, the route switch, the pre-migration backup (the
// backup kind's steps, exporting from the shared n8n by project), the sealed
// export's directory.
import type Docker from 'dockerode';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { cliExporter } from '../backups/runtime.js';
import type { PromotionDeps } from '../operations/promotion.js';
import type { Store } from '../store/index.js';
import type { Operation } from '../store/types.js';
import { dedicatedSide, sharedSide } from './n8n-sides.js';
import { runPreMigrationBackup } from './pre-migration-backup.js';
import { routeSwitch, type RouteSwitchOptions } from './route-switch.js';

export interface PromotionRuntimeOptions {
  docker: Docker;
  store: Store;
  objects: ObjectStore;
  logger: Logger;
  shared: { container: string; connection: N8nConnection; databaseUrl: string; version: string };
  /** n8n version of the dedicated instances (picks the API adapter). */
  dedicatedVersion: string;
  dedicatedUrl(tenant: string): Promise<string>;
  emailOf(tenant: string): string | undefined;
  routes: RouteSwitchOptions;
  workDir: string;
  metrics?: Metrics;
  onRolledBack?(op: Operation): Promise<void>;
  now?(): Date;
}

export function promotionDeps(options: PromotionRuntimeOptions): PromotionDeps {
  const { docker, store } = options;
  const exporter = cliExporter({ docker, operations: store.operations, sharedContainer: options.shared.container, sharedDatabaseUrl: options.shared.databaseUrl, emailOf: options.emailOf });
  const backupDeps = { objects: options.objects, catalogue: store.backups, masterKey: () => store.masterKey(), databaseUrl: () => undefined, n8n: exporter };
  return {
    shared: sharedSide({ docker, container: options.shared.container, connection: options.shared.connection, api: n8nApiFor(options.shared.version), databaseUrl: options.shared.databaseUrl, emailOf: options.emailOf }),
    dedicated: dedicatedSide({ docker, api: n8nApiFor(options.dedicatedVersion), secrets: store.secrets, baseUrl: options.dedicatedUrl, emailOf: options.emailOf }),
    route: routeSwitch(options.routes),
    async preMigrationBackup(tenant, operationId, signal) {
      const op = await store.operations.get(operationId);
      if (!op) throw new Error(`promotion ${operationId} of ${tenant} is not in the journal`);
      return runPreMigrationBackup(backupDeps, op, { n8nVersion: options.shared.version, signal, log: options.logger.child({ operation_id: operationId, tenant }) });
    },
    masterKey: () => store.masterKey(),
    workDir: options.workDir,
    events: store.events,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.onRolledBack ? { onRolledBack: options.onRolledBack } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}

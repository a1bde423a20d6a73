// The demotion kind as the controller binds it: on under the same settings
// as the promotion (RP9_SHARED_N8N_* and the tenant database server). The
// route it writes is the one compile gives for each state (a shared tenant
// with a demotion hold), so the reconcile loop sees no drift. A rolled-back
// demotion stalls the tenant (DemotionFailed) and opens the PR that sets it
// back to dedicated.
import { join } from 'node:path';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { cliExporter, tenantDatabaseUrl } from '../backups/runtime.js';
import { compileTenantWith } from '../compile/compile-tenant.js';
import { containerTemplate } from '../compile/containers.js';
import { mainContainerName } from '../compile/names.js';
import type { DesiredRoute } from '../model.js';
import { demotionKind, type DemotionDeps } from '../operations/demotion.js';
import { bindKind, OperationError, type BoundKind } from '../operations/kind.js';
import type { ControllerPromotionOptions } from '../promotion/controller-kind.js';
import { dedicatedSide } from '../promotion/n8n-sides.js';
import { runPreMigrationBackup } from '../promotion/pre-migration-backup.js';
import { routeSwitch } from '../promotion/route-switch.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Operation } from '../store/types.js';
import { sharedTarget } from './shared-target.js';
import { DEMOTION_KIND } from './views.js';

const DEFAULT_MAJOR = '2.41.1';

export interface ControllerDemotionOptions extends Omit<ControllerPromotionOptions, 'rollbackPr'> {
  /** The tenant database server (RP9_TENANT_DATABASE_URL): the pre-migration backup dumps the dedicated database; record and verify read it. */
  tenantDatabaseUrl: string | undefined;
  /** Opens the PR that sets the tenant back to dedicated (controller/demotion/rollback-pr.ts). */
  rollbackPr?(op: Operation): Promise<string>;
  memberWaitSeconds?: number;
}

export function controllerDemotionKind(options: ControllerDemotionOptions): BoundKind | undefined {
  const { env, docker, store } = options;
  const container = env.RP9_SHARED_N8N_CONTAINER?.trim();
  const apiKey = env.RP9_SHARED_N8N_API_KEY?.trim();
  if (!container || !apiKey || !options.sharedDatabaseUrl) return undefined;
  const sharedDatabaseUrl = options.sharedDatabaseUrl;
  const good = (): GoodConfig => {
    const config = options.config();
    if (!config) throw new OperationError('demotion.no-config', 'no valid config has been loaded yet');
    return config;
  };
  const loaded = (tenant: string) => {
    const found = good().config.tenants.find((t) => t.name === tenant);
    if (!found) throw new OperationError('demotion.tenant-gone', `tenant ${tenant} is no longer in git`);
    return found;
  };
  const emailOf = (tenant: string) => loaded(tenant).tenant.metadata.email;
  const apiUrl = (): string => env.RP9_SHARED_N8N_URL?.trim() || good().platform.spec.sharedN8n.url;
  const sharedVersion = options.config()?.platform.spec.sharedN8n.version ?? DEFAULT_MAJOR;
  const dedicatedVersion = options.config()?.platform.spec.dedicated.n8nVersion ?? DEFAULT_MAJOR;
  const exporter = cliExporter({ docker, operations: store.operations, sharedContainer: container, sharedDatabaseUrl, emailOf });
  const backupDeps = {
    objects: options.objects,
    catalogue: store.backups,
    masterKey: () => store.masterKey(),
    databaseUrl: (tenant: string) => tenantDatabaseUrl(options.tenantDatabaseUrl, store.operations, tenant),
    n8nEncryptionKey: async (tenant: string) => (await store.secrets.get(tenant, 'encryption-key'))?.reveal(),
    n8n: exporter,
  };
  const deps: DemotionDeps = {
    shared: sharedTarget({ docker, container, get connection() { return { baseUrl: apiUrl(), apiKey }; }, api: n8nApiFor(sharedVersion), databaseUrl: sharedDatabaseUrl, emailOf }),
    dedicated: dedicatedSide({
      docker, api: n8nApiFor(dedicatedVersion), secrets: store.secrets, emailOf,
      // The live database (green's or blue's): record and the fingerprint read it by SQL.
      databaseUrl: (tenant) => tenantDatabaseUrl(options.tenantDatabaseUrl, store.operations, tenant),
      async baseUrl(tenant) {
        const port = options.compileContext(good().platform).n8nPort;
        const name = mainContainerName(tenant);
        const info = await docker.getContainer(name).inspect().catch(() => undefined);
        const address = info?.NetworkSettings.Networks[options.network]?.IPAddress;
        return `http://${address || name}:${port}`;
      },
    }),
    route: routeSwitch({
      dir: options.routesDir,
      get traefik() {
        return options.compileContext(good().platform).traefik;
      },
      routeFor(tenant, state) {
        const { platform } = good();
        const compiled = compileTenantWith(platform, loaded(tenant), containerTemplate(options.compileContext(platform)), new Date(), { route: state, stopped: false });
        return compiled.resources.find((r): r is DesiredRoute => r.kind === 'route') as DesiredRoute;
      },
    }),
    async preMigrationBackup(tenant, operationId, signal) {
      const op = await store.operations.get(operationId);
      if (!op) throw new Error(`demotion ${operationId} of ${tenant} is not in the journal`);
      return runPreMigrationBackup(backupDeps, op, { mode: 'dedicated', n8nVersion: typeof op.state.n8nVersion === 'string' ? op.state.n8nVersion : dedicatedVersion, signal, log: options.logger.child({ operation_id: operationId, tenant }) });
    },
    masterKey: () => store.masterKey(),
    workDir: join(options.stateDir, 'demotions'),
    events: store.events,
    ...(options.now ? { now: options.now } : {}),
    ...(options.memberWaitSeconds !== undefined ? { memberWaitSeconds: options.memberWaitSeconds } : {}),
    async onRolledBack(op) {
      await store.status.update(op.tenant, {
        phase: 'failed',
        conditions: [
          { type: 'Stalled', status: 'True', reason: 'DemotionFailed', message: `demotion ${op.id} rolled back: ${op.error ?? op.status}` },
          { type: 'Ready', status: 'False', reason: 'DemotionFailed', message: 'served by its dedicated n8n again' },
        ],
      });
      if (!options.rollbackPr) {
        options.logger.warn('demotion rolled back; no forge configured, so no PR sets the tenant back to dedicated', { tenant: op.tenant, operation_id: op.id, code: 'demotion.no-forge' });
        return;
      }
      const opened = await options.rollbackPr(op);
      await store.events.record({ tenant: op.tenant, type: 'Warning', reason: 'DemotionRollbackPr', message: opened, actor: 'controller', correlationId: op.id, data: { operationId: op.id } });
    },
  };
  return bindKind(demotionKind, deps);
}

/** The engine's extra kinds: `demotion` when configured, none otherwise. */
export function demotionKinds(options: ControllerDemotionOptions): Record<string, BoundKind> {
  const kind = controllerDemotionKind(options);
  return kind ? { [DEMOTION_KIND]: kind } : {};
}

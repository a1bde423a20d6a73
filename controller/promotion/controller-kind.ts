// The promotion kind as the controller binds it: on when the shared n8n's
// container, database and public API are configured (RP9_SHARED_N8N_*);
// otherwise a due promotion is logged as promotion.not-configured. The route
// it writes is the one compile gives for each state, so the reconcile loop
// sees no drift. A rolled-back promotion stalls the tenant (PromotionFailed).
import type Docker from 'dockerode';
import { join } from 'node:path';
import { deleteCredential, deleteWorkflow, type N8nConnection } from '../../edges/n8n/index.js';
import type { ObjectStore } from '../../edges/object-store/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { compileTenantWith } from '../compile/compile-tenant.js';
import { containerTemplate } from '../compile/containers.js';
import type { CompileContext } from '../compile/context.js';
import { mainContainerName } from '../compile/names.js';
import type { DesiredRoute } from '../model.js';
import { bindKind, OperationError, type BoundKind } from '../operations/kind.js';
import { promotionKind, type PromotionDeps } from '../operations/promotion.js';
import { sharedCleanupKind, type SharedCleanupDeps } from '../operations/shared-cleanup.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import type { Operation } from '../store/types.js';
import { promotionDeps } from './runtime.js';

/** Picks the API adapter when no config is loaded yet at start: the platform default, 2.x. */
const DEFAULT_MAJOR = '2.41.1';

export interface ControllerPromotionOptions {
  env: NodeJS.ProcessEnv;
  docker: Docker;
  store: Store;
  objects: ObjectStore;
  logger: Logger;
  metrics?: Metrics;
  stateDir: string;
  routesDir: string;
  sharedDatabaseUrl: string | undefined;
  /** The tenants' Docker network: the dedicated n8n is reached at its address there. */
  network: string;
  config(): GoodConfig | undefined;
  /** Opens the PR that sets the tenant back to shared (controller/promotion/rollback-pr.ts); its answer goes into the PromotionFailed event. */
  rollbackPr?(op: Operation): Promise<string>;
  now?(): Date;
  compileContext(platform: GoodConfig['platform']): CompileContext;
}

export function controllerPromotionKind(options: ControllerPromotionOptions): BoundKind | undefined {
  const { env } = options;
  const container = env.RP9_SHARED_N8N_CONTAINER?.trim();
  const apiKey = env.RP9_SHARED_N8N_API_KEY?.trim();
  if (!container || !apiKey || !options.sharedDatabaseUrl) return undefined;
  // The same address the members loop uses: RP9_SHARED_N8N_URL, else the platform's sharedN8n.url.
  const apiUrl = (): string => env.RP9_SHARED_N8N_URL?.trim() || good().platform.spec.sharedN8n.url;
  const good = (): GoodConfig => {
    const config = options.config();
    if (!config) throw new OperationError('promotion.no-config', 'no valid config has been loaded yet');
    return config;
  };
  const loaded = (tenant: string) => {
    const found = good().config.tenants.find((t) => t.name === tenant);
    if (!found) throw new OperationError('promotion.tenant-gone', `tenant ${tenant} is no longer in git`);
    return found;
  };
  const deps = promotionDeps({
    docker: options.docker,
    store: options.store,
    objects: options.objects,
    logger: options.logger,
    shared: { container, get connection() { return { baseUrl: apiUrl(), apiKey }; }, databaseUrl: options.sharedDatabaseUrl, version: options.config()?.platform.spec.sharedN8n.version ?? DEFAULT_MAJOR },
    dedicatedVersion: options.config()?.platform.spec.dedicated.n8nVersion ?? DEFAULT_MAJOR,
    // The main container's address on the tenants' network, not its name: a controller outside that network
    // (npm start on the host) cannot resolve the name but reaches the address; one inside reaches both.
    async dedicatedUrl(tenant) {
      const port = options.compileContext(good().platform).n8nPort;
      const name = mainContainerName(tenant);
      const info = await options.docker.getContainer(name).inspect().catch(() => undefined);
      const address = info?.NetworkSettings.Networks[options.network]?.IPAddress;
      return `http://${address || name}:${port}`;
    },
    emailOf: (tenant) => loaded(tenant).tenant.metadata.email,
    routes: {
      dir: options.routesDir,
      get traefik() {
        return options.compileContext(good().platform).traefik;
      },
      routeFor(tenant, state) {
        const { platform } = good();
        const compiled = compileTenantWith(platform, loaded(tenant), containerTemplate(options.compileContext(platform)), new Date(), { route: state, stopped: false });
        return compiled.resources.find((r): r is DesiredRoute => r.kind === 'route') as DesiredRoute;
      },
    },
    workDir: join(options.stateDir, 'promotions'),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.now ? { now: options.now } : {}),
    async onRolledBack(op) {
      await options.store.status.update(op.tenant, {
        phase: 'failed',
        conditions: [
          { type: 'Stalled', status: 'True', reason: 'PromotionFailed', message: `promotion ${op.id} rolled back: ${op.error ?? op.status}` },
          { type: 'Ready', status: 'False', reason: 'PromotionFailed', message: 'served by the shared n8n again; its dedicated stack is stopped' },
        ],
      });
      if (!options.rollbackPr) {
        options.logger.warn('promotion rolled back; no forge configured, so no PR sets the tenant back to shared', { tenant: op.tenant, operation_id: op.id, code: 'promotion.no-forge' });
        return;
      }
      const opened = await options.rollbackPr(op);
      await options.store.events.record({ tenant: op.tenant, type: 'Warning', reason: 'PromotionRollbackPr', message: opened, actor: 'controller', correlationId: op.id, data: { operationId: op.id } });
    },
  });
  return bindKind(promotionKind, deps);
}

/**
 * The shared n8n's cleanup after a promotion's grace period, bound to the promotion's own sides
 * (export by project on shared, CLI export on dedicated) and the shared n8n's public API for deletes.
 */
function sharedCleanup(options: ControllerPromotionOptions, promotion: BoundKind): BoundKind {
  const { shared, dedicated, events } = promotion.deps as PromotionDeps;
  const apiKey = options.env.RP9_SHARED_N8N_API_KEY?.trim() ?? '';
  const connection = (): N8nConnection => {
    const url = options.env.RP9_SHARED_N8N_URL?.trim() || options.config()?.platform.spec.sharedN8n.url;
    if (!url) throw new OperationError('promotion.no-config', 'no valid config has been loaded yet');
    return { baseUrl: url, apiKey };
  };
  const deps: SharedCleanupDeps = {
    shared: {
      exportItems: (tenant, what) => shared.exportItems(tenant, what),
      deleteItem: (what, id) => (what === 'workflows' ? deleteWorkflow(connection(), id) : deleteCredential(connection(), id)),
    },
    dedicated: { exportItems: (tenant, what) => dedicated.exportItems(tenant, what) },
    isDedicated: (tenant) => options.config()?.config.tenants.find((t) => t.name === tenant)?.tenant.spec.mode === 'dedicated',
    ...(events ? { events } : {}),
  };
  return bindKind(sharedCleanupKind, deps);
}

/** The engine's extra kinds: `promotion` and `shared-cleanup` when configured, none otherwise. */
export function promotionKinds(options: ControllerPromotionOptions): Record<string, BoundKind> {
  const kind = controllerPromotionKind(options);
  return kind ? { promotion: kind, 'shared-cleanup': sharedCleanup(options, kind) } : {};
}

// `rp9 controller`: assembles the edges from settings, starts the HTTP
// surface and the reconcile loop, and reacts to pushes and drift. A missing
// dependency never crashes it: it is reported and retried.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { createParseCache } from '../../config/load-config.js';
import { createCompileCache } from '../compile/compile-cache.js';
import { createGitHubForge, type Forge } from '../../edges/forge/index.js';
import { createStripeClient } from '../../edges/stripe/client.js';
import { createStripeHook, type StripeHook } from './stripe-hook.js';
import { startHttpServer } from '../http/server.js';
import type { DepState, Readiness, TenantRow } from '../http/types.js';
import type { Logger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { coalesce } from '../../kernel/concurrency/coalesce.js';
import { recordTenants } from '../../controller/metrics/record.js';
import { createRouteCache, observePlatform } from '../observe/observe-platform.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../postgres/tenant-databases.js';
import { createCommitStatusReporter, type CommitStatusReporter } from '../reconcile/commit-status.js';
import { createConfigTracker, type GoodConfig } from '../reconcile/config-tracker.js';
import { WAITING_FOR_DOCKER_REASON } from '../reconcile/gate.js';
import { MAINTENANCE_WINDOW_REASON, pendingOf } from '../maintenance/windows.js';
import { startReconcileLoop, type ReconcileLoop } from '../reconcile/loop.js';
import { reconcileOnce } from '../reconcile/reconciler.js';
import { masterKeyFromEnv } from '../secrets/master-key.js';
import { openSource, SourceError } from '../../edges/git/index.js';
import { openStore, type Store } from '../store/index.js';
import { createApplyPorts } from './apply-ports.js';
import { createSwarmApplyPorts } from '../swarm/swarm-ports.js';
import { dockerClient } from './docker-client.js';
import { dockerHostCapacity } from '../docker/host-capacity.js';
import { watchDockerDrift } from './docker-drift.js';
import { backupRuntime, cliExporter, followingObjectStore } from '../backups/runtime.js';
import { startOperationsLoop } from './operations-loop.js';
import { RESTART_KIND, restartKind } from '../operations/restart.js';
import { SANDBOX_REMOVE_KIND, sandboxRemoveKind } from '../operations/sandbox-remove.js';
import { ApiError } from '../http/api/route.js';
import type { SandboxStack } from '../sandbox/sandbox-stack.js';
import { bindKind } from '../operations/kind.js';
import type { OperationEngine } from '../operations/engine.js';
import { upgradeWiring } from '../upgrades/controller-wiring.js';
import { revertPrOpener } from '../upgrades/revert-pr.js';
import type { UpgradeHook } from '../upgrades/reconcile-hook.js';
import { UPGRADE_KIND } from '../upgrades/live-colour.js';
import { upgradeSummary } from '../upgrades/upgrade-summary.js';
import { withFailureNotices } from './operation-notices.js';
import { stalledNotifier } from './stalled-notices.js';
import { operatorNotifier, operatorNotify } from './operator-notifier.js';
import { conditionWarnings } from '../store/conditions.js';
import { sandboxRuntime } from '../sandbox/sandbox-runtime.js';
import { sweepSandboxes } from '../sandbox/sandbox-sweep.js';
import { findDocker, dockerFoundText } from './docker-found.js';
import { statusPageUrl } from './status-url.js';
import { startTelemetryLoop } from './telemetry-loop.js';
import { startContainerAddressCheck } from './container-address-check.js';
import { startMembersLoop } from './members-loop.js';
import { memberFields } from '../shared-tenants/member-fields.js';
import { compileContextFor, type ControllerSettings } from './settings.js';
import { apiBotsFromEnv } from './api-bots.js';
import { demotionKinds } from '../demotion/controller-kind.js';
import { demotionRollbackPrOpener } from '../demotion/rollback-pr.js';
import { dedicatedStacksOnEngine } from '../demotion/start-due.js';
import { promotionKinds } from '../promotion/controller-kind.js';
import { rollbackPrOpener } from '../promotion/rollback-pr.js';
import { StartupError, startupProblems } from './startup-checks.js';

export interface RunningController {
  url: string;
  loop: ReconcileLoop;
  store: Store;
  /** Stops the loop, HTTP server and connections. `releaseLease: false` leaves the lease to expire, as a crash would (tests of failover). */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

async function probe(check: () => Promise<unknown>): Promise<DepState> {
  const started = Date.now();
  try {
    await check();
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (error) {
    return { status: 'down', latencyMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

function forgeFor(settings: ControllerSettings, logger: Logger): Forge | undefined {
  if (!settings.github) return undefined;
  const [owner, repo] = settings.github.repository.split('/');
  if (!owner || !repo) {
    logger.warn('RP9_GITHUB_REPOSITORY must be owner/repo; commit statuses are off', { value: settings.github.repository });
    return undefined;
  }
  return createGitHubForge({ owner, repo, auth: { token: settings.github.token }, ...(settings.github.apiUrl ? { baseUrl: settings.github.apiUrl } : {}) });
}

/** Test seams of a running controller: the clock maintenance windows are read against. */
export interface ControllerHooks {
  now?(): Date;
}

export async function runController(settings: ControllerSettings, logger: Logger, env: NodeJS.ProcessEnv, hooks: ControllerHooks = {}): Promise<RunningController> {
  // Fail at start, not at the first secret or the first n8n that cannot reach its database.
  const problems = startupProblems(settings, env);
  if (problems.length > 0) throw new StartupError(problems);
  const masterKey = masterKeyFromEnv(env);
  const docker: Docker = dockerClient(settings.dockerHost);
  // The first line says whether Docker answers: it decides what a new user will see applied.
  const dockerFound = await findDocker(docker, settings.dockerHost ?? '/var/run/docker.sock');
  logger.info('controller starting', { docker: dockerFoundText(dockerFound), docker_found: dockerFound.found, store: env.DATABASE_URL ? 'postgres (DATABASE_URL)' : `embedded in ${settings.stateDir}`, pid: process.pid });
  const metrics = createMetrics();
  const databases: DatabaseAdmin | undefined = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
  const source = openSource({ url: settings.repo, branch: settings.branch, cacheDir: join(settings.stateDir, 'git'), env });
  const tracker = createConfigTracker(source, createParseCache());
  const compileCache = createCompileCache();
  const forge = forgeFor(settings, logger);
  const stripeSettings = settings.stripe;
  let stripeHook: StripeHook | undefined;
  const holder = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const routeCache = createRouteCache();
  let store: Store | undefined;
  let storeError: string | undefined;
  let environment = 'default';
  /** platform.spec.runtime of the config in force: what observe reads (containers, or a swarm's services). */
  let runtime: 'docker' | 'swarm' = 'docker';
  let gitState: DepState = { status: 'down', error: 'not fetched yet' };
  // RP9_CONTAINER_POSTGRES / RP9_CONTAINER_REDIS probed from a container on the tenants' network.
  const addressCheck = startContainerAddressCheck({
    docker,
    network: settings.network,
    targets: [
      { variable: 'RP9_CONTAINER_POSTGRES', ...settings.containerPostgres },
      { variable: 'RP9_CONTAINER_REDIS', ...settings.containerRedis },
    ],
    config: () => tracker.lastGood(),
    logger,
  });

  // The HTTP server listens before the loop starts: the loop's first pass
  // already posts commit statuses, and they link the status page it serves.
  let loop: ReconcileLoop | undefined;
  // The API journals operations on the engine built once the store is open.
  let apiEngine: OperationEngine | undefined;
  let apiKinds: readonly string[] = [];
  let apiSandboxStack: (() => SandboxStack) | undefined;

  let upgradeHook: UpgradeHook | undefined;
  const reconcileWith = (commitStatus: CommitStatusReporter, store: Store) => {
    const notify = operatorNotifier(settings, store.deliveries);
    // Stalled tenants are told to the operators' channel once per change of the set (stalled-notice.ts).
    const tellStalled = notify ? stalledNotifier({ status: store.status, notify, logger }) : undefined;
    return async () => {
      const result = await reconcilePass(commitStatus, store);
      await tellStalled?.();
      return result;
    };
  };
  const reconcilePass = (commitStatus: CommitStatusReporter, store: Store) => {
    // Ports are made for the config in force after tracking: made before it,
    // the first pass would label databases and the network with the wrong
    // environment (and write routes with default router options).
    const portsFor = (good: GoodConfig) => (good.platform.spec.runtime === 'swarm' ? createSwarmApplyPorts : createApplyPorts)({
      convergeTimeoutMs: settings.healthTimeoutMs,
      environment: good.platform.spec.environment,
      network: settings.network,
      docker,
      databases: databases ?? {
        observe: async () => [],
        ensure: async () => {
          throw Object.assign(new Error('no tenant database server configured'), { code: 'controller.no-tenant-database' });
        },
        drop: async () => undefined,
        close: async () => undefined,
      },
      routesDir: settings.routesDir,
      traefik: compileContextFor(settings, good.platform).traefik,
      secrets: store.secrets,
      healthTimeoutMs: settings.healthTimeoutMs,
    });
    return reconcileOnce({
      tracker: {
        track: async () => {
          const result = await tracker.track();
          gitState = result.kind === 'unreachable' ? { status: 'down', error: result.message } : { status: 'up' };
          if (result.good) {
            environment = result.good.platform.spec.environment;
            runtime = result.good.platform.spec.runtime;
          }
          return result;
        },
        lastGood: tracker.lastGood,
      },
      compileContext: (platform) => compileContextFor(settings, platform),
      compileCache,
      observe: () => observePlatform({ environment, docker, runtime, routesDir: settings.routesDir, routeCache, ...(databases ? { databases } : {}) }),
      ports: portsFor,
      tenantDatabases: databases !== undefined,
      ...(upgradeHook ? { upgrades: upgradeHook } : {}),
      // The same condition as the demotion kind (controller/demotion/controller-kind.ts).
      demotions: Boolean(env.RP9_SHARED_N8N_CONTAINER?.trim() && env.RP9_SHARED_N8N_API_KEY?.trim() && settings.sharedDatabaseUrl),
      ...(hooks.now ? { now: hooks.now } : {}),
      onTenantRecorded: refreshTenantMetrics,
      store,
      commitStatus,
      metrics,
      logger,
      options: { allowMassDeletionCommit: settings.allowMassDeletionCommit, concurrency: settings.concurrency, retry: { attempts: 4, baseMs: 500, maxMs: 8_000 } },
    });
  };

  // rp9_tenants_total and rp9_tenant_ready follow each tenant's status as the
  // pass records it (a burst of tenants finishing costs one or two reads).
  const refreshTenantMetrics = coalesce(async () => recordTenants(metrics, await tenantRows()));

  async function tenantRows(): Promise<TenantRow[]> {
    const good = tracker.lastGood();
    const statuses = new Map((store ? await store.status.list() : []).map((s) => [s.tenant, s]));
    const now = new Date();
    const upgrades = new Map((store ? await store.operations.latestByKind(UPGRADE_KIND) : []).map((o) => [o.tenant, upgradeSummary(o, now)]));
    return (good?.config.tenants ?? []).map(({ name, tenant }) => {
      const status = statuses.get(name);
      const ready = status?.conditions.find((c) => c.type === 'Ready');
      const warnings = conditionWarnings(status?.conditions ?? []);
      return {
        name,
        ...(tenant.metadata.displayName ? { displayName: tenant.metadata.displayName } : {}),
        mode: tenant.spec.mode,
        plan: tenant.spec.plan,
        phase: status?.phase ?? 'provisioning',
        ready: ready?.status === 'True',
        ...(ready ? { reason: `${ready.reason}: ${ready.message}` } : {}),
        ...(ready?.status === 'False' && ready.reason === WAITING_FOR_DOCKER_REASON ? { waitingForDocker: true } : {}),
        ...(ready?.status === 'False' && ready.reason === MAINTENANCE_WINDOW_REASON ? { pendingWindow: pendingOf(ready.message) } : {}),
        ...(status?.appliedCommit ? { appliedCommit: status.appliedCommit } : {}),
        ...(status?.updatedAt ? { updatedAt: status.updatedAt } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(upgrades.has(name) ? { upgrade: upgrades.get(name) as string } : {}),
      };
    });
  }

  const http = await startHttpServer({
    host: settings.listen.host,
    port: settings.listen.port,
    logger,
    deps: {
      async readiness(): Promise<Readiness> {
        const [database, dockerState, tenantDatabase] = await Promise.all([
          store ? probe(() => store!.status.get('__probe__')) : Promise.resolve<DepState>({ status: 'down', error: storeError ?? 'opening the state store' }),
          probe(() => docker.ping()),
          databases ? probe(() => databases.observe(environment)) : Promise.resolve<DepState>({ status: 'disabled' }),
        ]);
        return { role: loop?.role() ?? 'unknown', database, docker: dockerState, git: gitState, tenantDatabase, containerAddresses: addressCheck.state() };
      },
      tenants: tenantRows,
      events: async ({ tenant, limit }) => (store ? store.events.recent({ ...(tenant ? { tenant } : {}), limit }) : []),
      member: async (tenant) => {
        const member = await store?.sharedMembers.get(tenant);
        return member ? memberFields(member) : undefined;
      },
      async lastCommit() {
        const good = tracker.lastGood();
        if (!good) return undefined;
        const invalid = loop?.lastResult()?.invalidCommit;
        return { sha: good.commit, ...(invalid ? { newerInvalid: invalid } : {}) };
      },
      onGithubPush: (event) => {
        if (event.deleted) return;
        if (event.ref !== `refs/heads/${settings.branch}`) return;
        logger.info('push received', { delivery: event.delivery, after: event.after });
        // Before the loop runs, its first pass (on taking the lease) reads the pushed commit anyway.
        loop?.trigger(`push ${event.after.slice(0, 12)}`);
      },
      metricsRegistry: metrics.registry,
      requestMetrics: metrics,
      ...(settings.webhookSecret ? { webhookSecret: settings.webhookSecret } : {}),
      ...(stripeSettings ? { stripeWebhook: (body: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>) => {
        if (!store) return Promise.resolve({ status: 503, body: { ok: false, code: 'stripe.store-unavailable', message: 'the store is not open yet; Stripe retries the delivery' } });
        stripeHook ??= createStripeHook({ stripe: createStripeClient({ apiKey: stripeSettings.apiKey, ...(stripeSettings.apiUrl ? { apiUrl: stripeSettings.apiUrl } : {}) }), secret: stripeSettings.webhookSecret, store, config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files, ...(forge ? { forge } : {}), baseBranch: settings.branch, logger: logger.child({ component: 'stripe-webhook' }) });
        return stripeHook(body, headers);
      } } : {}),
      version: '0.1.0',
      statusRefreshSeconds: settings.statusRefreshSeconds,
    },
    api: {
      ...(settings.api ? { auth: settings.api } : {}),
      store: () => store,
      config: tracker.lastGood,
      configFiles: async (commit) => (await source.snapshot(commit)).files,
      // GET /analytics/growth and /recommendations: the fetched history, from the commit in force.
      configCommits: async (head, max) => {
        if (!source.history) throw new SourceError('source.corrupt', `the config source ${source.location} keeps no history`);
        return (await source.history(head)).commits(max);
      },
      hostCapacity: async () => [await dockerHostCapacity(docker)],
      ...(forge ? { forge } : {}),
      baseBranch: settings.branch,
      // Journaled here, run by the leader's operations loop (the same runner name on every controller).
      startOperation: (kind, tenant, state) => {
        if (!apiEngine) throw Object.assign(new Error('the operation engine is not built yet'), { code: 'api.operations-unavailable' });
        return apiEngine.start(kind, tenant, state);
      },
      operationKinds: () => apiKinds,
      // DELETE /sandboxes/:id checks the inventory here (404) before journaling the removal for the leader.
      sandboxInventory: async () => {
        if (!apiSandboxStack) throw new ApiError(503, 'api.sandboxes-unavailable', 'this controller has no sandbox stack (a tenant database server is needed: RP9_TENANT_DATABASE_URL), or its store is still opening');
        return apiSandboxStack().inventory();
      },
      ...apiBotsFromEnv(env, () => store, logger),
      rateLimitPerMinute: settings.apiRateLimitPerMinute,
    },
  });
  // The store opens after the HTTP server listens: on a first run the embedded
  // store's initdb takes seconds, and /readyz says so meanwhile.
  let opened: Store;
  try {
    opened = await openStore({
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(masterKey ? { masterKey } : {}),
      dir: settings.stateDir,
      notify: (message) => logger.info(message),
    });
  } catch (error) {
    storeError = error instanceof Error ? error.message : String(error);
    await addressCheck.stop();
    await http.close().catch(() => undefined);
    await databases?.close().catch(() => undefined);
    throw error;
  }
  store = opened;
  const statusUrl = statusPageUrl(settings.publicUrl, { host: settings.listen.host, port: http.port });
  const commitStatus = createCommitStatusReporter(forge, {
    environment: () => environment,
    ...(statusUrl ? { targetUrl: statusUrl } : {}),
    onError: (error, retryInMs) => logger.warn(retryInMs === undefined ? 'could not post commit status; gave up' : 'could not post commit status; will retry', { error: error instanceof Error ? error.message : String(error), retry_in_ms: retryInMs }),
  });

  const started = startReconcileLoop({
    reconcile: reconcileWith(commitStatus, opened),
    intervalMs: settings.intervalMs,
    backoff: { baseMs: 1_000, maxMs: 60_000 },
    leaseRenewMs: settings.lease.renewMs,
    lease: {
      hold: async () => (await opened.lease.tryAcquire('controller', holder, settings.lease.ttlMs)).leader,
      release: async () => void (await opened.lease.release('controller', holder)),
    },
    logger,
    onRole: (role) => metrics.leader.set(role === 'leader' ? 1 : 0),
    onResult: async () => {
      metrics.reconcileQueueDepth.set(started.queueDepth());
      recordTenants(metrics, await tenantRows().catch(() => []));
    },
  });
  loop = started;

  const stopTelemetry = startTelemetryLoop({
    intervalMs: settings.telemetryIntervalMs,
    docker,
    tenantDatabaseUrl: settings.tenantDatabaseUrl,
    sharedDatabaseUrl: settings.sharedDatabaseUrl,
    operations: store.operations,
    subscriptions: () => store.subscriptions.byCustomer(),
    config: tracker.lastGood,
    isLeader: () => started.role() === 'leader',
    metrics,
    logger,
  });

  // Backups (and later restores, drills, promotions) run as journaled operations on the leader.
  const backupObjects = followingObjectStore(() => tracker.lastGood()?.platform, env, settings.stateDir);
  let upgradeEngine: OperationEngine | undefined;
  const upgrades = databases && settings.tenantDatabaseUrl ? upgradeWiring({
    config: tracker.lastGood,
    compileContext: (platform) => compileContextFor(settings, platform),
    ports: (good) => createApplyPorts({ environment: good.platform.spec.environment, network: settings.network, docker, databases, routesDir: settings.routesDir, traefik: compileContextFor(settings, good.platform).traefik, secrets: store.secrets, healthTimeoutMs: settings.healthTimeoutMs }),
    adminUrl: settings.tenantDatabaseUrl,
    docker,
    backup: { objects: backupObjects, catalogue: store.backups, masterKey: () => store.masterKey(), metrics },
    events: store.events,
    metrics,
    ...(forge ? { revertPr: revertPrOpener({ forge, baseBranch: settings.branch, config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }) } : {}),
    operations: store.operations,
    engine: () => upgradeEngine,
  }) : undefined;
  const sandboxes = databases ? sandboxRuntime({ settings, docker, databases, store, objects: backupObjects, config: () => { const good = tracker.lastGood(); return good ? { platform: good.platform, tenants: good.config.tenants } : undefined; } }) : undefined;
  const { engine } = backupRuntime({
    store,
    objects: backupObjects,
    tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
    n8n: cliExporter({
      docker,
      operations: store.operations,
      ...(env.RP9_SHARED_N8N_CONTAINER ? { sharedContainer: env.RP9_SHARED_N8N_CONTAINER } : {}),
      ...(settings.sharedDatabaseUrl ? { sharedDatabaseUrl: settings.sharedDatabaseUrl } : {}),
      emailOf: (tenant) => tracker.lastGood()?.config.tenants.find((t) => t.name === tenant)?.tenant.metadata.email,
    }),
    logger,
    runner: 'controller',
    metrics,
    ...(sandboxes ? { restore: sandboxes.restore, inPlace: sandboxes.inPlace, drill: { ...sandboxes.drill, ...operatorNotify(settings, store.deliveries) } } : {}),
    extraKinds: {
      // A failed or rolled-back promotion or upgrade is told to the operators once (operation-notices.ts).
      ...withFailureNotices({
        ...promotionKinds({
          env, docker, store, objects: backupObjects, logger, metrics, stateDir: settings.stateDir, routesDir: settings.routesDir, sharedDatabaseUrl: settings.sharedDatabaseUrl, network: settings.network, config: tracker.lastGood, compileContext: (platform) => compileContextFor(settings, platform),
          ...(forge ? { rollbackPr: rollbackPrOpener({ forge, baseBranch: settings.branch, config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }) } : {}),
        }),
        // The same machinery in reverse: a shared tenant in git whose data is on its dedicated stack.
        ...demotionKinds({
          env, docker, store, objects: backupObjects, logger, metrics, stateDir: settings.stateDir, routesDir: settings.routesDir, sharedDatabaseUrl: settings.sharedDatabaseUrl, network: settings.network, config: tracker.lastGood, compileContext: (platform) => compileContextFor(settings, platform),
          tenantDatabaseUrl: settings.tenantDatabaseUrl,
          ...(forge ? { rollbackPr: demotionRollbackPrOpener({ forge, baseBranch: settings.branch, config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }) } : {}),
        }),
        ...upgrades?.kinds,
      }, operatorNotifier(settings, store.deliveries)),
      // POST /tenants/:id/restart: what rp9 tenant restart does, journaled.
      [RESTART_KIND]: bindKind(restartKind, { docker, environment: () => environment, events: store.events }),
      // DELETE /sandboxes/:id: the sweep's removal, before the TTL.
      ...(sandboxes ? { [SANDBOX_REMOVE_KIND]: bindKind(sandboxRemoveKind, { stack: sandboxes.stack, operations: store.operations, events: store.events }) } : {}),
    },
  });
  upgradeEngine = engine;
  apiEngine = engine;
  // A drill restores into a sandbox, so it needs the same edges as restore.
  apiKinds = ['backup', RESTART_KIND, ...(sandboxes ? ['restore', 'restore-in-place', 'drill', SANDBOX_REMOVE_KIND] : [])];
  apiSandboxStack = sandboxes?.stack;
  upgradeHook = upgrades?.hook;
  const stopOperations = startOperationsLoop({
    intervalMs: settings.operationsIntervalMs,
    engine,
    store,
    objects: backupObjects,
    config: tracker.lastGood,
    isLeader: () => started.role() === 'leader',
    logger,
    metrics,
    dedicatedStacks: () => dedicatedStacksOnEngine(docker, environment),
    sharedBackups: { exportable: Boolean(env.RP9_SHARED_N8N_CONTAINER?.trim() && settings.sharedDatabaseUrl), membersManaged: Boolean(settings.sharedN8nApi.apiKey) },
    ...(sandboxes ? { sweepSandboxes: (now: Date) => (tracker.lastGood() ? sweepSandboxes(sandboxes.stack(), store.operations, now, logger) : Promise.resolve([])) } : {}),
  });

  const stopMembers = startMembersLoop({ settings, store, config: tracker.lastGood, isLeader: () => started.role() === 'leader', logger });

  const stopDrift = watchDockerDrift(docker, () => environment, () => started.trigger('drift'), logger);

  logger.info('controller started', { url: http.url, status_url: statusUrl, repo: settings.repo.replace(/\/\/[^@/]*@/, '//***@'), branch: settings.branch, store: opened.backend.description, routes_dir: settings.routesDir, holder });

  return {
    url: http.url,
    loop: started,
    store: opened,
    async stop(options = {}) {
      stopDrift();
      stopTelemetry();
      await addressCheck.stop();
      stopMembers();
      await stopOperations();
      commitStatus.close();
      await started.stop(options);
      await http.close();
      await databases?.close();
      await opened.close();
    },
  };
}

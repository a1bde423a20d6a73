// A controller on a real config repo that applies dedicated tenants to the
// test dockerd with real n8n images, wired as run-controller.ts wires it: the
// containers join their own bridge network and reach the harness's PostgreSQL
// and Redis at `hostFromContainers`. For the real-n8n e2e tests. The config
// repo is a local git server's, or (`github: true`) the GitHub contract
// server's, with the upgrade's revert PR opened there as run-controller.ts
// opens it on the forge.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { createParseCache } from '../../../config/load-config.js';
import { createCompileCache } from '../../../controller/compile/compile-cache.js';
import { LABEL } from '../../../controller/model.js';
import { observePlatform } from '../../../controller/observe/observe-platform.js';
import { createDatabaseAdmin } from '../../../controller/postgres/tenant-databases.js';
import { createCommitStatusReporter } from '../../../controller/reconcile/commit-status.js';
import { createConfigTracker } from '../../../controller/reconcile/config-tracker.js';
import { reconcileOnce, type ReconcileResult } from '../../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../../controller/runtime/apply-ports.js';
import { createOperationEngine, type OperationEngine } from '../../../controller/operations/engine.js';
import { bindKind } from '../../../controller/operations/kind.js';
import { upgradeKind } from '../../../controller/operations/upgrade.js';
import type { GoodConfig } from '../../../controller/reconcile/config-tracker.js';
import { createUpgradeHook } from '../../../controller/upgrades/reconcile-hook.js';
import { revertPrOpener } from '../../../controller/upgrades/revert-pr.js';
import { upgradeDeps } from '../../../controller/upgrades/runtime.js';
import { fsObjectStore } from '../../../edges/object-store/index.js';
import { compileContextFor, controllerSettings, type ControllerSettings } from '../../../controller/runtime/settings.js';
import { openSource, TOKEN_ENV } from '../../../edges/git/index.js';
import { openStore, type Store, type StoreOptions } from '../../../controller/store/index.js';
import { silentLogger } from '../../../kernel/log/logger.js';
import { createMetrics } from '../../../kernel/metrics/registry.js';
import { commitFiles, createConfigRepo } from '../../fixtures/git-repo.js';
import { startGitServer } from '../../harness/git-server.js';
import { FULL_NAME, startConfigStack, type ConfigStack } from '../bots-support.js';

export interface N8nControllerOptions {
  docker: Docker;
  postgresUrl: string;
  redisUrl: string;
  hostFromContainers: string;
  environment: string;
  network: string;
  files: Record<string, string>;
  /** The config repo on the GitHub contract server (default: a local git server), and the upgrade's revert PR opened there. */
  github?: boolean;
  /** RP9_SUSPENDED_URL: where the held route of an upgrade's swap (and a suspended tenant's) points. */
  suspendedUrl?: string;
  /** Tenant databases to drop before and after. */
  databases: string[];
  healthTimeoutSeconds: number;
  /** Blue/green upgrades: the watch after the swap, shortened for tests. */
  watchSeconds?: number;
  /** The store (default: in memory); a PostgreSQL one when an rp9 process of its own must share it. */
  store?: Pick<StoreOptions, 'databaseUrl' | 'masterKey'>;
}

export interface N8nController {
  /** Commits `files` (path → content) to the config repo's main branch; returns the commit. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  /** The config repo's main branch now (its commit). */
  head(): string;
  /** The GitHub contract server holding the config repo (`github: true` only). */
  github: ConfigStack | undefined;
  store: Store;
  settings: ControllerSettings;
  /** The RP9_* environment the settings came from: with the store's, an `rp9` CLI process acts on the same stack. */
  env: Record<string, string>;
  reconcile(): Promise<ReconcileResult>;
  /** The operation engine with the upgrade kind, driven by the test (the operations loop's job in the controller). */
  engine: OperationEngine;
  /** Removes what the controller created (containers, volumes, network, databases) and stops the repo server. */
  stop(): Promise<void>;
}

export async function startN8nController(options: N8nControllerOptions): Promise<N8nController> {
  const { docker, environment, network } = options;
  const databases = createDatabaseAdmin(options.postgresUrl);
  // One at a time, in the order given: a role is dropped only after every database it owns (blue before green).
  const dropDatabases = async () => {
    for (const name of options.databases) await databases.drop({ database: name, role: name }).catch(() => undefined);
  };
  await dropDatabases();
  const served = await serveConfigRepo(options);
  const stateDir = await mkdtemp(join(tmpdir(), 'rp9-n8n-controller-'));
  const store = await openStore({ ...(options.store ?? { memory: true }), notify: () => {} });
  const host = options.hostFromContainers;
  const env = {
    RP9_DOCKER_NETWORK: network,
    RP9_TENANT_DATABASE_URL: options.postgresUrl,
    RP9_CONTAINER_POSTGRES: `${host}:${new URL(options.postgresUrl).port}`,
    RP9_CONTAINER_REDIS: `${host}:${new URL(options.redisUrl).port}`,
    RP9_HEALTH_TIMEOUT_SECONDS: String(options.healthTimeoutSeconds),
    ...(options.suspendedUrl ? { RP9_SUSPENDED_URL: options.suspendedUrl } : {}),
  };
  const settings = controllerSettings({ repo: served.url, 'state-dir': stateDir }, env, process.cwd());
  const source = openSource({ url: settings.repo, cacheDir: join(stateDir, 'git'), env: served.github ? { [TOKEN_ENV]: 'test-token' } : {} });
  const tracker = createConfigTracker(source, createParseCache());
  const compileCache = createCompileCache();
  const ports = (good: GoodConfig) => createApplyPorts({
    environment,
    network: settings.network,
    docker,
    databases,
    routesDir: settings.routesDir,
    traefik: compileContextFor(settings, good.platform).traefik,
    secrets: store.secrets,
    healthTimeoutMs: settings.healthTimeoutMs,
  });
  const engine = createOperationEngine({
    operations: store.operations,
    kinds: {
      upgrade: bindKind(upgradeKind, upgradeDeps({
        config: tracker.lastGood,
        compileContext: (platform) => compileContextFor(settings, platform),
        ports,
        adminUrl: options.postgresUrl,
        docker,
        backup: { objects: fsObjectStore(join(stateDir, 'backups')), catalogue: store.backups, masterKey: () => store.masterKey() },
        events: store.events,
        ...(options.watchSeconds !== undefined ? { watchSeconds: options.watchSeconds } : {}),
        ...(served.github ? { revertPr: revertPrOpener({ forge: served.github.forge, baseBranch: 'main', config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }) } : {}),
      })),
    },
    logger: silentLogger(),
    runner: 'controller',
  });
  const upgrades = createUpgradeHook({ operations: store.operations, startOperation: (kind, tenant, state) => engine.start(kind, tenant, state) });
  const reconcile = () =>
    reconcileOnce({
      tracker,
      compileContext: (platform) => compileContextFor(settings, platform),
      compileCache,
      observe: () => observePlatform({ environment, docker, routesDir: settings.routesDir, databases }),
      ports,
      tenantDatabases: true,
      upgrades,
      store,
      commitStatus: createCommitStatusReporter(undefined, { environment: () => environment }),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      options: { concurrency: 2, retry: { attempts: 2, baseMs: 500, maxMs: 2_000 } },
    });
  const stop = async () => {
    const mine = { label: [`${LABEL.environment}=${environment}`] };
    for (const info of await docker.listContainers({ all: true, filters: mine })) await docker.getContainer(info.Id).remove({ force: true });
    for (const volume of (await docker.listVolumes({ filters: mine })).Volumes ?? []) await docker.getVolume(volume.Name).remove({ force: true });
    await docker.getNetwork(network).remove().catch(() => undefined);
    await dropDatabases();
    await databases.close();
    await store.close();
    await served.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  return { commit: served.commit, head: served.head, github: served.github, store, settings, env, reconcile, engine, stop };
}

interface ServedRepo {
  url: string;
  github: ConfigStack | undefined;
  commit(files: Record<string, string>, message: string): Promise<string>;
  head(): string;
  stop(): Promise<void>;
}

async function serveConfigRepo(options: N8nControllerOptions): Promise<ServedRepo> {
  if (options.github) {
    const stack = await startConfigStack(options.files);
    return { url: stack.gitUrl, github: stack, commit: async (files, message) => stack.gh.state.commit(FULL_NAME, { files, message }), head: () => stack.gh.state.repo(FULL_NAME).refs.get('refs/heads/main') as string, stop: () => stack.stop() };
  }
  const repo = await createConfigRepo(options.files);
  const git = await startGitServer(repo.root);
  return {
    url: `${git.url}/${repo.name}`,
    github: undefined,
    commit: (files, message) => commitFiles(repo, files, message),
    head: () => repo.head,
    stop: async () => {
      await git.stop();
      await repo.cleanup();
    },
  };
}

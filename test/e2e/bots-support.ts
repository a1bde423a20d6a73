// Shared arrangement for the bots' end-to-end tests: a config repo on the
// GitHub contract server, the forge and reader the runner uses against it, and
// "the controller applies the merge": the merged base branch committed to a
// git smart-HTTP repo, read by the controller's source and config tracker,
// compiled and planned.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { createParseCache } from '../../config/load-config.js';
import { connectGitHub, gitBaseFromApi } from '../../bots/sources/env.js';
import { readRemoteGitBase } from '../../bots/sources/git-base-remote.js';
import type { RunBotDeps } from '../../bots/runner/types.js';
import { checkCompileContext } from '../../bots/runner/check-pr.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import type { Forge } from '../../edges/forge/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import type { Plan } from '../../controller/model.js';
import { convergedObserved } from '../../controller/plan/fixtures.js';
import { plan } from '../../controller/plan/plan.js';
import { createConfigTracker } from '../../controller/reconcile/config-tracker.js';
import { openSource } from '../../edges/git/index.js';
import { commitFiles as pushFiles, createConfigRepo } from '../fixtures/git-repo.js';
import { startGitHubServer, type GitHubServer, type RecordedRequest } from '../github/server.js';
import { startGitServer } from '../harness/git-server.js';
import { startExporter } from '../harness/exporter.js';
import { startPrometheus } from '../harness/prometheus.js';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { createPrometheusMetrics } from '../../bots/sources/prometheus-metrics.js';
import type { BotMetrics } from '../../bots/sources/types.js';
import Docker from 'dockerode';
import { inject } from 'vitest';
import type { Platform } from '../../config/types.js';
import { createCompileContext } from '../../controller/compile/context.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { LABEL } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { createCommitStatusReporter } from '../../controller/reconcile/commit-status.js';
import { reconcileOnce, type ReconcileResult } from '../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../controller/runtime/apply-ports.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { openStore, type Store } from '../../controller/store/index.js';
import type { ConfigRepo } from '../fixtures/git-repo.js';
import { ensureTestImage } from '../harness/test-image.js';

export const OWNER = 'acme';
export const REPO = 'config';
export const FULL_NAME = `${OWNER}/${REPO}`;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const examplePlatform = readFileSync(join(repoRoot, 'platform.yaml'), 'utf8');

/** The example platform.yaml with `edits` (dotted path → value) applied. */
export function platformYaml(edits: Record<string, unknown> = {}): string {
  const doc = parseDocument(examplePlatform);
  for (const [path, value] of Object.entries(edits)) doc.setIn(path.split('.'), value);
  return doc.toString();
}

export interface ConfigStack {
  gh: GitHubServer;
  forge: Forge;
  /** The repository's smart-HTTP URL on the contract server. */
  gitUrl: string;
  /** A git cache for this stack's runs (RP9_BOTS_GIT_CACHE_DIR), removed by stop(). */
  gitCacheDir: string;
  /** Files committed to main so far, by path. */
  file(path: string, ref?: string): string | undefined;
  stop(): Promise<void>;
}

/** The config repo's initial commit is dated `seededHoursAgo` (default 2) ago: older than any cooldown. */
export async function startConfigStack(files: Record<string, string>, options: { requiredContexts?: string[]; seededHoursAgo?: number } = {}): Promise<ConfigStack> {
  let offset = -(options.seededHoursAgo ?? 2) * 3_600_000;
  const repo = { owner: OWNER, name: REPO, files, ...(options.requiredContexts ? { requiredContexts: options.requiredContexts } : {}) };
  const gh = await startGitHubServer({ repos: [repo], now: () => Date.now() + offset });
  offset = 0;
  const gitUrl = `${gitBaseFromApi(gh.url)}/${OWNER}/${REPO}.git`;
  const { forge } = connectGitHub({ owner: OWNER, repo: REPO, auth: { token: 'test-token' }, apiUrl: gh.url, baseBranch: 'main', gitUrl });
  const gitCacheDir = await mkdtemp(join(tmpdir(), 'rp9-bots-git-'));
  return {
    gh,
    forge,
    gitUrl,
    gitCacheDir,
    file: (path, ref = 'main') => gh.state.readFile(FULL_NAME, ref, path),
    stop: async () => {
      await rm(gitCacheDir, { recursive: true, force: true });
      await gh.stop();
    },
  };
}

/** What a scheduled run gets: the base branch fetched with git, its history from the same git data. */
export async function runDeps(stack: ConfigStack, extra: Partial<RunBotDeps> = {}): Promise<RunBotDeps> {
  const read = await readRemoteGitBase({ url: stack.gitUrl, branch: 'main', token: 'test-token', cacheDir: stack.gitCacheDir });
  return {
    base: read.base,
    forge: stack.forge,
    ...(read.history ? { history: read.history } : {}),
    now: new Date(),
    dryRun: false,
    logger: silentLogger(),
    ...extra,
  };
}

/** Requests that change something on GitHub. */
export function writes(gh: GitHubServer): RecordedRequest[] {
  return gh.state.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

/** Lines removed and added between two texts (same line count expected for field edits). */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { removed: a.filter((line, i) => b[i] !== line), added: b.filter((line, i) => a[i] !== line) };
}

/**
 * The controller's view of a merge: `before` then `after` (the merged base branch) pushed to a git
 * smart-HTTP repo; the controller's source and config tracker read both commits; the plan is what
 * a platform converged on `before` must do for `after`.
 */
export async function controllerPlanForMerge(before: Record<string, string>, after: Record<string, string>): Promise<{ plan: Plan; commits: [string, string]; tracked: string[] }> {
  const repo = await createConfigRepo(before);
  const server = await startGitServer(repo.root);
  const cacheDir = await mkdtemp(join(tmpdir(), 'rp9-bots-e2e-cache-'));
  try {
    const tracker = createConfigTracker(openSource({ url: `${server.url}/${repo.name}`, cacheDir, env: {} }), createParseCache());
    const first = await tracker.track();
    const changed = Object.fromEntries(Object.entries(after).filter(([path, text]) => before[path] !== text));
    const deleted = Object.fromEntries(Object.keys(before).filter((path) => !(path in after)).map((path) => [path, null]));
    await pushFiles(repo, { ...changed, ...deleted }, 'merge bot pull request');
    const second = await tracker.track();
    if (first.kind !== 'updated' || second.kind !== 'updated') throw new Error(`tracker: ${first.kind} then ${second.kind}`);
    const desired = (good: typeof first.good) => compileDesired(good.platform, good.config.tenants, checkCompileContext(good.platform), { commit: good.commit });
    const result = plan(desired(second.good), convergedObserved(desired(first.good)), { maxDeletionPercent: second.good.platform.spec.safety.maxDeletionPercent });
    return { plan: result, commits: [first.commit, second.commit], tracked: [first.kind, second.kind] };
  } finally {
    await server.stop();
    await repo.cleanup();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** Every config file on a branch of the contract server. */
export function filesAt(stack: ConfigStack, ref = 'main'): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of stack.gh.state.listFiles(FULL_NAME, ref)) {
    if (path === 'platform.yaml' || /^tenants\/[^/]+\.ya?ml$/.test(path)) files[path] = stack.file(path, ref)!;
  }
  return files;
}

/** Exposition text for per-tenant gauges: { metric: { tenant: value } }. */
export function exposition(series: Record<string, Record<string, number>>): string {
  const lines: string[] = [];
  for (const [metric, byTenant] of Object.entries(series)) {
    lines.push(`# TYPE ${metric} gauge`);
    for (const [tenant, value] of Object.entries(byTenant)) lines.push(`${metric}{tenant="${tenant}"} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface MetricsStack {
  /** Prometheus's URL (RP9_PROMETHEUS_URL for the CLI). */
  url: string;
  /** The bots' metrics source, reading that Prometheus. */
  metrics: BotMetrics;
  waitForSeries(query: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** A test exporter serving `source` and a real Prometheus scraping it, returned once `readyQuery` has a series. */
export async function startMetricsStack(source: () => string, readyQuery: string): Promise<MetricsStack> {
  const exporter = await startExporter({ source });
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.target] }).catch(async (error: unknown) => {
    await exporter.stop();
    throw error;
  });
  const stop = async () => {
    await prometheus.stop();
    await exporter.stop();
  };
  try {
    await prometheus.waitForSeries(readyQuery);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: prometheus.url,
    metrics: createPrometheusMetrics(createPrometheusClient({ url: prometheus.url })),
    waitForSeries: (query) => prometheus.waitForSeries(query),
    stop,
  };
}

export interface ControllerRig {
  docker: Docker;
  environment: string;
  /** Where the controller writes the Traefik route files. */
  routesDir: string;
  store: Store;
  repo: ConfigRepo;
  /** One reconcile pass, wired as run-controller.ts wires it (a fast health check instead of n8n's 10 s one). */
  reconcile(): Promise<ReconcileResult>;
  /** Commits `files` to the git repo the controller reads ("the merged base branch is pushed"); returns the commit. */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  /** Names of the environment's running containers, sorted. */
  running(): Promise<string[]>;
  /** Names of the environment's tenant databases in PostgreSQL, sorted. */
  databases(): Promise<string[]>;
  /** Removes every container, volume, image tag, network and tenant database the rig made, then the repo and state. */
  stop(): Promise<void>;
}

/**
 * A controller over the harness's dockerd, PostgreSQL and Redis, reading `files` from a git smart-HTTP repo.
 * `id` names the Docker network (`rp9-<id>`); `environment` labels everything the controller creates;
 * `images` are test-image tags made now and untagged by stop(); `tenants` name the databases stop() drops.
 */
export async function startControllerRig(options: { id: string; environment: string; files: Record<string, string>; images: string[]; tenants: string[] }): Promise<ControllerRig> {
  const { id, environment } = options;
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  for (const image of options.images) await ensureTestImage(docker, image);
  const databases = createDatabaseAdmin(inject('postgresUrl'));
  const stateDir = await mkdtemp(join(tmpdir(), 'rp9-bots-controller-'));
  const repo = await createConfigRepo(options.files);
  const git = await startGitServer(repo.root);
  const store = await openStore({ memory: true, notify: () => {} });

  const host = inject('hostFromContainers');
  const settings = controllerSettings({ repo: `${git.url}/${repo.name}`, 'state-dir': stateDir }, {
    RP9_DOCKER_NETWORK: `rp9-${id}`,
    RP9_CONTAINER_POSTGRES: `${host}:${new URL(inject('postgresUrl')).port}`,
    RP9_CONTAINER_REDIS: `${host}:${new URL(inject('redisUrl')).port}`,
  }, process.cwd());
  const compileContext = (platform: Platform) => createCompileContext(platform, {
    redis: settings.containerRedis,
    postgres: settings.containerPostgres,
    suspendedUrl: settings.suspendedUrl,
    network: settings.network,
    healthcheck: { test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:5678/healthz/readiness || exit 1'], intervalSeconds: 1, timeoutSeconds: 2, retries: 5, startPeriodSeconds: 0 },
  });
  const tracker = createConfigTracker(openSource({ url: settings.repo, cacheDir: join(stateDir, 'git'), env: {} }), createParseCache());
  const mine = { label: [`${LABEL.environment}=${environment}`] };

  return {
    docker,
    environment,
    routesDir: settings.routesDir,
    store,
    repo,
    reconcile: () =>
      reconcileOnce({
        tracker,
        compileContext,
        observe: () => observePlatform({ environment, docker, routesDir: settings.routesDir, databases }),
        ports: (good) => createApplyPorts({ environment, network: settings.network, docker, databases, routesDir: settings.routesDir, traefik: compileContext(good.platform).traefik, secrets: store.secrets, healthTimeoutMs: 30_000 }),
        tenantDatabases: true,
        store,
        commitStatus: createCommitStatusReporter(undefined, { environment: () => environment }),
        metrics: createMetrics({ defaultMetrics: false }),
        logger: silentLogger(),
        options: { concurrency: 2, retry: { attempts: 2, baseMs: 200, maxMs: 1_000 } },
      }),
    push: (files, message) => pushFiles(repo, files, message),
    async running() {
      const found = await docker.listContainers({ filters: { ...mine, status: ['running'] } });
      return found.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))).sort();
    },
    databases: async () => (await databases.observe(environment)).map((d) => d.name).sort(),
    async stop() {
      for (const info of await docker.listContainers({ all: true, filters: mine })) await docker.getContainer(info.Id).remove({ force: true });
      for (const volume of (await docker.listVolumes({ filters: mine })).Volumes ?? []) await docker.getVolume(volume.Name).remove({ force: true });
      for (const image of options.images) await docker.getImage(image).remove().catch(() => undefined);
      await docker.getNetwork(`rp9-${id}`).remove().catch(() => undefined);
      for (const tenant of options.tenants) {
        const name = `rp9_${tenant.replaceAll('-', '_')}`;
        await databases.drop({ database: name, role: name }).catch(() => undefined);
      }
      await databases.close();
      await store.close();
      await git.stop();
      await repo.cleanup();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

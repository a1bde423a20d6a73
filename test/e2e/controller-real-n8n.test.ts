// "A dedicated tenant in the config then comes up as n8n main plus one worker,
// on its own PostgreSQL database, in queue mode on Redis, and answers
// /healthz/readiness": a real reconcile pass (git → compile → observe → plan →
// apply), wired as run-controller.ts wires it, with the real n8n image on a
// user-defined bridge network of the test dockerd. The containers reach the
// harness's PostgreSQL and Redis at `hostFromContainers`; the test reaches the
// containers at their IPs on that network.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { until } from './support/wait.js';
import { createCompileCache } from '../../controller/compile/compile-cache.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { LABEL } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { createCommitStatusReporter } from '../../controller/reconcile/commit-status.js';
import { createConfigTracker } from '../../controller/reconcile/config-tracker.js';
import { reconcileOnce, type ReconcileResult } from '../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../controller/runtime/apply-ports.js';
import { compileContextFor, controllerSettings, type ControllerSettings } from '../../controller/runtime/settings.js';
import { openSource } from '../../edges/git/index.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { routeFileName } from '../../controller/traefik/index.js';
import { createConfigRepo, type ConfigRepo } from '../fixtures/git-repo.js';
import { startGitServer, type GitServer } from '../harness/git-server.js';
import { ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { containerLogs, httpGet } from './n8n-containers.js';

const N8N_VERSION = '1.123.81';
const id = randomBytes(3).toString('hex');
const tenant = 'demo';
const database = 'rp9_demo';
const environment = `n8n-e2e-${id}`;
const network = `rp9-n8n-e2e-${id}`;
const main = `rp9-${tenant}-main`;
const worker = `rp9-${tenant}-worker-1`;
/** Main's start with migrations on a fresh database took 11–21 s measured; a loaded 2-core machine needs more. */
const HEALTH_TIMEOUT_S = 180;
const files = {
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': N8N_VERSION }),
  [`tenants/${tenant}.yaml`]: [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${tenant}`,
    `  email: ops@${tenant}.example`,
    'spec:',
    '  plan: starter',
    '  mode: dedicated',
    '  region: us-east',
    `  subdomain: ${tenant}`,
    '  resources: { workers: 1, memoryMb: 1536, cpu: 1 }',
    '',
  ].join('\n'),
};

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
const databases = createDatabaseAdmin(postgresUrl);
let repo: ConfigRepo;
let git: GitServer;
let store: Store;
let stateDir: string;
let settings: ControllerSettings;

beforeAll(async () => {
  const started = Date.now();
  await ensureN8nImage(docker, N8N_VERSION);
  console.info(`[controller-real-n8n] image ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await dropTenant();
  repo = await createConfigRepo(files);
  git = await startGitServer(repo.root);
  stateDir = await mkdtemp(join(tmpdir(), 'rp9-controller-n8n-'));
  store = await openStore({ memory: true, notify: () => {} });
  const host = inject('hostFromContainers');
  settings = controllerSettings({ repo: `${git.url}/${repo.name}`, 'state-dir': stateDir }, {
    RP9_DOCKER_NETWORK: network,
    RP9_TENANT_DATABASE_URL: postgresUrl,
    RP9_CONTAINER_POSTGRES: `${host}:${new URL(postgresUrl).port}`,
    RP9_CONTAINER_REDIS: `${host}:${new URL(inject('redisUrl')).port}`,
    RP9_HEALTH_TIMEOUT_SECONDS: String(HEALTH_TIMEOUT_S),
  }, process.cwd());
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  const mine = { label: [`${LABEL.environment}=${environment}`] };
  for (const info of await docker.listContainers({ all: true, filters: mine })) await docker.getContainer(info.Id).remove({ force: true });
  for (const volume of (await docker.listVolumes({ filters: mine })).Volumes ?? []) await docker.getVolume(volume.Name).remove({ force: true });
  await docker.getNetwork(network).remove().catch(() => undefined);
  await dropTenant();
  await databases.close();
  await store?.close();
  await git?.stop();
  await repo?.cleanup();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 180_000);

async function dropTenant(): Promise<void> {
  await databases.drop({ database, role: database }).catch(() => undefined);
}

/** The controller's reconcile pass, wired as run-controller.ts wires it (real compile context and health check). */
function controller(): () => Promise<ReconcileResult> {
  const tracker = createConfigTracker(openSource({ url: settings.repo, cacheDir: join(stateDir, 'git'), env: {} }), createParseCache());
  const compileCache = createCompileCache();
  return () =>
    reconcileOnce({
      tracker,
      compileContext: (platform) => compileContextFor(settings, platform),
      compileCache,
      observe: () => observePlatform({ environment, docker, routesDir: settings.routesDir, databases }),
      ports: (good) => createApplyPorts({
        environment,
        network: settings.network,
        docker,
        databases,
        routesDir: settings.routesDir,
        traefik: compileContextFor(settings, good.platform).traefik,
        secrets: store.secrets,
        healthTimeoutMs: settings.healthTimeoutMs,
      }),
      tenantDatabases: true,
      store,
      commitStatus: createCommitStatusReporter(undefined, { environment: () => environment }),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      options: { concurrency: 2, retry: { attempts: 2, baseMs: 500, maxMs: 2_000 } },
    });
}

async function inspect(name: string): Promise<Docker.ContainerInspectInfo> {
  return docker.getContainer(name).inspect();
}

/** Polls `check` every second, at most `attempts` times; fails with the container's logs. */
async function waitFor(what: string, name: string, check: () => Promise<boolean>, attempts = 90): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`timed out waiting for ${what}:\n${await containerLogs(docker.getContainer(name))}`);
}

async function execExitCode(name: string, cmd: string[]): Promise<number | null> {
  const exec = await docker.getContainer(name).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  stream.resume();
  await new Promise((resolve) => stream.once('end', resolve));
  return (await exec.inspect()).ExitCode;
}

/** Both containers' state and logs, for a failed pass. */
async function diagnose(): Promise<string> {
  const parts = await Promise.all([main, worker].map(async (name) => {
    const container = docker.getContainer(name);
    const state = await container.inspect().then((info) => JSON.stringify(info.State), (error: Error) => error.message);
    const logs = await containerLogs(container).catch((error: Error) => error.message);
    return `--- ${name} ${state}\n${logs.slice(-6_000)}`;
  }));
  return parts.join('\n');
}

/** Who owns the tenant database, and how many of n8n's core tables its migrations created there. */
async function databaseFacts(): Promise<{ owner: string; n8nTables: number }> {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const owner = await client.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [database]);
    const tables = await client.query<{ count: string }>(
      "select count(*) from information_schema.tables where table_catalog = $1 and table_schema = 'public' and table_name in ('migrations', 'workflow_entity', 'execution_entity', 'credentials_entity', 'user')",
      [database],
    );
    return { owner: owner.rows[0]!.owner, n8nTables: Number(tables.rows[0]!.count) };
  } finally {
    await client.end();
  }
}

describe('the controller brings up a dedicated tenant on the real n8n image', () => {
  it('applies main + one queue worker on the tenant database, ready and healthy; the next pass is a noop', async () => {
    const reconcile = controller();

    const started = Date.now();
    const applied = await reconcile();
    console.info(`[controller-real-n8n] first reconcile (${applied.kind}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (applied.failures.length > 0) console.error(await diagnose());
    expect(applied.failures).toEqual([]);
    expect(applied).toMatchObject({ kind: 'applied', commit: repo.head });
    const actions = applied.plan?.tenants.find((t) => t.tenant === tenant)?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
    expect(actions).toEqual(expect.arrayContaining([`create database ${database}`, `create container ${main}`, `create container ${worker}`, `create route ${tenant}`]));
    // The controller counts a container ready when its healthcheck command answers through exec;
    // the engine's own check (every 10 s) says healthy a little later: wait for it, bounded.
    await until('the engine to report main and worker healthy', async () => {
      const infos = await Promise.all([inspect(main), inspect(worker)]);
      return infos.every((info) => info.State.Health?.Status === 'healthy');
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const [mainInfo, workerInfo] = await Promise.all([inspect(main), inspect(worker)]);
    for (const info of [mainInfo, workerInfo]) {
      expect(info.State).toMatchObject({ Running: true, Health: { Status: 'healthy' } });
      expect(info.Config.Image).toBe(`rp9/n8n:${N8N_VERSION}`);
      expect(info.Config.Env).toEqual(expect.arrayContaining([
        'EXECUTIONS_MODE=queue',
        `DB_POSTGRESDB_DATABASE=${database}`,
        `QUEUE_BULL_REDIS_HOST=${settings.containerRedis.host}`,
        `QUEUE_BULL_REDIS_PORT=${settings.containerRedis.port}`,
        `QUEUE_BULL_PREFIX=rp9:${tenant}`,
      ]));
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([network]);
    }
    // n8n keeps its instance settings in the tenant volume (it exits with EACCES if the volume is not node's).
    expect(mainInfo.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: `rp9-${tenant}-data`, Destination: '/home/node' })]);
    expect(await execExitCode(main, ['test', '-s', '/home/node/.n8n/config'])).toBe(0);
    expect(mainInfo.Config.Cmd).toEqual(['start']);
    expect(workerInfo.Config.Cmd).toEqual(['worker']);

    const mainIp = mainInfo.NetworkSettings.Networks[network]!.IPAddress;
    const workerIp = workerInfo.NetworkSettings.Networks[network]!.IPAddress;
    expect(await httpGet(`http://${mainIp}:5678/healthz/readiness`)).toMatchObject({ status: 200 });
    // A worker answers readiness only once it holds both its DB and Redis connections.
    expect(await httpGet(`http://${workerIp}:5678/healthz/readiness`)).toMatchObject({ status: 200 });
    await waitFor('the worker log line', worker, async () => (await containerLogs(docker.getContainer(worker))).includes('n8n worker is now ready'), 30);

    expect(await databaseFacts()).toEqual({ owner: database, n8nTables: 5 });
    const route = await readFile(join(settings.routesDir, routeFileName(tenant)), 'utf8');
    expect(route).toContain(`http://${main}:5678`);
    const status = await store.status.get(tenant);
    expect(status).toMatchObject({ phase: 'active', appliedCommit: repo.head });
    expect(status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');

    const again = await reconcile();
    expect(again).toMatchObject({ kind: 'noop', commit: repo.head, failures: [] });
    expect(again.plan?.tenants.flatMap((t) => t.actions)).toEqual([]);
    expect(again.plan?.summary).toMatchObject({ create: 0, update: 0, recreate: 0, delete: 0, downtime: 0 });
  }, 10 * 60_000);
});

// "A merge that the controller then applies": the platform runs the base
// commit (a real reconcile pass over Docker, PostgreSQL and the route
// directory), the autoscale bot sees a hot queue in Prometheus and its PR is
// merged on the contract server, the merged base branch is pushed to the git
// smart-HTTP repo the controller reads, and the next reconcile pass creates
// the extra worker.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { runBot } from '../../bots/runner/run-bot.js';
import { createPrometheusMetrics } from '../../bots/sources/prometheus-metrics.js';
import { createParseCache } from '../../config/load-config.js';
import type { Platform } from '../../config/types.js';
import { createCompileContext } from '../../controller/compile/context.js';
import { silentLogger } from '../../controller/log/logger.js';
import { createMetrics } from '../../controller/metrics/registry.js';
import { LABEL } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { createCommitStatusReporter } from '../../controller/reconcile/commit-status.js';
import { createConfigTracker } from '../../controller/reconcile/config-tracker.js';
import { reconcileOnce } from '../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../controller/runtime/apply-ports.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { openSource } from '../../controller/source/index.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { commitFiles as pushFiles, createConfigRepo, type ConfigRepo } from '../fixtures/git-repo.js';
import { startExporter, type Exporter } from '../harness/exporter.js';
import { startGitServer, type GitServer } from '../harness/git-server.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { ensureTestImage } from '../harness/test-image.js';
import { exposition, platformYaml, runDeps, startConfigStack, type ConfigStack } from './bots-support.js';

const id = randomBytes(3).toString('hex');
const tenant = `bots-${id}`;
const environment = `bots-e2e-${id}`;
const image = `rp9/n8n-bots-${id}`;
const file = `tenants/${tenant}.yaml`;
const files = {
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': image }),
  [file]: [
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
    '  resources:',
    '    workers: 1',
    '',
  ].join('\n'),
};

const docker = new Docker({ socketPath: inject('dockerSocket') });
let exporter: Exporter;
let prometheus: PrometheusServer;
let stack: ConfigStack;
let repo: ConfigRepo;
let git: GitServer;
let store: Store;
let stateDir: string;
const databases = createDatabaseAdmin(inject('postgresUrl'));

beforeAll(async () => {
  await ensureTestImage(docker, `${image}:1.123.4`);
  exporter = await startExporter({
    source: () => exposition({
      rp9_tenant_queue_wait_p95_seconds: { [tenant]: 12 },
      rp9_tenant_cpu_percent: { [tenant]: 40 },
      rp9_tenant_mem_percent: { [tenant]: 40 },
      rp9_tenant_executions_min: { [tenant]: 4 },
    }),
  });
  prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
  stack = await startConfigStack(files);
  repo = await createConfigRepo(files);
  git = await startGitServer(repo.root);
  stateDir = await mkdtemp(join(tmpdir(), 'rp9-bots-controller-'));
  store = await openStore({ memory: true, notify: () => {} });
  await prometheus.waitForSeries(`rp9_tenant_queue_wait_p95_seconds{tenant="${tenant}"}`);
});

afterAll(async () => {
  const mine = { label: [`${LABEL.environment}=${environment}`] };
  for (const info of await docker.listContainers({ all: true, filters: mine })) await docker.getContainer(info.Id).remove({ force: true });
  for (const volume of (await docker.listVolumes({ filters: mine })).Volumes ?? []) await docker.getVolume(volume.Name).remove({ force: true });
  await docker.getNetwork(`rp9-${id}`).remove().catch(() => undefined);
  await databases.drop({ database: `rp9_${tenant.replaceAll('-', '_')}`, role: `rp9_${tenant.replaceAll('-', '_')}` }).catch(() => undefined);
  await databases.close();
  await store?.close();
  await git?.stop();
  await repo?.cleanup();
  await stack?.stop();
  await prometheus?.stop();
  await exporter?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** The controller's reconcile pass, wired as run-controller.ts wires it (a fast health check instead of n8n's 10 s one). */
function controller() {
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
  return () =>
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
      options: { allowMassDeletion: false, concurrency: 2, retry: { attempts: 2, baseMs: 200, maxMs: 1_000 } },
    });
}

async function runningContainers(): Promise<string[]> {
  const found = await docker.listContainers({ filters: { label: [`${LABEL.environment}=${environment}`], status: ['running'] } });
  return found.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))).sort();
}

describe('a bot PR that the controller then applies', () => {
  it('merges an autoscale worker step and the next reconcile pass creates the worker', async () => {
    const reconcile = controller();
    const initial = await reconcile();
    expect(initial).toMatchObject({ kind: 'applied', commit: repo.head, failures: [] });
    expect(await runningContainers()).toEqual([`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`]);

    const report = await runBot('autoscale', await runDeps(stack, { metrics: createPrometheusMetrics(createPrometheusClient({ url: prometheus.url })) }));
    expect(report.results).toEqual([expect.objectContaining({ kind: 'propose', tenant, merge: 'merged' })]);
    const merged = stack.file(file)!;
    expect(merged).toBe(files[file]!.replace('workers: 1', 'workers: 2'));

    const mergeCommit = await pushFiles(repo, { [file]: merged }, 'autoscale: scale up (merged on GitHub)');
    const applied = await reconcile();

    expect(applied).toMatchObject({ kind: 'applied', commit: mergeCommit, failures: [] });
    const actions = applied.plan?.tenants.find((t) => t.tenant === tenant)?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
    expect(actions).toEqual([`create container rp9-${tenant}-worker-2`]);
    expect(await runningContainers()).toEqual([`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`, `rp9-${tenant}-worker-2`]);
    expect((await store.status.get(tenant))?.appliedCommit).toBe(mergeCommit);
  });
});

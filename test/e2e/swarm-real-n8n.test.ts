// Real n8n on the Swarm runtime (issue #15 §1): a dedicated tenant with
// `runtime: swarm` compiled to services for the real n8n image (2.x, the
// platform default), queue mode, main + 2 workers, placed by region on the
// worker node of a real two-node swarm (test/harness/swarm.ts), driven by the
// controller's pass (compile → observe → plan → applyPlan through the Swarm
// ports).
//
// The tasks reach the run's PostgreSQL and Redis through the harness's
// `exposeToNodes` (the hub's bridge address, forwarded over a unix socket to
// 127.0.0.1). The test reaches the tenant the way Traefik would: an edge
// stand-in (a TCP forwarder service on the overlay network, on node A) dials
// the target written in the route file rp9 wrote (`rp9-<t>-main:5678`,
// Swarm DNS, dnsrr) and is published on node A in host mode; the test process
// reaches that port through `reachFromHost`.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { applyPlan, type ApplyReport } from '../../controller/apply/apply-plan.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import { createCompileContext } from '../../controller/compile/context.js';
import { examplePlatform, loadedTenant } from '../../controller/compile/fixtures.js';
import { databaseName } from '../../controller/compile/names.js';
import type { Plan } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { plan } from '../../controller/plan/plan.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { degradedServices } from '../../controller/swarm/service-health.js';
import { createSwarmApplyPorts } from '../../controller/swarm/swarm-ports.js';
import { routeFileName } from '../../controller/traefik/index.js';
import { DEFAULT_TRAEFIK_OPTIONS } from '../../controller/traefik/types.js';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { startSwarm, type TestSwarm } from '../harness/swarm.js';
import { tempDir } from '../harness/temp-dirs.js';
import { containerLogs, plainLog } from './n8n-containers.js';
import { callWebhook, callWebhookUntilServed, createWorkload, executionsOf, ownerConnection, type Workload } from './support/n8n-workload.js';
import { until } from './support/wait.js';

const N8N_VERSION = DEFAULT_N8N_VERSION;
const id = randomBytes(3).toString('hex');
const environment = `swn8n${id}`;
const name = `swn8n${id}`;
const main = `rp9-${name}-main`;
const worker = `rp9-${name}-worker`;
const database = databaseName(name);
/** The edge stand-in's port, published in host mode on node A. */
const EDGE_PORT = 18080;
/** Main's first start runs every migration on a fresh database: 11–21 s measured alone, much more on a loaded 2-core machine with a 0.6 CPU limit. */
const CONVERGE_TIMEOUT_MS = 360_000;

const base = examplePlatform();
const platform = {
  ...base,
  spec: { ...base.spec, environment, runtime: 'swarm' as const, dedicated: { image: 'rp9/n8n', n8nVersion: N8N_VERSION } },
};
const postgresUrl = inject('postgresUrl');
const redisPort = Number(new URL(inject('redisUrl')).port);
const databases = createDatabaseAdmin(postgresUrl);
let swarm: TestSwarm;
let store: Store;
let routesDir = '';
let context: ReturnType<typeof createCompileContext>;
let baseUrl = '';
let workload: Workload;

/** The tenant in eu-west (node B, the worker node); starter plan resources as the other real-n8n tests (n8n 2.x needs 1.5 GB). Three tasks of 0.6 CPU fit the node's 2. */
function tenant(workers: number): LoadedTenant {
  return loadedTenant(name, { mode: 'dedicated', plan: 'starter', region: 'eu-west', resources: { cpu: 0.6, memoryMb: 1536, workers } });
}

async function pass(tenants: LoadedTenant[]): Promise<{ plan: Plan; report: ApplyReport }> {
  const desired = compileDesired(platform, tenants, context);
  const observed = await observePlatform({ environment, docker: swarm.manager, routesDir, databases, runtime: 'swarm' });
  const planned = plan(desired, observed, { maxDeletionPercent: 100 });
  const ports = createSwarmApplyPorts({
    environment, network: context.network, docker: swarm.manager, databases, routesDir, traefik: DEFAULT_TRAEFIK_OPTIONS,
    secrets: store.secrets, healthTimeoutMs: CONVERGE_TIMEOUT_MS, convergeTimeoutMs: CONVERGE_TIMEOUT_MS,
  });
  const report = await applyPlan(planned, ports, { concurrency: 1, retry: { attempts: 1, baseMs: 500, maxMs: 500 } });
  return { plan: planned, report };
}

function actions(result: Plan): string[] {
  return (result.tenants.find((t) => t.tenant === name)?.actions ?? []).filter((a) => a.op !== 'retain').map((a) => `${a.op} ${a.kind} ${a.name}${a.changes.length > 0 ? ` [${a.changes.map((c) => c.field).join(',')}]` : ''}`);
}

/** Running tasks of a service: the hostname of their node and their container id. */
async function runningTasks(service: string): Promise<{ node: string; container: string }[]> {
  const nodes = (await swarm.manager.listNodes()) as { ID: string; Description: { Hostname: string } }[];
  const tasks = (await swarm.manager.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as { NodeID: string; Status: { State: string; ContainerStatus?: { ContainerID?: string } } }[];
  return tasks
    .filter((t) => t.Status.State === 'running')
    .map((t) => ({ node: nodes.find((n) => n.ID === t.NodeID)?.Description.Hostname ?? '?', container: t.Status.ContainerStatus?.ContainerID ?? '' }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

function nodeDocker(hostname: string): Docker {
  return hostname === swarm.nodes.a.hostname ? swarm.nodes.a.docker : swarm.nodes.b.docker;
}

/** The logs of every running task of `service`, joined. */
/**
 * The logs of every container of the service's tasks on both nodes, the stopping or stopped ones too: after a
 * scale-down, the task Swarm removes may still take a job until its container stops (seen: the webhook right after
 * workers 2 → 1 ran on the worker being shut down), and that is still a worker task running it.
 */
async function serviceLogs(service: string): Promise<string> {
  const logs: string[] = [];
  for (const node of [swarm.nodes.a, swarm.nodes.b]) {
    const containers = await node.docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${service}`] } });
    for (const c of containers) logs.push(plainLog(await containerLogs(node.docker.getContainer(c.Id)).catch(() => '')));
  }
  return logs.join('\n');
}

/** Tasks, states and logs of the tenant's services, for a failed pass. */
async function diagnose(): Promise<string> {
  const parts: string[] = [];
  for (const service of [main, worker]) {
    const tasks = await swarm.manager.listTasks({ filters: { service: [service] } }).catch(() => []);
    parts.push(`--- ${service} tasks: ${JSON.stringify((tasks as { Status: unknown }[]).map((t) => t.Status))}`);
    for (const node of [swarm.nodes.a, swarm.nodes.b]) {
      const containers = await node.docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${service}`] } }).catch(() => []);
      for (const c of containers) parts.push(`--- ${node.hostname} ${c.Names.join()} ${c.Status}\n${(await containerLogs(node.docker.getContainer(c.Id)).catch((e: Error) => e.message)).slice(-4_000)}`);
    }
  }
  return parts.join('\n');
}

/** Fails with the tasks' states and logs when the apply did not go through. */
async function expectApplied(report: ApplyReport): Promise<void> {
  const failed = report.tenants.filter((t) => t.outcome === 'failed').map((t) => `${t.tenant}: ${t.error?.code} ${t.error?.message}`);
  if (failed.length > 0) throw new Error(`${failed.join('\n')}\n${await diagnose()}`);
}

async function databaseFacts(): Promise<{ owner: string; n8nTables: number }> {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const owner = await client.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [database]);
    const tables = await client.query<{ count: string }>(
      "select count(*) from information_schema.tables where table_schema = 'public' and table_name in ('migrations', 'workflow_entity', 'execution_entity', 'credentials_entity', 'user')",
    );
    return { owner: owner.rows[0]!.owner, n8nTables: Number(tables.rows[0]!.count) };
  } finally {
    await client.end();
  }
}

function tenantDatabaseUrl(): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Calls the webhook, waits for its execution row, and returns the execution id once a worker task logged it finished. */
async function webhookRunByWorker(): Promise<{ execution: string; workerLog: string }> {
  const before = new Set((await executionsOf(tenantDatabaseUrl(), workload.workflow.id)).map((r) => r.id));
  const answer = await callWebhookUntilServed(baseUrl, workload.webhookPath);
  expect(JSON.parse(answer.body)).toEqual({ msg: `hello ${workload.webhookPath}` });
  const [execution] = await until('the execution row', async () => {
    const rows = (await executionsOf(tenantDatabaseUrl(), workload.workflow.id)).filter((r) => !before.has(r.id));
    return rows.length > 0 && rows[0]!.status === 'success' ? rows : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  expect(execution).toMatchObject({ status: 'success', mode: 'webhook', finished: true });
  const workerLog = await until('a worker task to log the execution', async () => {
    const log = await serviceLogs(worker);
    return log.includes(`Worker finished execution ${execution!.id} `) ? log : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  return { execution: execution!.id, workerLog };
}

/** A TCP forwarder to $TARGET (host:port), run by the n8n image's node: the edge stand-in on the overlay network. */
const EDGE_SCRIPT = `const net = require('node:net');
const [host, port] = process.env.TARGET.split(':');
net.createServer((client) => {
  const upstream = net.connect(Number(port), host);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(8080);`;

beforeAll(async () => {
  const started = Date.now();
  swarm = await startSwarm({ a: 'us-east', b: 'eu-west' });
  try {
    const image = await ensureN8nImage(swarm.manager, N8N_VERSION);
    await swarm.shareImages([image]);
    console.info(`[swarm-real-n8n] swarm up, image on both nodes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const pgAddress = await swarm.exposeToNodes(Number(new URL(postgresUrl).port));
    const redisAddress = await swarm.exposeToNodes(redisPort);
    context = createCompileContext(platform, {
      postgres: pgAddress,
      redis: redisAddress,
      suspendedUrl: 'http://rp9:8080/suspended',
      network: `rp9-${environment}`,
    });
    store = await openStore({ memory: true, notify: () => undefined });
    routesDir = await tempDir('rp9-swarm-n8n-routes-');
  } catch (error) {
    await swarm.stop();
    throw error;
  }
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 300_000);

afterAll(async () => {
  await swarm?.stop();
  await databases.drop({ database, role: database }).catch(() => undefined);
  await databases.close();
  await store?.close();
}, 180_000);

describe('real n8n on the Swarm runtime', () => {
  it('runs main + 2 queue workers of a swarm tenant on its region\'s node, healthy, on its own database', async () => {
    const started = Date.now();
    const first = await pass([tenant(2)]);
    console.info(`[swarm-real-n8n] first pass in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await expectApplied(first.report);

    expect(actions(first.plan)).toEqual([`create database ${database}`, `create service ${main}`, `create service ${worker}`, `create route ${name}`]);
    // eu-west is node B only.
    expect((await runningTasks(main)).map((t) => t.node)).toEqual(['rp9-swarm-b']);
    expect((await runningTasks(worker)).map((t) => t.node)).toEqual(['rp9-swarm-b', 'rp9-swarm-b']);
    for (const task of [...(await runningTasks(main)), ...(await runningTasks(worker))]) {
      const info = await swarm.nodes.b.docker.getContainer(task.container).inspect();
      expect(info.State).toMatchObject({ Running: true, Health: { Status: 'healthy' } });
      expect(info.Config.Image).toBe(`rp9/n8n:${N8N_VERSION}`);
      expect(info.Config.Env).toEqual(expect.arrayContaining([
        'EXECUTIONS_MODE=queue',
        `DB_POSTGRESDB_HOST=${context.postgres.host}`,
        `DB_POSTGRESDB_DATABASE=${database}`,
        `QUEUE_BULL_REDIS_HOST=${context.redis.host}`,
        `QUEUE_BULL_PREFIX=rp9:${name}`,
      ]));
    }
    await until('both worker tasks to log that they are ready', async () => (await serviceLogs(worker)).split('n8n worker is now ready').length - 1 === 2, { timeoutMs: 60_000, intervalMs: 1_000 });
    expect(await databaseFacts()).toEqual({ owner: database, n8nTables: 5 });
    expect(degradedServices((await observePlatform({ environment, docker: swarm.manager, routesDir, databases, runtime: 'swarm' })).resources)).toEqual([]);
    expect((await pass([tenant(2)])).plan.tenants.map((t) => t.change)).toEqual(['noop']);
  }, 10 * 60_000);

  it('serves a production webhook through the route file\'s target, executed by a worker task', async () => {
    // The edge stand-in dials what the route file says, by Swarm DNS on the overlay, from node A.
    const route = await readFile(join(routesDir, routeFileName(name)), 'utf8');
    const target = /http:\/\/([a-z0-9-]+:\d+)/.exec(route)?.[1];
    expect(target).toBe(`${main}:5678`);
    await swarm.manager.createService({
      Name: `edge-${id}`,
      TaskTemplate: {
        ContainerSpec: { Image: `rp9/n8n:${N8N_VERSION}`, Command: ['node', '-e', EDGE_SCRIPT], Env: [`TARGET=${target}`], StopSignal: 'SIGKILL' },
        Placement: { Constraints: ['node.labels.rp9.io.region==us-east'] },
        RestartPolicy: { Condition: 'any', Delay: 0 },
        Networks: [{ Target: context.network }],
      },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishedPort: EDGE_PORT, PublishMode: 'host' }] },
    } as never);
    const edge = await swarm.reachFromHost(swarm.nodes.a.address, EDGE_PORT);
    baseUrl = `http://${edge.host}:${edge.port}`;
    expect((await runningTasks(main)).map((t) => t.node)).toEqual(['rp9-swarm-b']);

    const api = n8nApiFor(N8N_VERSION);
    const connection = await ownerConnection(baseUrl);
    workload = await createWorkload(api, connection, `swarm-${id}`);
    expect(workload.workflow.active).toBe(true);

    const { execution, workerLog } = await webhookRunByWorker();
    expect(workerLog).toContain(`Worker started execution ${execution} `);
    expect((await callWebhook(baseUrl, workload.webhookPath, false)).status).toBe(403);
    const mainLog = await serviceLogs(main);
    expect(mainLog).toMatch(new RegExp(`Enqueued execution ${execution} \\(job \\d+\\)`));
    expect(mainLog).not.toContain(`Worker started execution ${execution} `);
  }, 6 * 60_000);

  it('workers 2 → 1 is a replica change of the same service and keeps serving', async () => {
    const before = (await swarm.manager.getService(worker).inspect()) as { ID: string };
    const result = await pass([tenant(1)]);
    await expectApplied(result.report);

    expect(actions(result.plan)).toEqual([`update service ${worker} [replicas]`]);
    expect(((await swarm.manager.getService(worker).inspect()) as { ID: string }).ID).toBe(before.ID);
    expect((await runningTasks(worker)).map((t) => t.node)).toEqual(['rp9-swarm-b']);
    const { execution, workerLog } = await webhookRunByWorker();
    expect(workerLog).toContain(`Worker started execution ${execution} `);
  }, 6 * 60_000);

  it('removal deletes the services and the route; the database stays', async () => {
    await swarm.manager.getService(`edge-${id}`).remove();
    const result = await pass([]);
    await expectApplied(result.report);

    expect(actions(result.plan)).toEqual([`delete route ${name}`, `delete service ${worker}`, `delete service ${main}`]);
    expect(await swarm.manager.listServices({ filters: { label: [`rp9.io/tenant=${name}`] } })).toEqual([]);
    await until('the tasks\' containers to go from node B', async () => (await swarm.nodes.b.docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${main}`] } })).length === 0 || undefined, { timeoutMs: 60_000, intervalMs: 500 });
    await expect(readFile(join(routesDir, routeFileName(name)), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await databaseFacts()).toMatchObject({ owner: database, n8nTables: 5 });
  }, 3 * 60_000);
});

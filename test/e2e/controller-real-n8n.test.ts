// "A dedicated tenant in the config then comes up as n8n main plus one worker,
// on its own PostgreSQL database, in queue mode on Redis, and answers
// /healthz/readiness": a real reconcile pass (git → compile → observe → plan →
// apply), wired as run-controller.ts wires it, with the real n8n image on a
// user-defined bridge network of the test dockerd. The containers reach the
// harness's PostgreSQL and Redis at `hostFromContainers`; the test reaches the
// containers at their IPs on that network.
//
// Then the queue-mode proof (issue #14 §3): a webhook workflow published on
// main is called, main enqueues the execution in Redis, and the worker runs
// it — the execution row in the tenant database and the worker's own log say
// so. It runs the platform default, n8n 2.x on Node 24. n8n's own Redis keys
// (its webhook cache) and pub/sub channels carry the tenant's prefix
// (N8N_REDIS_KEY_PREFIX), none n8n's shared default `n8n`.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReconcileResult } from '../../controller/reconcile/reconciler.js';
import type { ControllerSettings } from '../../controller/runtime/settings.js';
import type { Store } from '../../controller/store/index.js';
import { routeFileName } from '../../controller/traefik/index.js';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { readExecutionActivity } from '../../controller/telemetry/execution-source.js';
import { readPersonalProjects } from '../../controller/telemetry/personal-projects.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { containerLogs, httpGet, plainLog } from './n8n-containers.js';
import { callWebhook, callWebhookUntilServed, createWorkload, executionsOf, ownerConnection } from './support/n8n-workload.js';
import { channelSubscribers, redisKeys } from './support/redis-keys.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { until } from './support/wait.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';

const N8N_VERSION = DEFAULT_N8N_VERSION;
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
  [`tenants/${tenant}.yaml`]: realN8nTenantYaml(tenant),
};

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let ctl: N8nController | undefined;
let store: Store;
let settings: ControllerSettings;

beforeAll(async () => {
  const started = Date.now();
  await ensureN8nImage(docker, N8N_VERSION);
  console.info(`[controller-real-n8n] image ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  ctl = await startN8nController({
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    environment,
    network,
    files,
    databases: [database],
    healthTimeoutSeconds: HEALTH_TIMEOUT_S,
  });
  ({ store, settings } = ctl);
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await ctl?.stop();
}, 180_000);

/** The controller's reconcile pass, wired as run-controller.ts wires it (real compile context and health check). */
function controller(): () => Promise<ReconcileResult> {
  return () => ctl!.reconcile();
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
    expect(applied).toMatchObject({ kind: 'applied', commit: ctl!.head() });
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
        `N8N_REDIS_KEY_PREFIX=rp9:${tenant}:n8n`,
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
    expect(status).toMatchObject({ phase: 'active', appliedCommit: ctl!.head() });
    expect(status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');

    const again = await reconcile();
    expect(again).toMatchObject({ kind: 'noop', commit: ctl!.head(), failures: [] });
    expect(again.plan?.tenants.flatMap((t) => t.actions)).toEqual([]);
    expect(again.plan?.summary).toMatchObject({ create: 0, update: 0, recreate: 0, delete: 0, downtime: 0 });
    // 2.x env: no removed variables, nothing calling out at start.
    expect(mainInfo.Config.Env).not.toEqual(expect.arrayContaining([expect.stringMatching(/^N8N_RUNNERS_ENABLED=/)]));
    expect(workerInfo.Config.Env).toEqual(expect.arrayContaining(['N8N_RUNNERS_BROKER_PORT=5680', 'N8N_DISABLED_MODULES=mcp-registry']));
  }, 10 * 60_000);

  it('queue mode: a published webhook workflow is executed by the worker, through Redis', async () => {
    const api = n8nApiFor(N8N_VERSION);
    const [mainInfo] = await Promise.all([inspect(main)]);
    const baseUrl = `http://${mainInfo.NetworkSettings.Networks[network]!.IPAddress}:5678`;
    const tenantDb = new URL(postgresUrl);
    tenantDb.pathname = `/${database}`;

    // Arrange: owner, API key, credential and a published webhook workflow, through rp9's n8n edge.
    const connection = await ownerConnection(baseUrl);
    const workload = await createWorkload(api, connection, `queue-${id}`);
    expect(workload.workflow.active).toBe(true);

    // Act: call the webhook.
    const answer = await callWebhookUntilServed(baseUrl, workload.webhookPath);

    // Assert: the answer came from the workflow, the row says success, and the worker's log names that execution.
    expect(JSON.parse(answer.body)).toEqual({ msg: `hello queue-${id}` });
    expect((await callWebhook(baseUrl, workload.webhookPath, false)).status).toBe(403);
    const [execution] = await until('the execution row', async () => {
      const rows = await executionsOf(tenantDb.toString(), workload.workflow.id);
      return rows.length > 0 && rows[0]!.status === 'success' ? rows : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(execution).toMatchObject({ status: 'success', mode: 'webhook', finished: true });
    const workerLog = await until('the worker to log the execution', async () => {
      const log = plainLog(await containerLogs(docker.getContainer(worker)));
      return log.includes(`Worker finished execution ${execution!.id} `) ? log : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(workerLog).toContain(`Worker started execution ${execution!.id} `);
    const mainLog = plainLog(await containerLogs(docker.getContainer(main)));
    expect(mainLog).toMatch(new RegExp(`Enqueued execution ${execution!.id} \\(job \\d+\\)`));
    expect(mainLog).not.toContain(`Worker started execution ${execution!.id} `);

    // The 2.x adapter's other calls, against the real instance: credential listing and invitation acceptance.
    expect(await api.listCredentials(connection)).toEqual([expect.objectContaining({ id: workload.credential.id, type: 'httpHeaderAuth' })]);
    const invitation = await api.inviteMember(connection, 'member@rp9.test');
    await api.acceptInvitation(connection, invitation, { firstName: 'Mem', lastName: 'Ber', password: 'Rp9-member-Passw0rd' });
    expect((await fetch(`${baseUrl}/rest/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: 'member@rp9.test', password: 'Rp9-member-Passw0rd' }),
    })).status).toBe(200);

    // Telemetry's queries on n8n's own tables work on the 2.x schema: shared-tenant
    // attribution (personal projects by email) and the execution reads.
    const client = new pg.Client({ connectionString: tenantDb.toString() });
    await client.connect();
    try {
      const projects = await readPersonalProjects(client, ['member@rp9.test', 'owner@rp9.test', 'nobody@rp9.test']);
      expect(projects.map((p) => p.email)).toEqual(['member@rp9.test', 'owner@rp9.test']);
      const now = new Date();
      const all = await readExecutionActivity(client, { kind: 'all' }, { now, windowStart: new Date(now.getTime() - 3600_000), periodStart: new Date(now.getTime() - 86_400_000) });
      expect(all.rows).toEqual(expect.arrayContaining([expect.objectContaining({ id: execution!.id, status: 'success' })]));
      const owners = await readExecutionActivity(client, { kind: 'project', projectId: projects[1]!.projectId }, { now, windowStart: new Date(now.getTime() - 3600_000), periodStart: new Date(now.getTime() - 86_400_000) });
      expect(owners.rows.map((r) => r.id)).toContain(execution!.id);
      expect(owners.periodCount).toBeGreaterThanOrEqual(1);
    } finally {
      await client.end();
    }

    // n8n's own Redis keys and channels carry the tenant's prefix (N8N_REDIS_KEY_PREFIX): the webhook served
    // above was cached by main (n8n's cache is Redis in queue mode) under it, never under n8n's shared default.
    // Read before the unpublish, which drops the webhook's cache key.
    const redisUrl = inject('redisUrl');
    const prefix = `rp9:${tenant}:n8n`;
    const webhookKey = `${prefix}:cache:webhook:GET-${workload.webhookPath}`;
    expect(await redisKeys(redisUrl, `${prefix}:cache:*`)).toEqual(expect.arrayContaining([webhookKey]));
    // Every key naming this webhook (its path is unique to this run) is the tenant's: none under n8n's default
    // `n8n:` prefix. (The harness Redis is shared by the whole run: other files' n8n, such as the shared n8n, which
    // is not rp9's and keeps the default, may hold `n8n:*` keys and channels, so this asserts on this tenant only.)
    expect((await redisKeys(redisUrl)).filter((key) => key.includes(workload.webhookPath))).toEqual([webhookKey]);
    // 2.x's pub/sub: main and the worker listen on the tenant's command channel.
    const subscribers = await channelSubscribers(redisUrl, [`${prefix}:n8n.commands`]);
    expect(subscribers[`${prefix}:n8n.commands`]).toBeGreaterThanOrEqual(2);

    await api.unpublishWorkflow(connection, workload.workflow.id);
    expect((await api.getWorkflow(connection, workload.workflow.id)).active).toBe(false);
  }, 5 * 60_000);
});

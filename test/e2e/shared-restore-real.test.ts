// Backup and sandbox restore of a shared tenant on a real shared n8n (2.x,
// queue mode on the harness's Redis and PostgreSQL, on the test dockerd; rp9
// does not run it; no worker: nothing executes there). The tenant is a member user with its personal project
// (invited by rp9's members pass, accepted), holding a header-auth credential,
// a published webhook workflow that uses it and a manual workflow; the shared
// n8n's owner has a workflow of its own, which is no part of the tenant. A
// backup exports the tenant's project (no database) to S3 (s3rver);
// the CLI, `rp9 restore <tenant> --backup <id> --sandbox -o json` on the same
// store, Docker engine and bucket, brings up <tenant>-restore-<yyyymmdd>
// on an empty database with a fresh n8n key and imports the export with the
// promotion's edge, and prints the sandbox and the integrity result. The sandbox's workflows and decrypted credential equal the
// backup's, the webhook answers there, the owner's workflow is not there. A
// restore drill then restores the same backup into <tenant>-drill-<yyyymmdd>,
// executes the manual workflow, sets Restorable and removes the sandbox.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { backupInput } from '../../controller/backups/naming.js';
import { backupRuntime, cliExporter } from '../../controller/backups/runtime.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { drillSandboxName, sandboxName } from '../../controller/sandbox/sandbox.js';
import { sandboxRuntime } from '../../controller/sandbox/sandbox-runtime.js';
import type { SharedN8n } from '../../controller/shared-tenants/observe-members.js';
import { reconcileMemberList } from '../../controller/shared-tenants/reconcile-members.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { createApiKey, login, n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { freePort } from '../harness/processes.js';
import { s3Env, testBucket } from '../harness/s3-bucket.js';
import { scratchDatabases } from '../harness/scratch-databases.js';
import { platformYaml } from './bots-support.js';
import { createTenantDatabase, dropTenantDatabase, httpGet, queueModeEnv, waitWhileRunning, type TenantDatabase } from './n8n-containers.js';
import { runCli } from './support/cli.js';
import { tenantFile } from './support/config.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { createWorkload, ownerConnection } from './support/n8n-workload.js';
import { expectRestoredAsManifest, expectSandboxServes } from './support/sandbox-checks.js';
import { until } from './support/wait.js';

const id = randomBytes(3).toString('hex');
// Its own name: backup-real-n8n (tenant acme) may run beside it, and sandbox names are the tenant's and the day's.
const tenant = `sr${id}`;
const email = `ops@${tenant}.test`;
const environment = `shared-restore-e2e-${id}`;
const network = `rp9-shared-restore-e2e-${id}`;
const today = new Date();
const sandbox = sandboxName(tenant, today);
const sandboxDb = `rp9_${sandbox.replaceAll('-', '_')}`;
const drillDb = `rp9_${drillSandboxName(tenant, today).replaceAll('-', '_')}`;
const SHARED_DB = 'rp9_e2e_shared_restore';
const SHARED_PREFIX = `rp9e2e-shared-restore-${process.pid}`;
const PERSON = { firstName: 'Acme', lastName: 'Ops', password: 'Acme-ops-Passw0rd' };
const platformEdits = { 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION };
const files = {
  'platform.yaml': platformYaml(platformEdits),
  ...tenantFile({ name: tenant, mode: 'shared' }),
};
const api = n8nApiFor(DEFAULT_N8N_VERSION);
const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
// The store is a PostgreSQL database, so that `rp9 restore` opens the one the test's controller uses.
const stores = scratchDatabases(postgresUrl, 'shared_restore');
const masterKey = randomBytes(32);
let storeUrl = '';
let cliDir = '';
let ctl: N8nController | undefined;
let databases: DatabaseAdmin;
let sharedDb: TenantDatabase | undefined;
let shared: Docker.Container | undefined;
let sharedUrl: string;

function seconds(op: { startedAt: Date; finishedAt: Date | null }): string {
  return (((op.finishedAt ?? new Date()).getTime() - op.startedAt.getTime()) / 1000).toFixed(1);
}

function sharedDbUrl(): string {
  const url = new URL(postgresUrl);
  url.username = sharedDb!.user;
  url.password = sharedDb!.password;
  url.pathname = `/${sharedDb!.name}`;
  return url.toString();
}

function plainWorkflow(name: string) {
  return {
    name,
    nodes: [
      { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
      { id: randomUUID(), name: 'Pass', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
    ],
    connections: { Start: { main: [[{ node: 'Pass', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

beforeAll(async () => {
  const image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  databases = createDatabaseAdmin(postgresUrl);
  storeUrl = await stores.create();
  ctl = await startN8nController({ docker, postgresUrl, redisUrl: inject('redisUrl'), hostFromContainers: inject('hostFromContainers'), environment, network, files, databases: [sandboxDb, drillDb], healthTimeoutSeconds: 240, store: { databaseUrl: storeUrl, masterKey } });
  sharedDb = await createTenantDatabase(postgresUrl, SHARED_DB);
  const port = await freePort();
  const env = queueModeEnv({ db: sharedDb, redisUrl: inject('redisUrl'), port, brokerPort: await freePort(), encryptionKey: `rp9-e2e-shared-restore-${id}`, version: DEFAULT_N8N_VERSION });
  shared = await docker.createContainer({ name: `${SHARED_PREFIX}-main`, Image: image, Cmd: ['start'], Env: [...env, `QUEUE_BULL_PREFIX=${SHARED_PREFIX}`], HostConfig: { NetworkMode: 'host', Init: true } });
  await shared.start();
  sharedUrl = `http://127.0.0.1:${port}`;
  await waitWhileRunning('shared n8n readiness', shared, async () => (await httpGet(`${sharedUrl}/healthz/readiness`, 2_000)).status === 200, 600, 1_000);
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 10 * 60_000);

afterAll(async () => {
  await shared?.remove({ force: true }).catch(() => undefined);
  await ctl?.stop();
  await stores.dropAll();
  if (sharedDb) await dropTenantDatabase(postgresUrl, SHARED_DB).catch(() => undefined);
  await databases?.close();
  if (cliDir) await rm(cliDir, { recursive: true, force: true });
}, 180_000);

describe("backup of a shared tenant's project on a real shared n8n, restored into a sandbox", () => {
  it('imports its workflows and decrypted credential into a fresh sandbox equal to the backup; the webhook answers there; a drill passes', async () => {
    const { store, settings } = ctl!;
    // The tenant's user on the shared n8n, as rp9's members pass invites it, with its workload in its personal project.
    const owner: N8nConnection = { ...(await ownerConnection(sharedUrl)), timeoutMs: 60_000 };
    const sharedN8n: SharedN8n = { api, connection: { baseUrl: sharedUrl, apiKey: owner.apiKey as string, timeoutMs: 60_000 }, databaseUrl: sharedDbUrl() };
    await until('the members pass', async () => {
      const pass = await reconcileMemberList(sharedN8n, store, [{ tenant, email, suspended: false }]);
      if (pass.failures.length > 0) throw new Error(JSON.stringify(pass.failures));
      return pass;
    }, { timeoutMs: 180_000, intervalMs: 2_000 });
    const member = (await store.sharedMembers.get(tenant))!;
    await api.acceptInvitation(sharedN8n.connection, { email, acceptUrl: member.acceptUrl as string }, PERSON);
    const cookie = await login(sharedUrl, email, PERSON.password);
    const conn: N8nConnection = { baseUrl: sharedUrl, cookie, apiKey: await createApiKey({ baseUrl: sharedUrl, cookie, timeoutMs: 60_000 }, tenant), timeoutMs: 60_000 };
    const workload = await createWorkload(api, conn, `shared-restore-${id}`);
    const plain = await api.createWorkflow(conn, plainWorkflow('plain'));
    const ownersOwn = await api.createWorkflow(owner, plainWorkflow('owners-own'));

    // Backup of the tenant's project to S3: no database, the export only.
    const objects = await testBucket();
    const source = (path: string) => ({ path, bytes: Buffer.from(files[path as keyof typeof files]!) });
    const config = loadConfig({ platform: source('platform.yaml'), tenants: [source(`tenants/${tenant}.yaml`)], problems: [] });
    expect(config.tenants.map((t) => [t.name, t.tenant.spec.mode])).toEqual([[tenant, 'shared']]);
    const runtime = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform!, tenants: config.tenants }) });
    const metrics = createMetrics({ defaultMetrics: false });
    const n8n = cliExporter({ docker, operations: store.operations, sharedContainer: `${SHARED_PREFIX}-main`, sharedDatabaseUrl: sharedDbUrl(), emailOf: (t) => (t === tenant ? email : undefined) });
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: postgresUrl, n8n, restore: runtime.restore, drill: runtime.drill, random: () => 0, metrics, logger: silentLogger(), runner: 'test' });
    const input = backupInput(tenant, 'manual', new Date(), { mode: 'shared', n8nVersion: DEFAULT_N8N_VERSION });
    const backup = await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id);
    expect(backup.status, backup.error ?? '').toBe('done');
    console.info(`[shared-restore-real] backup in ${seconds(backup)} s`);
    const record = (await store.backups.get(input.backupId))!;
    const manifest = record.manifest as { objects: Record<string, unknown>; workflows: { count: number; sha256: string; items: { id: string }[] }; credentials: { count: number; sha256: string }; encryption: { wrappedN8nKey?: string } };
    expect(Object.keys(manifest.objects).sort()).toEqual(['credentials', 'workflows']);
    expect(manifest.encryption.wrappedN8nKey).toBeUndefined();
    expect(manifest.workflows.items.map((w) => w.id).sort()).toEqual([workload.workflow.id, plain.id].sort());
    expect(manifest.credentials.count).toBe(1);

    // Restore into a sandbox with the CLI: the config from a directory (the bucket in platform.yaml), the store,
    // Docker engine, network and database server of the test's controller, S3 from the AWS environment.
    cliDir = await mkdtemp(join(tmpdir(), 'rp9-shared-restore-cli-'));
    await mkdir(join(cliDir, 'tenants'));
    await writeFile(join(cliDir, 'platform.yaml'), platformYaml({ ...platformEdits, 'spec.backups.bucket': objects.description.slice('s3://'.length) }));
    await writeFile(join(cliDir, 'tenants', `${tenant}.yaml`), (files as Record<string, string>)[`tenants/${tenant}.yaml`]!);
    const s3 = inject('s3');
    const cliEnv = { PATH: process.env.PATH, USER: 'alice', ...ctl!.env, ...s3Env(s3.endpoint), AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, DATABASE_URL: storeUrl, RP9_MASTER_KEY: masterKey.toString('hex'), DOCKER_HOST: `unix://${inject('dockerSocket')}` };
    const cli = await runCli(['restore', tenant, '--backup', record.id, '--sandbox', '--ttl', '1h', '--dir', cliDir, '--state-dir', settings.stateDir, '-o', 'json'], cliEnv, cliDir);
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { operation: { id: string } };
    expect(printed).toMatchObject({
      operation: { status: 'done', error: null },
      tenant,
      backupId: record.id,
      target: 'sandbox',
      sandbox: { name: sandbox, url: `https://${sandbox}.${config.platform!.spec.domain}/` },
      integrity: { healthy: true, workflows: { count: 2, equal: true }, credentials: { count: 1, equal: true } },
    });
    const restored = (await store.operations.get(printed.operation.id))!;
    expect(restored).toMatchObject({ kind: 'restore', tenant, status: 'done' });
    console.info(`[shared-restore-real] sandbox restore in ${seconds(restored)} s (RTO ${Number(restored.state.rtoSeconds).toFixed(1)} s)`);
    expectRestoredAsManifest(restored.state, `https://${sandbox}.${config.platform!.spec.domain}/`, manifest);
    expect(restored.state).toMatchObject({ source: 'export', imported: { workflows: 2, credentials: 1 }, activated: [workload.workflow.id] });
    const sandboxMain = mainContainerName(sandbox);
    const info = await docker.getContainer(sandboxMain).inspect();
    expect(info.Config.Env).toEqual(expect.arrayContaining([`DB_POSTGRESDB_DATABASE=${sandboxDb}`]));
    // Its own n8n key, not the shared n8n's: the import encrypted the credential under it.
    const sandboxKey = (await store.secrets.get(sandbox, 'encryption-key'))?.reveal();
    expect(sandboxKey).toEqual(expect.any(String));
    expect(sandboxKey).not.toBe(`rp9-e2e-shared-restore-${id}`);

    // The decrypted credential in the sandbox is the tenant's; the webhook answers there and refuses without the header;
    // the shared owner's own workflow did not come along.
    await expectSandboxServes(docker, network, sandbox, workload);
    const workflows = await exportItems(docker, sandboxMain, 'workflows');
    expect(workflows.map((w) => w.id).sort()).toEqual([workload.workflow.id, plain.id].sort());
    expect(workflows.map((w) => w.id)).not.toContain(ownersOwn.id);

    // Removed whole by `rp9 restore --remove` (its owner's password and API key with it); the tenant's project on the
    // shared n8n is untouched.
    const removed = await runCli(['restore', '--remove', sandbox, '--dir', cliDir, '--state-dir', settings.stateDir], cliEnv, cliDir);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`sandbox ${sandbox}: removed`);
    const stack = runtime.stack();
    expect(await stack.inventory()).toEqual([]);
    expect(await store.secrets.names(sandbox)).toEqual([]);
    expect((await exportItems(docker, `${SHARED_PREFIX}-main`, 'workflows', { projectId: member.projectId as string })).map((w) => w.id).sort()).toEqual([workload.workflow.id, plain.id].sort());

    // A restore drill of the shared tenant: the same backup into the drill's own sandbox, checked, the manual workflow executed, removed.
    const drill = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(drill.status, drill.error ?? '').toBe('done');
    console.info(`[shared-restore-real] restore drill in ${seconds(drill)} s (RTO ${Number(drill.state.rtoSeconds).toFixed(1)} s)`);
    expect(drill.state).toMatchObject({
      backupId: record.id,
      source: 'export',
      integrity: { healthy: true, workflows: { count: 2, equal: true }, credentials: { count: 1, equal: true } },
      smoke: { workflowId: plain.id, workflowName: 'plain', nodesRun: 2 },
    });
    expect(await stack.inventory()).toEqual([]);
    expect(await store.secrets.names(drillSandboxName(tenant, drill.startedAt))).toEqual([]);
    expect(await metrics.registry.metrics()).toContain('rp9_restore_drills_total{result="success"} 1');
    expect((await store.status.get(tenant))?.conditions.find((c) => c.type === 'Restorable')).toMatchObject({ status: 'True', reason: 'RestoreDrillPassed' });
  }, 30 * 60_000);
});

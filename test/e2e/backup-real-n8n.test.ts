// Backup and sandbox restore of a real dedicated n8n (2.x, the platform
// default): the controller brings the tenant up (git → compile → plan →
// apply), the test gives it an owner, a header-auth credential, a published
// webhook workflow that uses it and a plain workflow; a backup goes to S3
// (s3rver); `rp9 restore --sandbox`'s operation brings up
// <tenant>-restore-<yyyymmdd> with the same compile and apply code, on its own
// database and route, with the tenant's n8n key recovered from the backup by
// the master key alone. The sandbox's workflows and decrypted credential equal
// the backup's, its webhook answers, the reconcile loop leaves it alone, and
// the operations loop's sweep removes it whole when its TTL ends. A restore
// drill then restores the same backup into <tenant>-drill-<yyyymmdd> through
// the restore kind's steps, executes the restored manual workflow there
// (n8n execute), records its RTO, result and the tenant's Restorable
// condition, and removes that sandbox.
import { randomBytes, randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { summarizeExport, workflowContent } from '../../controller/backups/manifest.js';
import { backupInput } from '../../controller/backups/naming.js';
import { backupRuntime, cliExporter } from '../../controller/backups/runtime.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { LABEL } from '../../controller/model.js';
import type { RestoreInput } from '../../controller/operations/restore.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { drillSandboxName, sandboxName, SANDBOX_LABEL } from '../../controller/sandbox/sandbox.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { sandboxRuntime } from '../../controller/sandbox/sandbox-runtime.js';
import { sweepSandboxes } from '../../controller/sandbox/sandbox-sweep.js';
import { routeFileName } from '../../controller/traefik/index.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { createApiKey, login, n8nApiFor } from '../../edges/n8n/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { testBucket } from '../harness/s3-bucket.js';
import { platformYaml } from './bots-support.js';
import { callWebhook, callWebhookUntilServed, createWorkload, OWNER, ownerConnection } from './support/n8n-workload.js';
import { expectRestoredAsManifest, expectSandboxServes } from './support/sandbox-checks.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { httpGet } from './n8n-containers.js';
import { until } from './support/wait.js';
import { tenantFile } from './support/config.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const id = randomBytes(3).toString('hex');
const tenant = 'acme';
const environment = `restore-e2e-${id}`;
const network = `rp9-restore-e2e-${id}`;
const today = new Date();
const sandbox = sandboxName(tenant, today);
const sandboxDb = `rp9_${sandbox.replaceAll('-', '_')}`;
const drillDb = `rp9_${drillSandboxName(tenant, today).replaceAll('-', '_')}`;
const files = {
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION }),
  ...tenantFile({ name: tenant, cpu: 1, memoryMb: 1536, workers: 1 }),
};

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let ctl: N8nController | undefined;
let databases: DatabaseAdmin;

/** An operation's wall time, start to finish, from its journal. */
function seconds(op: { startedAt: Date; finishedAt: Date | null }): string {
  return (((op.finishedAt ?? new Date()).getTime() - op.startedAt.getTime()) / 1000).toFixed(1);
}

async function ipOf(container: string): Promise<string> {
  return (await docker.getContainer(container).inspect()).NetworkSettings.Networks[network]!.IPAddress;
}

beforeAll(async () => {
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  databases = createDatabaseAdmin(postgresUrl);
  ctl = await startN8nController({ docker, postgresUrl, redisUrl: inject('redisUrl'), hostFromContainers: inject('hostFromContainers'), environment, network, files, databases: [`rp9_${tenant}`, sandboxDb, drillDb], healthTimeoutSeconds: 240 });
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await ctl?.stop();
  await databases?.close();
}, 180_000);

describe('backup of a real dedicated n8n, restored into a sandbox', () => {
  it('restores workflows and the decrypted credential equal to the backup; the sandbox webhook answers; TTL removes it', async () => {
    const { store, settings } = ctl!;
    // On a loaded machine n8n's first start (migrations) can outlast Docker's health check: the
    // controller's next pass finishes the apply, as it would in production. Bounded: three passes.
    let failures: unknown[] = [];
    for (let pass = 0; pass < 3; pass += 1) {
      failures = (await ctl!.reconcile()).failures;
      if (failures.length === 0) break;
    }
    expect(failures).toEqual([]);
    const api = n8nApiFor(DEFAULT_N8N_VERSION);
    const baseUrl = `http://${await ipOf(mainContainerName(tenant))}:5678`;
    // A loaded machine can hold n8n's first start (migrations) for minutes: wait for its REST, bounded and generous,
    // then set the owner up, retrying while n8n still says "n8n is starting up" (it answers /rest/settings before).
    await until(`n8n REST at ${baseUrl}`, async () => (await httpGet(`${baseUrl}/rest/settings`, 5_000)).status === 200, { timeoutMs: 600_000, intervalMs: 2_000 });
    const connection = await until('the owner setup', () => ownerConnection(baseUrl).catch(async (error: Error) => {
      // A retry after the setup went through but a later call did not: log in as that owner instead.
      if (!/already/i.test(error.message)) throw error;
      const cookie = await login(baseUrl, OWNER.email, OWNER.password);
      return { baseUrl, cookie, apiKey: await createApiKey({ baseUrl, cookie }, 'rp9') };
    }), { timeoutMs: 300_000, intervalMs: 2_000 });
    const workload = await createWorkload(api, connection, `restore-${id}`);
    // A manual workflow of two nodes: the one a restore drill executes.
    await api.createWorkflow(connection, {
      name: 'plain',
      nodes: [
        { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        { id: randomUUID(), name: 'Pass', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
      ],
      connections: { Start: { main: [[{ node: 'Pass', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1' },
    });
    expect(JSON.parse((await callWebhookUntilServed(baseUrl, workload.webhookPath)).body)).toEqual({ msg: `hello restore-${id}` });

    // Backup to S3.
    const objects = await testBucket();
    // The config in force is the committed one (repo.root holds only the bare repo): load it from the same files.
    const source = (path: string) => ({ path, bytes: Buffer.from(files[path as keyof typeof files]!) });
    const config = loadConfig({ platform: source('platform.yaml'), tenants: [source(`tenants/${tenant}.yaml`)], problems: [] });
    expect(config.tenants.map((t) => t.name)).toEqual([tenant]);
    const runtime = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform!, tenants: config.tenants }) });
    const metrics = createMetrics({ defaultMetrics: false });
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: postgresUrl, n8n: cliExporter({ docker, operations: store.operations, emailOf: () => undefined }), restore: runtime.restore, inPlace: runtime.inPlace, drill: runtime.drill, random: () => 0, metrics, logger: silentLogger(), runner: 'test' });
    const input = backupInput(tenant, 'manual', new Date(), { mode: 'dedicated', n8nVersion: DEFAULT_N8N_VERSION });
    const backup = await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id);
    expect(backup.status, backup.error ?? '').toBe('done');
    console.info(`[backup-real-n8n] backup in ${seconds(backup)} s`);
    const record = (await store.backups.get(input.backupId))!;
    const manifest = record.manifest as { workflows: { count: number; sha256: string }; credentials: { count: number; sha256: string }; encryption: { wrappedN8nKey?: string } };
    expect(manifest.workflows.count).toBe(2);
    expect(manifest.credentials.count).toBe(1);
    expect(manifest.encryption.wrappedN8nKey).toEqual(expect.any(String));

    // Restore into a sandbox, through the operation `rp9 restore --sandbox` runs.
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const restoreInput: RestoreInput = { backupId: record.id, target: 'sandbox', sandbox, expiresAt };
    const restored = await engine.runToEnd((await engine.start('restore', tenant, { ...restoreInput })).id);
    expect(restored.status, restored.error ?? '').toBe('done');
    console.info(`[backup-real-n8n] sandbox restore in ${seconds(restored)} s (RTO ${Number(restored.state.rtoSeconds).toFixed(1)} s)`);
    expectRestoredAsManifest(restored.state, `https://${sandbox}.${config.platform!.spec.domain}/`, manifest);
    const sandboxMain = mainContainerName(sandbox);
    const info = await docker.getContainer(sandboxMain).inspect();
    expect(info.Config.Labels).toMatchObject({ [LABEL.tenant]: sandbox, [SANDBOX_LABEL.of]: tenant, [SANDBOX_LABEL.expiresAt]: expiresAt });
    expect(info.Config.Env).toEqual(expect.arrayContaining([`DB_POSTGRESDB_DATABASE=${sandboxDb}`, `QUEUE_BULL_PREFIX=rp9:${sandbox}`]));
    expect(existsSync(join(settings.routesDir, routeFileName(sandbox)))).toBe(true);

    // The decrypted credential in the sandbox is the tenant's; the webhook answers there, and refuses without the header.
    await expectSandboxServes(docker, network, sandbox, workload);

    // The reconcile loop leaves the sandbox alone; a second restore the same day is refused, leaving it standing.
    const again = await ctl!.reconcile();
    expect(again.plan?.tenants.map((t) => t.tenant)).toEqual([tenant]);
    const twice = await engine.runToEnd((await engine.start('restore', tenant, { ...restoreInput })).id);
    expect(twice).toMatchObject({ status: 'rolled-back', state: { errorCode: 'restore.name-in-use' } });
    expect((await docker.getContainer(sandboxMain).inspect()).State.Running).toBe(true);

    // Before its TTL the sweep keeps it; after, it removes containers, route, volume, database and secrets.
    const stack = runtime.stack();
    expect(await sweepSandboxes(stack, store.operations, new Date(), silentLogger())).toEqual([]);
    expect(await sweepSandboxes(stack, store.operations, new Date(Date.parse(expiresAt) + 1_000), silentLogger())).toEqual([sandbox]);
    expect(await stack.inventory()).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`${LABEL.tenant}=${sandbox}`] } })).toEqual([]);
    expect(existsSync(join(settings.routesDir, routeFileName(sandbox)))).toBe(false);
    expect((await databases.observe(environment)).map((d) => d.name)).toEqual([`rp9_${tenant}`]);
    expect(await store.secrets.names(sandbox)).toEqual([]);
    // The tenant itself is untouched.
    expect((await callWebhook(baseUrl, workload.webhookPath)).status).toBe(200);

    // A restore drill: the same backup into the drill's own sandbox, checked, one workflow executed, removed.
    const drill = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(drill.status, drill.error ?? '').toBe('done');
    console.info(`[backup-real-n8n] restore drill in ${seconds(drill)} s (RTO ${Number(drill.state.rtoSeconds).toFixed(1)} s)`);
    expect(drill.state).toMatchObject({
      backupId: record.id,
      sandbox: drillSandboxName(tenant, drill.startedAt),
      integrity: { healthy: true, workflows: { count: 2, equal: true }, credentials: { count: 1, equal: true } },
      smoke: { workflowName: 'plain', why: 'manual trigger', nodesRun: 2 },
    });
    expect(Number(drill.state.rtoSeconds)).toBeGreaterThan(0);
    expect(await stack.inventory()).toEqual([]);
    expect((await databases.observe(environment)).map((d) => d.name)).toEqual([`rp9_${tenant}`]);
    expect(await store.secrets.names(drillSandboxName(tenant, drill.startedAt))).toEqual([]);
    const drillMetrics = await metrics.registry.metrics();
    expect(drillMetrics).toContain('rp9_restore_drills_total{result="success"} 1');
    expect(drillMetrics).toMatch(new RegExp(`rp9_restore_rto_seconds\\{tenant="${tenant}"\\} ${Number(drill.state.rtoSeconds)}`));
    expect((await store.status.get(tenant))?.conditions.find((c) => c.type === 'Restorable')).toMatchObject({ status: 'True', reason: 'RestoreDrillPassed' });

    // In place: a workflow added after the backup is gone after the restore; the pre-restore backup keeps it.
    await api.createWorkflow(connection, { name: 'after the backup', nodes: [], connections: {}, settings: { executionOrder: 'v1' } });
    const pre = backupInput(tenant, 'pre-restore', new Date(Date.now() + 1_000), { mode: 'dedicated', n8nVersion: DEFAULT_N8N_VERSION });
    const inPlace = await engine.runToEnd((await engine.start('restore-in-place', tenant, { ...pre, target: 'in-place', restoreFrom: record.id })).id);
    expect(inPlace.status, inPlace.error ?? '').toBe('done');
    console.info(`[backup-real-n8n] in-place restore (pre-restore backup included) in ${seconds(inPlace)} s`);
    const preRecord = (await store.backups.get(pre.backupId))!;
    expect(preRecord).toMatchObject({ kind: 'pre-restore', status: 'verified', manifest: { workflows: { count: 3 } } });
    const now = summarizeExport(await exportItems(docker, mainContainerName(tenant), 'workflows'), workflowContent);
    expect({ count: now.count, sha256: now.sha256 }).toEqual({ count: 2, sha256: manifest.workflows.sha256 });
    expect(JSON.parse((await callWebhookUntilServed(`http://${await ipOf(mainContainerName(tenant))}:5678`, workload.webhookPath)).body)).toEqual({ msg: `hello restore-${id}` });
  }, 30 * 60_000);
});

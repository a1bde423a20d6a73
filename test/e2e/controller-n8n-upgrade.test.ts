// "A tenant's n8n upgrades from 1.123.81 to 2.41.x blue/green under rp9, and
// its workflows and credential survive": a dedicated tenant pinned to the 1.x
// upgrade source is applied by a real reconcile pass (1.x env, Node 20 image),
// gets an owner, an API key, a credential and a published webhook workflow
// through the 1.x adapter; then its tenant file moves to the platform default
// (2.x on Node 24). The next pass does not recreate: it plans and starts an
// `upgrade` operation, which the test drives step by step (the operations
// loop's job): pre-upgrade backup, a copy of the database, a blue stack on
// 2.x migrating the copy, the gate, the swap of the route, a shortened watch
// and the cleanup of green. The 2.x adapter, with the key made on 1.x, then
// finds everything on blue and the webhook answers with the 1.x-encrypted
// credential; green's containers and database are gone, and the next pass
// finds blue converged. (That key keeps its 1.x scopes: listing credentials,
// new in 2.x, needs a key minted after the upgrade.)
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey, login, n8nApiFor } from '../../edges/n8n/index.js';
import { commitFiles } from '../fixtures/git-repo.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS, UPGRADE_SOURCE_N8N_VERSION } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { containerLogs } from './n8n-containers.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { until } from './support/wait.js';
import { readRouteFiles } from '../../controller/traefik/route-files.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { callWebhook, callWebhookUntilServed, createWorkload, executionsOf, migrationCount, N8N_REST_TIMEOUT_MS, OWNER, ownerConnection, rowsNamingWorkflow } from './support/n8n-workload.js';
import { canaryFor } from '../../controller/upgrades/smoke-canary.js';
import type { N8nDigest } from '../../controller/upgrades/n8n-digest.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';

const id = randomBytes(3).toString('hex');
const tenant = 'upg';
const database = 'rp9_upg';
const environment = `n8n-upg-${id}`;
const network = `rp9-n8n-upg-${id}`;
const main = `rp9-${tenant}-main`;
const worker = `rp9-${tenant}-worker-1`;
const blueMain = `rp9-${tenant}-blue-main`;
const blueWorker = `rp9-${tenant}-blue-worker-1`;
const blueDatabase = `${database}_blue`;

function tenantYaml(version: string): string {
  return realN8nTenantYaml(tenant, { version });
}

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let controller: N8nController | undefined;

beforeAll(async () => {
  const started = Date.now();
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  console.info(`[controller-n8n-upgrade] images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  controller = await startN8nController({
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    environment,
    network,
    files: {
      'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION }),
      [`tenants/${tenant}.yaml`]: tenantYaml(UPGRADE_SOURCE_N8N_VERSION),
    },
    databases: [blueDatabase, database],
    healthTimeoutSeconds: 180,
    watchSeconds: 20,
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await controller?.stop();
}, 180_000);

async function diagnose(): Promise<string> {
  const parts = await Promise.all([main, worker, blueMain, blueWorker].map(async (name) => {
    const logs = await containerLogs(docker.getContainer(name)).catch((error: Error) => error.message);
    return `--- ${name}\n${logs.slice(-6_000)}`;
  }));
  return parts.join('\n');
}

async function mainUrl(name = main): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  return `http://${info.NetworkSettings.Networks[network]!.IPAddress}:5678`;
}

describe('upgrading a tenant from n8n 1.x to 2.x under rp9', () => {
  it(`moves ${UPGRADE_SOURCE_N8N_VERSION} → ${DEFAULT_N8N_VERSION} on the same database; workflow, credential, API key and executions survive`, async () => {
    const ctl = controller!;
    const tenantDb = new URL(postgresUrl);
    tenantDb.pathname = `/${database}`;

    // Arrange: the tenant on 1.x, with a workload made through the 1.x adapter.
    // n8n 1.x has no migration lock; the controller starts the worker only
    // once main is healthy (its migrations done), so one pass is enough.
    const first = await ctl.reconcile();
    if (first.failures.length > 0) console.error(await diagnose());
    expect(first.failures).toEqual([]);
    const v1Info = await docker.getContainer(main).inspect();
    expect(v1Info.Config.Image).toBe(`rp9/n8n:${UPGRADE_SOURCE_N8N_VERSION}`);
    expect(v1Info.Config.Env).toEqual(expect.arrayContaining(['N8N_RUNNERS_ENABLED=true', 'WEBHOOK_URL=https://upg.rp9.example.com/']));
    const v1 = n8nApiFor(UPGRADE_SOURCE_N8N_VERSION);
    const v1Url = await mainUrl();
    // Under load n8n answers "n8n is starting up" for a while after its healthcheck passes.
    await until(`n8n 1.x to be ready (${v1Url}/healthz/readiness answering 200)`, async () => (await fetch(`${v1Url}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200, { timeoutMs: N8N_REST_TIMEOUT_MS, intervalMs: 1_000 });
    const connection = await ownerConnection(v1Url);
    const workload = await createWorkload(v1, connection, `upg-${id}`);
    const before = await callWebhookUntilServed(v1Url, workload.webhookPath);
    expect(JSON.parse(before.body)).toEqual({ msg: `hello upg-${id}` });
    expect(await v1.listCredentials(connection)).toEqual([expect.objectContaining({ id: workload.credential.id })]);
    const member = { email: 'member@rp9.test', password: 'Rp9-member-Passw0rd' };
    await v1.acceptInvitation(connection, await v1.inviteMember(connection, member.email), { firstName: 'Mem', lastName: 'Ber', password: member.password });
    const migrationsBefore = await migrationCount(tenantDb.toString());
    const executionsBefore = await executionsOf(tenantDb.toString(), workload.workflow.id);
    expect(executionsBefore.length).toBeGreaterThan(0);

    // Act: the tenant file moves to the platform default; the next pass plans an upgrade operation, not a recreate.
    await commitFiles(ctl.repo, { [`tenants/${tenant}.yaml`]: tenantYaml(DEFAULT_N8N_VERSION) }, `upgrade ${tenant} to n8n ${DEFAULT_N8N_VERSION}`);
    const started = Date.now();
    const upgraded = await ctl.reconcile();
    expect(upgraded.failures).toEqual([]);
    const tenantPlan = upgraded.plan?.tenants.find((t) => t.tenant === tenant);
    expect(tenantPlan?.operation).toMatchObject({ kind: 'upgrade', status: 'start', from: UPGRADE_SOURCE_N8N_VERSION, to: DEFAULT_N8N_VERSION });
    expect(tenantPlan?.actions.filter((a) => a.kind === 'container')).toEqual([]);
    const [op] = await ctl.store.operations.listUnfinished(tenant);
    expect(op).toMatchObject({ kind: 'upgrade', state: { fromColour: 'green', toColour: 'blue', greenContainers: [main, worker] } });
    // The loop's next passes leave the tenant to the operation (green untouched while it runs).
    const during = await ctl.reconcile();
    expect(during.plan?.tenants.find((t) => t.tenant === tenant)).toMatchObject({ actions: [], operation: { status: 'running' } });

    // The operation, step by step, as the operations loop drives it; the green stack serves until the swap.
    const times: Record<string, number> = {};
    let current = op!;
    await until('the upgrade operation to finish', async () => {
      const before = current.steps[current.currentStep]?.name ?? 'end';
      const t0 = Date.now();
      current = await ctl.engine.step(current.id);
      times[before] = (times[before] ?? 0) + (Date.now() - t0) / 1000;
      if (current.steps[current.currentStep]?.name !== 'swap' && current.currentStep < 4) {
        expect((await docker.getContainer(main).inspect()).State.Running).toBe(true);
      }
      return current.finishedAt !== null;
    }, { timeoutMs: 12 * 60_000, intervalMs: 1_000 });
    console.info(`[controller-n8n-upgrade] upgrade operation ${current.status} in ${((Date.now() - started) / 1000).toFixed(1)} s; per step (s): ${JSON.stringify(times)}; copy: ${JSON.stringify(current.state.copy)}`);
    if (current.status !== 'done') console.error(current.error, await diagnose());
    expect(current.status).toBe('done');

    // Assert: blue on 2.x serves the route; green's containers and database are gone; everything kept.
    const v2Info = await docker.getContainer(blueMain).inspect();
    expect(v2Info.Config.Image).toBe(`rp9/n8n:${DEFAULT_N8N_VERSION}`);
    expect(v2Info.Config.Labels?.['rp9.io/colour']).toBe('blue');
    expect(v2Info.Config.Env).toEqual(expect.arrayContaining(['N8N_WEBHOOK_URL=https://upg.rp9.example.com/', `DB_POSTGRESDB_DATABASE=${blueDatabase}`]));
    expect(v2Info.Config.Env).not.toEqual(expect.arrayContaining(['N8N_RUNNERS_ENABLED=true']));
    for (const gone of [main, worker]) await expect(docker.getContainer(gone).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await databaseExists(postgresUrl, database)).toBe(false);
    const route = (await readRouteFiles(ctl.settings.routesDir)).find((r) => r.tenant === tenant);
    expect(route?.text).toContain(`http://${blueMain}:5678`);
    const blueDb = new URL(postgresUrl);
    blueDb.pathname = `/${blueDatabase}`;
    // The gate's smoke: rp9's canary ran through blue's main and queue on blue's worker (its log says so), then
    // the canary, its execution and its webhook were removed, so the gate's digests of blue and green are equal.
    expect(v2Info.Config.Env).toEqual(expect.arrayContaining(['QUEUE_BULL_PREFIX=rp9:upg:blue']));
    const gate = current.state.gate as { smoke: { ok: boolean; executionId: string; worker: string; seconds: number; removed: Record<string, number> }; green: N8nDigest; blue: N8nDigest };
    console.info(`[controller-n8n-upgrade] smoke: ${JSON.stringify(gate.smoke)}`);
    expect(gate.smoke).toMatchObject({ ok: true, worker: blueWorker, executionId: expect.stringMatching(/^\d+$/), removed: { workflow_entity: 1, execution_entity: 1 } });
    expect(await containerLogs(docker.getContainer(blueWorker))).toContain(`Worker finished execution ${gate.smoke.executionId} (job`);
    // Nothing of the canary is left on blue but, at most, its workflow_statistics row: n8n 2.41 writes it
    // asynchronously after the execution, so one can land after the removal (seen in this test; the
    // removal deletes those present). A known leftover, noted in docs/operations.md.
    const { workflow_statistics: lateStatistics = 0, ...left } = await rowsNamingWorkflow(blueDb.toString(), canaryFor(current.id).id);
    expect(left).toEqual({});
    expect(lateStatistics).toBeLessThanOrEqual(1);
    const { migrations: _g, ...greenHeld } = gate.green;
    const { migrations: _b, ...blueHeld } = gate.blue;
    expect(blueHeld).toEqual(greenHeld);
    const migrationsAfter = await migrationCount(blueDb.toString());
    console.info(`[controller-n8n-upgrade] migrations ${migrationsBefore} → ${migrationsAfter}`);
    expect(migrationsAfter).toBeGreaterThan(migrationsBefore);
    expect(await ctl.store.backups.list(tenant, 10)).toEqual([expect.objectContaining({ kind: 'pre-upgrade', status: 'verified' })]);
    const events = await ctl.store.events.recent({ tenant, limit: 20 });
    expect(events.map((e) => e.reason)).toContain('Upgraded');

    // The next pass finds the blue stack converged: no recreate, no upgrade.
    const settled = await ctl.reconcile();
    expect(settled.failures).toEqual([]);
    const settledPlan = settled.plan?.tenants.find((t) => t.tenant === tenant);
    expect(settledPlan?.operation).toBeUndefined();
    expect(settledPlan?.actions.filter((a) => a.op !== 'retain')).toEqual([]);

    const v2 = n8nApiFor(DEFAULT_N8N_VERSION);
    const v2Url = await mainUrl(blueMain);
    const afterConnection = { ...connection, baseUrl: v2Url }; // the API key and session made on 1.x
    const workflow = await v2.getWorkflow(afterConnection, workload.workflow.id);
    expect(workflow).toEqual({ id: workload.workflow.id, name: workload.workflow.name, active: true });
    // The 1.x key keeps its 1.x scopes: credential:list is new in 2.x, so listing needs a key minted on 2.x.
    await expect(v2.listCredentials(afterConnection)).rejects.toMatchObject({ code: 'n8n.http-error', details: { status: 403 } });
    const session = { baseUrl: v2Url, cookie: await login(v2Url, OWNER.email, OWNER.password) };
    const minted = { ...session, apiKey: await createApiKey(session, 'rp9-2x') };
    expect(await v2.listCredentials(minted)).toEqual([expect.objectContaining({ id: workload.credential.id, name: workload.credential.name, type: 'httpHeaderAuth' })]);
    const after = await callWebhookUntilServed(v2Url, workload.webhookPath);
    expect(JSON.parse(after.body)).toEqual({ msg: `hello upg-${id}` });
    expect((await callWebhook(v2Url, workload.webhookPath, false)).status).toBe(403);
    const executionsAfter = await executionsOf(blueDb.toString(), workload.workflow.id);
    expect(executionsAfter.map((e) => e.id)).toEqual(expect.arrayContaining(executionsBefore.map((e) => e.id)));
    expect(executionsAfter.length).toBeGreaterThan(executionsBefore.length);
    // The member invited and accepted on 1.x logs in on 2.x.
    expect(await login(v2Url, member.email, member.password)).toEqual(expect.any(String));
  }, 25 * 60_000);
});

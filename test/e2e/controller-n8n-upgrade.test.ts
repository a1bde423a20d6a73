// "A tenant's database upgrades from 1.123.81 to 2.41.x under rp9, and its
// workflows and credential survive": a dedicated tenant pinned to the 1.x
// upgrade source is applied by a real reconcile pass (1.x env, Node 20 image),
// gets an owner, an API key, a credential and a published webhook workflow
// through the 1.x adapter; then its tenant file moves to the platform default
// (2.x on Node 24), the next pass recreates its containers on the new image
// with the 2.x env, n8n migrates the same database at start, and the 2.x
// adapter, with the key made on 1.x, finds everything and the webhook answers
// with the 1.x-encrypted credential. (That key keeps its 1.x scopes: listing
// credentials, new in 2.x, needs a key minted after the upgrade.)
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
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { callWebhook, callWebhookUntilServed, createWorkload, executionsOf, migrationCount, OWNER, ownerConnection } from './support/n8n-workload.js';

const id = randomBytes(3).toString('hex');
const tenant = 'upg';
const database = 'rp9_upg';
const environment = `n8n-upg-${id}`;
const network = `rp9-n8n-upg-${id}`;
const main = `rp9-${tenant}-main`;
const worker = `rp9-${tenant}-worker-1`;

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
    databases: [database],
    healthTimeoutSeconds: 180,
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await controller?.stop();
}, 180_000);

async function diagnose(): Promise<string> {
  const parts = await Promise.all([main, worker].map(async (name) => {
    const logs = await containerLogs(docker.getContainer(name)).catch((error: Error) => error.message);
    return `--- ${name}\n${logs.slice(-6_000)}`;
  }));
  return parts.join('\n');
}

async function mainUrl(): Promise<string> {
  const info = await docker.getContainer(main).inspect();
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

    // Act: the tenant file moves to the platform default; the next pass applies it.
    await commitFiles(ctl.repo, { [`tenants/${tenant}.yaml`]: tenantYaml(DEFAULT_N8N_VERSION) }, `upgrade ${tenant} to n8n ${DEFAULT_N8N_VERSION}`);
    const started = Date.now();
    const upgraded = await ctl.reconcile();
    console.info(`[controller-n8n-upgrade] upgrade pass in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (upgraded.failures.length > 0) console.error(await diagnose());

    // Assert: recreated on the new image with the 2.x env, the database migrated, everything kept.
    expect(upgraded.failures).toEqual([]);
    const actions = upgraded.plan?.tenants.find((t) => t.tenant === tenant)?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
    expect(actions).toEqual(expect.arrayContaining([`recreate container ${main}`, `recreate container ${worker}`]));
    // The controller counts a container ready when its healthcheck answers through exec; the engine's own check lags.
    await until('the engine to report the new main healthy', async () => (await docker.getContainer(main).inspect()).State.Health?.Status === 'healthy', { timeoutMs: 60_000, intervalMs: 500 });
    const v2Info = await docker.getContainer(main).inspect();
    expect(v2Info.Config.Image).toBe(`rp9/n8n:${DEFAULT_N8N_VERSION}`);
    expect(v2Info.State).toMatchObject({ Running: true, Health: { Status: 'healthy' } });
    expect(v2Info.Config.Env).toEqual(expect.arrayContaining(['N8N_WEBHOOK_URL=https://upg.rp9.example.com/']));
    expect(v2Info.Config.Env).not.toEqual(expect.arrayContaining(['N8N_RUNNERS_ENABLED=true']));
    const migrationsAfter = await migrationCount(tenantDb.toString());
    console.info(`[controller-n8n-upgrade] migrations ${migrationsBefore} → ${migrationsAfter}`);
    expect(migrationsAfter).toBeGreaterThan(migrationsBefore);

    const v2 = n8nApiFor(DEFAULT_N8N_VERSION);
    const v2Url = await mainUrl();
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
    const executionsAfter = await executionsOf(tenantDb.toString(), workload.workflow.id);
    expect(executionsAfter.map((e) => e.id)).toEqual(expect.arrayContaining(executionsBefore.map((e) => e.id)));
    expect(executionsAfter.length).toBeGreaterThan(executionsBefore.length);
    // The member invited and accepted on 1.x logs in on 2.x.
    expect(await login(v2Url, member.email, member.password)).toEqual(expect.any(String));
  }, 15 * 60_000);
});

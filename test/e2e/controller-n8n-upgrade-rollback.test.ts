// "During the watch, `rp9 tenant rollback` takes the tenant back to green":
// a dedicated tenant on n8n 1.123.81 with a published webhook workflow is
// upgraded blue/green to 2.41.x by a real reconcile pass and the upgrade
// operation (driven step by step, the operations loop's job) up to the watch,
// which is long here so the operation waits in it. Blue serves the webhook
// (an execution written on blue only). Then the rollback is requested as the
// command does it (rollbackDecision + journalRollback on the controller's
// store; the command itself is tested on a real store in
// cli/commands/tenant-rollback.test.ts), and the engine takes its failure
// path: green's main and worker run again on green's database, the route
// file points at green, blue's containers and database are gone, and the
// journal and the UpgradeFailed event count the execution written on blue as
// lost. Green serves the webhook again, on 1.x.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { commitFiles } from '../fixtures/git-repo.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS, UPGRADE_SOURCE_N8N_VERSION } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { containerLogs } from './n8n-containers.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { until } from './support/wait.js';
import { readRouteFiles } from '../../controller/traefik/route-files.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { journalRollback } from '../../controller/upgrades/request-rollback.js';
import { rollbackDecision } from '../../controller/upgrades/rollback-decision.js';
import { callWebhookUntilServed, createWorkload, executionsOf, N8N_REST_TIMEOUT_MS, ownerConnection } from './support/n8n-workload.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import type { Operation } from '../../controller/store/types.js';

const id = randomBytes(3).toString('hex');
const tenant = 'rbk';
const database = 'rp9_rbk';
const environment = `n8n-rbk-${id}`;
const network = `rp9-n8n-rbk-${id}`;
const main = `rp9-${tenant}-main`;
const worker = `rp9-${tenant}-worker-1`;
const blueMain = `rp9-${tenant}-blue-main`;
const blueWorker = `rp9-${tenant}-blue-worker-1`;
const blueDatabase = `${database}_blue`;

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let controller: N8nController | undefined;

beforeAll(async () => {
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  controller = await startN8nController({
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    environment,
    network,
    files: {
      'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION }),
      [`tenants/${tenant}.yaml`]: realN8nTenantYaml(tenant, { version: UPGRADE_SOURCE_N8N_VERSION }),
    },
    databases: [blueDatabase, database],
    healthTimeoutSeconds: 180,
    // Long: the operation waits in the watch until the rollback is asked for.
    watchSeconds: 3600,
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await controller?.stop();
}, 180_000);

async function diagnose(): Promise<string> {
  const parts = await Promise.all([main, worker, blueMain, blueWorker].map(async (name) => {
    const logs = await containerLogs(docker.getContainer(name)).catch((error: Error) => error.message);
    return `--- ${name}\n${logs.slice(-4_000)}`;
  }));
  return parts.join('\n');
}

async function mainUrl(name: string): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  return `http://${info.NetworkSettings.Networks[network]!.IPAddress}:5678`;
}

function urlOf(name: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('rolling back an upgrade during the watch', () => {
  it('switches back to green on its untouched database, discards blue, and records the execution written on blue as lost', async () => {
    const ctl = controller!;
    const first = await ctl.reconcile();
    if (first.failures.length > 0) console.error(await diagnose());
    expect(first.failures).toEqual([]);
    const v1 = n8nApiFor(UPGRADE_SOURCE_N8N_VERSION);
    const greenUrl = await mainUrl(main);
    await until(`n8n 1.x to be ready (${greenUrl})`, async () => (await fetch(`${greenUrl}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200, { timeoutMs: N8N_REST_TIMEOUT_MS, intervalMs: 1_000 });
    const workload = await createWorkload(v1, await ownerConnection(greenUrl), `rbk-${id}`);
    await callWebhookUntilServed(greenUrl, workload.webhookPath);
    const greenExecutions = await executionsOf(urlOf(database), workload.workflow.id);

    // The upgrade, up to the watch (which waits: watchSeconds is an hour).
    await commitFiles(ctl.repo, { [`tenants/${tenant}.yaml`]: realN8nTenantYaml(tenant, { version: DEFAULT_N8N_VERSION }) }, `upgrade ${tenant}`);
    expect((await ctl.reconcile()).failures).toEqual([]);
    const [started] = await ctl.store.operations.listUnfinished(tenant);
    let op: Operation = started!;
    await until('the upgrade to reach the watch', async () => {
      op = await ctl.engine.step(op.id);
      return op.finishedAt !== null || op.steps[op.currentStep]?.name === 'watch';
    }, { timeoutMs: 12 * 60_000, intervalMs: 500 });
    if (op.finishedAt !== null) console.error(op.error, await diagnose());
    expect(op.steps[op.currentStep]?.name).toBe('watch');
    op = await ctl.engine.step(op.id);
    expect(op).toMatchObject({ status: 'running', currentStep: 5 });

    // Blue serves: an execution written on blue's database only.
    const blueUrl = await mainUrl(blueMain);
    const onBlue = await callWebhookUntilServed(blueUrl, workload.webhookPath);
    expect(JSON.parse(onBlue.body)).toEqual({ msg: `hello rbk-${id}` });
    const blueExecutions = await executionsOf(urlOf(blueDatabase), workload.workflow.id);
    expect(blueExecutions.length).toBeGreaterThan(greenExecutions.length);

    // Act: the rollback, as rp9 tenant rollback asks for it; then the operations loop's passes.
    const decision = rollbackDecision(tenant, op, false, new Date());
    expect(decision).toMatchObject({ action: 'roll-back', step: 'watch' });
    if (decision.action !== 'roll-back') throw new Error('unreachable');
    await journalRollback(ctl.store.operations, decision, { by: 'cli:test', at: new Date(), reason: 'e2e' });
    let end = op;
    await until('the rollback to finish', async () => {
      end = await ctl.engine.step(op.id);
      return end.finishedAt !== null;
    }, { timeoutMs: 6 * 60_000, intervalMs: 500 });
    if (end.status !== 'rolled-back') console.error(end.error, end.state.undoError, await diagnose());

    // Assert: green serves on its own database; blue is gone; the loss is journaled and told.
    expect(end.status).toBe('rolled-back');
    expect(end.error).toContain('[upgrade.rollback-requested]');
    const lost = end.state.lostOnBlue as { executions: number; changes: string[] };
    expect(lost.executions).toBeGreaterThanOrEqual(blueExecutions.length - greenExecutions.length);
    const greenInfo = await docker.getContainer(main).inspect();
    expect([greenInfo.State.Running, greenInfo.Config.Image]).toEqual([true, `rp9/n8n:${UPGRADE_SOURCE_N8N_VERSION}`]);
    expect((await docker.getContainer(worker).inspect()).State.Running).toBe(true);
    for (const gone of [blueMain, blueWorker]) await expect(docker.getContainer(gone).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await databaseExists(postgresUrl, blueDatabase)).toBe(false);
    const route = (await readRouteFiles(ctl.settings.routesDir)).find((r) => r.tenant === tenant);
    expect(route?.text).toContain(`http://${main}:5678`);
    expect((await executionsOf(urlOf(database), workload.workflow.id)).map((e) => e.id)).toEqual(greenExecutions.map((e) => e.id));
    const event = (await ctl.store.events.recent({ tenant, limit: 20 })).find((e) => e.reason === 'UpgradeFailed');
    expect(event?.message).toContain('rolled back on request of cli:test');
    expect(event?.message).toMatch(/what blue wrote is lost with blue's database: \d+ executions?/);
    const again = await callWebhookUntilServed(await mainUrl(main), workload.webhookPath);
    expect(JSON.parse(again.body)).toEqual({ msg: `hello rbk-${id}` });
  }, 25 * 60_000);
});

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
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS, UPGRADE_SOURCE_N8N_VERSION } from '../harness/n8n-image.js';
import type { N8nController } from './support/n8n-controller.js';
import { readRouteFiles } from '../../controller/traefik/route-files.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { journalRollback } from '../../controller/upgrades/request-rollback.js';
import { rollbackDecision } from '../../controller/upgrades/rollback-decision.js';
import { callWebhookUntilServed, executionsOf } from './support/n8n-workload.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { arrangeGreen, databaseUrlOf, diagnose, driveUpgrade, mainUrl, startUpgradeController, upgradeRig } from './support/n8n-upgrade.js';

const rig = upgradeRig('rbk');
const { id, tenant, database, blueDatabase, main, worker, blueMain, blueWorker } = rig;

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let controller: N8nController | undefined;

beforeAll(async () => {
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  controller = await startUpgradeController(rig, {
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    fromVersion: UPGRADE_SOURCE_N8N_VERSION,
    // Long: the operation waits in the watch until the rollback is asked for.
    watchSeconds: 3600,
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await controller?.stop();
}, 180_000);

function urlOf(name: string): string {
  return databaseUrlOf(postgresUrl, name);
}

describe('rolling back an upgrade during the watch', () => {
  it('switches back to green on its untouched database, discards blue, and records the execution written on blue as lost', async () => {
    const ctl = controller!;
    const { url: greenUrl, workload } = await arrangeGreen(ctl, docker, rig, UPGRADE_SOURCE_N8N_VERSION);
    await callWebhookUntilServed(greenUrl, workload.webhookPath);
    const greenExecutions = await executionsOf(urlOf(database), workload.workflow.id);

    // The upgrade, up to the watch (which waits: watchSeconds is an hour).
    await ctl.commit({ [rig.file]: realN8nTenantYaml(tenant, { version: DEFAULT_N8N_VERSION }) }, `upgrade ${tenant}`);
    expect((await ctl.reconcile()).failures).toEqual([]);
    const [started] = await ctl.store.operations.listUnfinished(tenant);
    let { op } = await driveUpgrade(ctl, started!, { what: 'the upgrade to reach the watch', done: (o) => o.finishedAt !== null || o.steps[o.currentStep]?.name === 'watch', intervalMs: 500 });
    if (op.finishedAt !== null) console.error(op.error, await diagnose(docker, rig, 4_000));
    expect(op.steps[op.currentStep]?.name).toBe('watch');
    op = await ctl.engine.step(op.id);
    expect(op).toMatchObject({ status: 'running', currentStep: 5 });

    // Blue serves: an execution written on blue's database only.
    const blueUrl = await mainUrl(docker, rig, blueMain);
    const onBlue = await callWebhookUntilServed(blueUrl, workload.webhookPath);
    expect(JSON.parse(onBlue.body)).toEqual({ msg: `hello rbk-${id}` });
    const blueExecutions = await executionsOf(urlOf(blueDatabase), workload.workflow.id);
    expect(blueExecutions.length).toBeGreaterThan(greenExecutions.length);

    // Act: the rollback, as rp9 tenant rollback asks for it; then the operations loop's passes.
    const decision = rollbackDecision(tenant, op, false, new Date());
    expect(decision).toMatchObject({ action: 'roll-back', step: 'watch' });
    if (decision.action !== 'roll-back') throw new Error('unreachable');
    await journalRollback(ctl.store.operations, decision, { by: 'cli:test', at: new Date(), reason: 'e2e' });
    const { op: end } = await driveUpgrade(ctl, op, { what: 'the rollback to finish', timeoutMs: 6 * 60_000, intervalMs: 500 });
    if (end.status !== 'rolled-back') console.error(end.error, end.state.undoError, await diagnose(docker, rig, 4_000));

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
    const again = await callWebhookUntilServed(await mainUrl(docker, rig, main), workload.webhookPath);
    expect(JSON.parse(again.body)).toEqual({ msg: `hello rbk-${id}` });
  }, 25 * 60_000);
});

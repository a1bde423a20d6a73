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
// new in 2.x, needs a key minted after the upgrade.) The swap's catch-up: a
// draft workflow edited on green between the gate and the swap is on blue
// with the edit, and the executions green made after the copy (the steady
// load's) are on blue with the same ids and outcomes.
// All along, a steady load (one webhook GET every 500 ms) goes through a
// route follower (Traefik's file provider stand-in, support/route-follower.ts)
// over the whole upgrade: every request read before the hold went to green,
// every one after the swap to blue; a failure is only the held route's 503
// with Retry-After (read while the swap step ran), a request in flight on
// green cut when it stopped, or a timeout or n8n's own 503 "Database is not
// ready!" on the loaded host. The count and
// the interruption are printed; bench:upgrade measures them.
// A schedule-trigger workflow (every 5 s) is active on green too: blue is
// kept quiet until the swap (blue's worker runs no execution before the swap
// but the gate's canary, while green's keeps running it), the webhook-only
// workflow stays active on blue and answers as soon as the route moves (while
// the schedule's activation on blue, outside the hold, is still under way),
// and after the swap the schedule runs on blue. The hold and the activation's
// seconds are printed.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey, login, n8nApiFor } from '../../edges/n8n/index.js';
import { n8nCall } from '../../edges/n8n/http.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS, UPGRADE_SOURCE_N8N_VERSION } from '../harness/n8n-image.js';
import { containerLogs } from './n8n-containers.js';
import type { N8nController } from './support/n8n-controller.js';
import { readRouteFiles } from '../../controller/traefik/route-files.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { callWebhook, callWebhookUntilServed, executionsOf, migrationCount, OWNER, rowsNamingWorkflow, WEBHOOK_HEADER, type ExecutionRow } from './support/n8n-workload.js';
import { canaryFor } from '../../controller/upgrades/smoke-canary.js';
import type { N8nDigest } from '../../controller/upgrades/n8n-digest.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { arrangeGreen, databaseUrlOf, diagnose, driveUpgrade, mainUrl, startUpgradeController, upgradeRig } from './support/n8n-upgrade.js';
import { startLoad, startRouteFollower, startSuspendedPage, type Load, type Served } from './support/route-follower.js';
import { until } from './support/wait.js';

const rig = upgradeRig('upg');
const { id, tenant, database, blueDatabase, main, worker, blueMain, blueWorker } = rig;
/**
 * One webhook GET through the route every LOAD_EVERY_MS over the whole upgrade. Not the bench's 100 ms: ten
 * queue executions a second on a loaded 2-core CI machine saturated green 1.x itself (p50 35 s, timeouts, its own
 * 503 "Database is not ready!" and dropped connections) before the upgrade began, which says nothing about the swap.
 * bench:upgrade keeps 100 ms and prints what it measures.
 */
const LOAD_EVERY_MS = 500;
/**
 * The starter plan's ceiling: under that load, 1536 MB let the memory cgroup kill the
 * pre-upgrade backup's `n8n export` inside green's main (exit 137; seen in this test).
 */
const MEMORY_MB = 2048;

/** A draft's one node: a manual trigger whose name says which version of the draft it is. */
function draftNodes(version: string): Record<string, unknown>[] {
  return [{ id: randomUUID(), name: `Start ${version}`, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }];
}

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');

/** The schedule workflow's executions in `databaseUrl` started after `since`, oldest first. */
async function ticksSince(databaseUrl: string, workflowId: string, since: Date): Promise<{ id: string; status: string; startedAt: Date }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; status: string; startedAt: Date }>('select id::text as id, status, "startedAt" from execution_entity where "workflowId" = $1 and "startedAt" > $2 order by "startedAt"', [workflowId, since]);
    return rows;
  } finally {
    await client.end();
  }
}

/** `Worker started execution <id>` lines of a container's log, at docker's timestamps. */
async function workerStarts(name: string): Promise<{ at: number; id: string }[]> {
  const buffer = (await docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false, timestamps: true })) as unknown as Buffer;
  return [...buffer.toString('utf8').matchAll(/(\d{4}-\d\d-\d\dT[\d:.]+Z) [^\n]*?Worker started execution (\d+) \(job/g)].map((m) => ({ at: Date.parse(m[1]!), id: m[2]! }));
}
let controller: N8nController | undefined;
let suspended: Served | undefined;
let follower: Served | undefined;
let load: Load | undefined;

beforeAll(async () => {
  const started = Date.now();
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  console.info(`[controller-n8n-upgrade] images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The held route's target: the controller's suspended page (503 with Retry-After).
  suspended = await startSuspendedPage();
  controller = await startUpgradeController(rig, {
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    fromVersion: UPGRADE_SOURCE_N8N_VERSION,
    memoryMb: MEMORY_MB,
    suspendedUrl: suspended.url,
    watchSeconds: 20,
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await load?.stop();
  await follower?.close();
  await suspended?.close();
  await controller?.stop();
}, 180_000);

describe('upgrading a tenant from n8n 1.x to 2.x under rp9', () => {
  it(`moves ${UPGRADE_SOURCE_N8N_VERSION} → ${DEFAULT_N8N_VERSION} on the same database; workflow, credential, API key and executions survive`, async () => {
    const ctl = controller!;
    const tenantDb = databaseUrlOf(postgresUrl, database);

    // Arrange: the tenant on 1.x, with a workload made through the 1.x adapter.
    // n8n 1.x has no migration lock; the controller starts the worker only
    // once main is healthy (its migrations done), so one pass is enough.
    const { url: v1Url, connection, workload } = await arrangeGreen(ctl, docker, rig, UPGRADE_SOURCE_N8N_VERSION);
    const v1Info = await docker.getContainer(main).inspect();
    expect(v1Info.Config.Image).toBe(`rp9/n8n:${UPGRADE_SOURCE_N8N_VERSION}`);
    expect(v1Info.Config.Env).toEqual(expect.arrayContaining(['N8N_RUNNERS_ENABLED=true', 'WEBHOOK_URL=https://upg.rp9.example.com/']));
    const v1 = n8nApiFor(UPGRADE_SOURCE_N8N_VERSION);
    const before = await callWebhookUntilServed(v1Url, workload.webhookPath);
    expect(JSON.parse(before.body)).toEqual({ msg: `hello upg-${id}` });
    expect(await v1.listCredentials(connection)).toEqual([expect.objectContaining({ id: workload.credential.id })]);
    const member = { email: 'member@rp9.test', password: 'Rp9-member-Passw0rd' };
    await v1.acceptInvitation(connection, await v1.inviteMember(connection, member.email), { firstName: 'Mem', lastName: 'Ber', password: member.password });
    // An unpublished draft, edited on green after the copy (below).
    const draft = await v1.createWorkflow(connection, { name: `draft ${id}`, nodes: draftNodes('first'), connections: {}, settings: { executionOrder: 'v1' } });
    const migrationsBefore = await migrationCount(tenantDb);
    const executionsBefore = await executionsOf(tenantDb, workload.workflow.id);
    expect(executionsBefore.length).toBeGreaterThan(0);
    // A schedule trigger every 5 s, active on green: each run is an execution through green's queue and worker.
    const tick = await v1.createWorkflow(connection, {
      name: `rp9 tick ${id}`,
      nodes: [
        { id: randomUUID(), name: 'Schedule', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [0, 0], parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 5 }] } } },
        { id: randomUUID(), name: 'NoOp', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
      ],
      connections: { Schedule: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
    });
    await v1.publishWorkflow(connection, tick.id);
    const tickFrom = new Date(Date.now() - 60_000);
    await until('the schedule workflow to run on green', async () => (await ticksSince(tenantDb, tick.id, tickFrom)).length > 0, { timeoutMs: 60_000, intervalMs: 1_000 });
    // The steady load, through the route as the route file says at each request, from before the merge to after the end.
    follower = await startRouteFollower(join(ctl.settings.routesDir, `rp9-${tenant}.yaml`), docker, rig.network);
    await callWebhookUntilServed(follower.url, workload.webhookPath);
    load = startLoad(`${follower.url}/webhook/${workload.webhookPath}`, { everyMs: LOAD_EVERY_MS, headers: { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value } });

    // Act: the tenant file moves to the platform default; the next pass plans an upgrade operation, not a recreate.
    await ctl.commit({ [rig.file]: realN8nTenantYaml(tenant, { version: DEFAULT_N8N_VERSION, memoryMb: MEMORY_MB }) }, `upgrade ${tenant} to n8n ${DEFAULT_N8N_VERSION}`);
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
    const greenDown: string[] = [];
    const editedName = `draft ${id} (edited on green after the copy)`;
    let edited = false;
    let afterCopy: { onGreen: ExecutionRow[]; onBlue: ExecutionRow[]; mark: number } | undefined;
    // Green's runs of the schedule between the end of the copy and the swap: the window a blue that is not quiet would run it too.
    let greenTicksBeforeSwap: number | undefined;
    const { op: current, seconds: times } = await driveUpgrade(ctl, op!, {
      each: async (o) => {
        const at = o.steps[o.currentStep]?.name;
        if (at === 'swap' && greenTicksBeforeSwap === undefined) greenTicksBeforeSwap = (await ticksSince(tenantDb, tick.id, o.steps[1]!.finishedAt!)).length;
        // Between the gate and the swap: a person edits the draft on green (through 1.x's public API); the swap carries it.
        // (The draft, not the published webhook workflow: 1.x re-registers an active workflow's webhook on every save, and the
        // steady load would read that moment's 404 as a routing failure.)
        if (at === 'swap' && !edited) {
          edited = true;
          await n8nCall(connection, { operation: 'update-workflow', method: 'PUT', path: `/api/v1/workflows/${draft.id}`, auth: 'api-key', body: { name: editedName, nodes: draftNodes('edited'), connections: {}, settings: { executionOrder: 'v1' } } });
        }
        // Right after the swap, before cleanup drops green's database: the executions green made after the copy, and blue's rows of those ids.
        if (at === 'watch' && !afterCopy) {
          const mark = Number(o.state.greenMark);
          const onGreen = (await executionsOf(tenantDb, workload.workflow.id)).filter((e) => Number(e.id) > mark);
          const onBlue = (await executionsOf(databaseUrlOf(postgresUrl, blueDatabase), workload.workflow.id)).filter((e) => onGreen.some((g) => g.id === e.id));
          afterCopy = { onGreen, onBlue, mark };
        }
        if (o.currentStep >= 4) return;
        const state = (await docker.getContainer(main).inspect()).State;
        if (!state.Running) greenDown.push(`${o.steps[o.currentStep]?.name}: green main ${state.Status}`);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await load.stop();
    console.info(`[controller-n8n-upgrade] upgrade operation ${current.status} in ${((Date.now() - started) / 1000).toFixed(1)} s; per step (s): ${JSON.stringify(times)}; copy: ${JSON.stringify(current.state.copy)}`);

    // The steady load: what failed, by status, and the interruption (printed; no time is asserted).
    const results = load.results;
    const failed = results.filter((r) => r.status !== 200);
    const byStatus: Record<number, number> = {};
    for (const r of failed) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const interruption = failed.length > 0 ? failed.at(-1)!.at - failed[0]!.at + LOAD_EVERY_MS / 1000 : 0;
    const served = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
    console.info(`[controller-n8n-upgrade] steady load: ${results.length} webhook requests (one every ${LOAD_EVERY_MS} ms), ${failed.length} failed ${JSON.stringify(byStatus)}; interruption (first to last failure) ${interruption.toFixed(1)} s; journaled hold ${Number(current.state.holdSeconds).toFixed(2)} s; 200 latency p50 ${served[Math.floor(served.length / 2)]?.toFixed(0)} ms, max ${served.at(-1)?.toFixed(0)} ms; first failures ${JSON.stringify(failed.slice(0, 3).map((r) => [r.at.toFixed(1), r.status, r.target, r.body.slice(0, 80)]))}`);
    if (current.status !== 'done') console.error(current.error, await diagnose(docker, rig));
    expect(current.status).toBe('done');
    expect(greenDown).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    const swap = current.steps.find((s) => s.name === 'swap')!;
    const [holdFrom, holdTo] = [swap.startedAt!.getTime(), swap.finishedAt!.getTime()];
    // What a failure may be: the held route's 503 with Retry-After, read while the swap step ran (the hold is inside
    // it); a request in flight on green cut when green stopped ("socket hang up", routed to green); a request that
    // timed out, or n8n's own 503 "Database is not ready!" (the loaded host). Never a 404 (a route to a stack without the webhook), never a refused connection
    // (a route to a stopped stack), never another status. The count is printed above; bench:upgrade measures it.
    // The held page says to retry in seconds (the swap's hold), not the suspended page's hour.
    const held = (r: (typeof results)[number]) => r.status === 503 && r.retryAfter === '10' && r.target?.startsWith(suspended!.url) === true && r.readAtMs! >= holdFrom && r.readAtMs! <= holdTo;
    const cutOnGreen = (r: (typeof results)[number]) => r.status === 502 && r.body.includes('socket hang up') && r.target?.startsWith(`http://${main}:5678`) === true;
    const timedOut = (r: (typeof results)[number]) => r.status === 0 && r.body.includes('aborted due to timeout');
    // n8n's own answer when its database ping missed (seen on green while blue migrated beside it on a loaded host).
    const dbPingMissed = (r: (typeof results)[number]) => r.status === 503 && r.body.includes('Database is not ready') && (r.target?.startsWith(`http://${main}:5678`) === true || r.target?.startsWith(`http://${blueMain}:5678`) === true);
    const unexplained = failed.filter((r) => !held(r) && !cutOnGreen(r) && !timedOut(r) && !dbPingMissed(r));
    expect(unexplained, JSON.stringify(unexplained.slice(0, 5))).toEqual([]);
    // Where each request went: green before the hold, the 503 page during it, blue after the swap; never elsewhere.
    const beforeSwap = results.filter((r) => r.readAtMs !== null && r.readAtMs < holdFrom);
    const afterSwap = results.filter((r) => r.readAtMs !== null && r.readAtMs > holdTo);
    expect(beforeSwap.length).toBeGreaterThan(0);
    expect(afterSwap.length).toBeGreaterThan(0);
    expect(beforeSwap.filter((r) => r.target?.startsWith(`http://${main}:5678`) !== true)).toEqual([]);
    expect(afterSwap.filter((r) => r.target?.startsWith(`http://${blueMain}:5678`) !== true)).toEqual([]);
    // Blue answers: most requests routed to it after the swap succeed (a loaded host may time one out).
    expect(afterSwap.filter((r) => r.status === 200).length).toBeGreaterThan(afterSwap.length / 2);

    // Blue was quiet until the swap: the copy's active workflows that fire by themselves (the schedule) were journaled
    // and marked inactive before blue's main started; the webhook-only one stayed active.
    const activeIds = [workload.workflow.id, tick.id].sort();
    expect(current.state.quiet).toEqual({ mode: 'quiet', active: activeIds, quiet: [tick.id] });
    expect(current.state.gate).toMatchObject({ quiet: 1 });
    // Blue's worker ran nothing before the swap but the gate's canary, while green ran the schedule.
    const smokeExecution = (current.state.gate as { smoke: { executionId: string } }).smoke.executionId;
    const blueBeforeSwap = (await workerStarts(blueWorker)).filter((s) => s.at < holdFrom);
    expect(greenTicksBeforeSwap).toBeGreaterThan(0);
    expect(blueBeforeSwap.map((s) => s.id)).toEqual([smokeExecution]);
    // Outside the hold, once the route moved: the schedule activated on blue with one import, the webhook one left as it was.
    const activation = current.state.blueActivation as { activated: string[]; alreadyActive: string[]; importSeconds: number; seconds: number };
    const swappedAtMs = Date.parse(String(current.state.swappedAt));
    console.info(`[controller-n8n-upgrade] hold ${Number(current.state.holdSeconds).toFixed(2)} s (pre-sync before it ${JSON.stringify(current.state.preSync)}; catch-up ${JSON.stringify(current.state.catchUp)}); blue's activation after the route moved: ${JSON.stringify(activation)}; green ran the schedule ${greenTicksBeforeSwap} times between the copy and the swap`);
    expect(activation).toMatchObject({ method: 'import:workflow --activeState=fromJson', activated: [tick.id], alreadyActive: [workload.workflow.id] });
    // The webhook-only workflow answered on blue right after the route moved, while the activation still ran: no registration waited for.
    const duringActivation = results.filter((r) => r.readAtMs !== null && r.readAtMs > swappedAtMs && r.readAtMs < holdTo && r.target?.startsWith(`http://${blueMain}:5678`) === true);
    console.info(`[controller-n8n-upgrade] requests routed to blue during its activation: ${duringActivation.length}, ${duringActivation.filter((r) => r.status === 200).length} answered 200`);
    expect(duringActivation.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    // After the swap the schedule runs on blue (green is gone), through blue's worker.
    const tickOnBlue = await until('the schedule workflow to run on blue after the swap', async () => (await ticksSince(databaseUrlOf(postgresUrl, blueDatabase), tick.id, new Date(swappedAtMs))).find((t) => t.status === 'success'), { timeoutMs: 60_000, intervalMs: 1_000 });
    expect((await workerStarts(blueWorker)).map((s) => s.id)).toContain(tickOnBlue.id);

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
    const blueDb = databaseUrlOf(postgresUrl, blueDatabase);
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
    const { workflow_statistics: lateStatistics = 0, ...left } = await rowsNamingWorkflow(blueDb, canaryFor(current.id).id);
    expect(left).toEqual({});
    expect(lateStatistics).toBeLessThanOrEqual(1);
    const { migrations: _g, ...greenHeld } = gate.green;
    const { migrations: _b, ...blueHeld } = gate.blue;
    expect(blueHeld).toEqual(greenHeld);
    const migrationsAfter = await migrationCount(blueDb);
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
    const v2Url = await mainUrl(docker, rig, blueMain);
    const afterConnection = { ...connection, baseUrl: v2Url }; // the API key and session made on 1.x
    const workflow = await v2.getWorkflow(afterConnection, workload.workflow.id);
    expect(workflow).toEqual({ id: workload.workflow.id, name: workload.workflow.name, active: true });
    // The edit made on green between the copy and the swap was carried to blue (the catch-up).
    expect(await v2.getWorkflow(afterConnection, draft.id)).toEqual({ id: draft.id, name: editedName, active: false });
    const draftOnBlue = await n8nCall(afterConnection, { operation: 'get-workflow', method: 'GET', path: `/api/v1/workflows/${draft.id}`, auth: 'api-key' });
    expect((draftOnBlue.json as { nodes: { name: string }[] }).nodes.map((n) => n.name)).toEqual(['Start edited']);
    // Carried before the hold, while green still served (the pre-sync); under the hold nothing more had changed.
    expect(current.state.preSync).toMatchObject({ workflows: 1, credentials: 0, deleted: 0 });
    expect(current.state.catchUp).toMatchObject({ workflows: 0, credentials: 0, deleted: 0 });
    // The executions green made after the copy (the steady load) are on blue with the same ids and outcomes.
    console.info(`[controller-n8n-upgrade] catch-up: ${JSON.stringify(current.state.catchUp)}; drain: ${JSON.stringify(current.state.drain)}; green's executions after the copy (id > ${afterCopy?.mark}): ${afterCopy?.onGreen.length}`);
    expect(afterCopy!.onGreen.length).toBeGreaterThan(0);
    expect(afterCopy!.onBlue.map((e) => [e.id, e.status]).sort()).toEqual(afterCopy!.onGreen.map((e) => [e.id, e.status]).sort());
    expect((current.state.catchUp as { executions: number }).executions).toBeGreaterThanOrEqual(afterCopy!.onGreen.length);
    // The 1.x key keeps its 1.x scopes: credential:list is new in 2.x, so listing needs a key minted on 2.x.
    await expect(v2.listCredentials(afterConnection)).rejects.toMatchObject({ code: 'n8n.http-error', details: { status: 403 } });
    const session = { baseUrl: v2Url, cookie: await login(v2Url, OWNER.email, OWNER.password) };
    const minted = { ...session, apiKey: await createApiKey(session, 'rp9-2x') };
    expect(await v2.listCredentials(minted)).toEqual([expect.objectContaining({ id: workload.credential.id, name: workload.credential.name, type: 'httpHeaderAuth' })]);
    const after = await callWebhookUntilServed(v2Url, workload.webhookPath);
    expect(JSON.parse(after.body)).toEqual({ msg: `hello upg-${id}` });
    expect((await callWebhook(v2Url, workload.webhookPath, false)).status).toBe(403);
    const executionsAfter = await executionsOf(blueDb, workload.workflow.id);
    expect(executionsAfter.map((e) => e.id)).toEqual(expect.arrayContaining(executionsBefore.map((e) => e.id)));
    expect(executionsAfter.length).toBeGreaterThan(executionsBefore.length);
    // The member invited and accepted on 1.x logs in on 2.x.
    expect(await login(v2Url, member.email, member.password)).toEqual(expect.any(String));
  }, 25 * 60_000);
});

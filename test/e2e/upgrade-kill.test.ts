// kill -9 of the controller in the middle of a blue/green upgrade: a dedicated
// tenant on real n8n 1.123.81 (a workflow with a webhook and a credential) is
// applied by a real `rp9 controller` process; its tenant file moves to 2.41.1
// and that controller starts the upgrade operation. It is SIGKILLed twice,
// each time a new controller process takes the lease and adopts the journal:
//   (a) while blue comes up (step blue-up, blue's main created and migrating
//       the copy): the new controller re-runs blue-up on the same container
//       and database (no second copy, no second backup) and goes on;
//   (b) the moment the route file points at blue (the swap moved the route;
//       green is still stopping, the journal still says swap, or by then the
//       watch): the next controller re-runs the swap (or the watch) and the
//       upgrade finishes.
// Both times the design resumes (every step re-runs idempotently from the
// journal); nothing rolls back, so the test asserts done. Throughout, a
// sampler reads the tenant's route file every 100 ms: it never names both
// colours, and never a colour whose main is not running. At the end: blue
// alone, the workflow and credential equal (the webhook answers with the
// 1.x-encrypted credential), green's containers and database gone, one
// upgrade operation (done), one pre-upgrade backup, blue's database and main
// container the ones made before the first kill.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { n8nDigest } from '../../controller/upgrades/n8n-digest.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { openStore, storeOptionsFromEnv, type Store } from '../../controller/store/index.js';
import type { Operation } from '../../controller/store/types.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS, UPGRADE_SOURCE_N8N_VERSION } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { containerLogs } from './n8n-containers.js';
import { spawnController, stopControllerProcesses, type ControllerProcess } from './support/controller-process.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { callWebhookUntilServed, createWorkload, N8N_REST_TIMEOUT_MS, ownerConnection } from './support/n8n-workload.js';
import { until } from './support/wait.js';
import { createWorld, type World } from './support/world.js';

const tenant = 'upk';
const green = { main: `rp9-${tenant}-main`, worker: `rp9-${tenant}-worker-1`, database: `rp9_${tenant}` };
const blue = { main: `rp9-${tenant}-blue-main`, worker: `rp9-${tenant}-blue-worker-1`, database: `rp9_${tenant}_blue` };
const GREEN_URL = `http://${green.main}:5678`;
const BLUE_URL = `http://${blue.main}:5678`;
const HELD = 'rp9-suspended.test';
const CONTROLLER_ENV = {
  RP9_HEALTH_TIMEOUT_SECONDS: '240',
  RP9_OPERATIONS_INTERVAL_SECONDS: '1',
  RP9_LEASE_TTL_SECONDS: '6',
  RP9_LEASE_RENEW_SECONDS: '1',
};

const postgresUrl = inject('postgresUrl');
let world: World;
let store: Store | undefined;
let names = 0;

function tenantYaml(version: string): string {
  return realN8nTenantYaml(tenant, { version });
}

function urlOf(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** What a route file says about where the tenant's traffic goes. */
type Routed = 'green' | 'blue' | 'held' | 'both' | 'none' | 'other';

function routedBy(text: string | undefined): Routed {
  if (text === undefined) return 'none';
  const toGreen = text.includes(GREEN_URL);
  const toBlue = text.includes(BLUE_URL);
  if (toGreen && toBlue) return 'both';
  if (toGreen) return 'green';
  if (toBlue) return 'blue';
  return text.includes(HELD) ? 'held' : 'other';
}

function readRoute(): Promise<string | undefined> {
  return readFile(join(world.routesDir, `rp9-${tenant}.yaml`), 'utf8').catch(() => undefined);
}

async function running(name: string): Promise<boolean> {
  const info = await world.docker.getContainer(name).inspect().catch(() => undefined);
  return info?.State.Running === true;
}

/** Every ~100 ms: where the route goes (consecutive repeats collapsed), and any sample naming both colours or a colour whose main is not running. */
function startSampler() {
  const seen: Routed[] = [];
  const violations: string[] = [];
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const first = await readRoute();
      const routed = routedBy(first);
      samples += 1;
      if (seen.at(-1) !== routed) seen.push(routed);
      if (routed === 'both' || routed === 'other' || routed === 'none') violations.push(`${new Date().toISOString()}: route is ${routed}: ${first ?? '(no file)'}`);
      if (routed === 'green' || routed === 'blue') {
        const up = await running(routed === 'green' ? green.main : blue.main);
        // A route that changed while the container was read is no verdict (the swap moves the route before green stops).
        if (!up && (await readRoute()) === first) violations.push(`${new Date().toISOString()}: route points at ${routed}, whose main is not running`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    seen,
    violations,
    samples: () => samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function upgradeOf(s: Store): Promise<Operation | undefined> {
  return (await s.operations.list(tenant, 20)).find((o) => o.kind === 'upgrade');
}

function stepOf(op: Operation | undefined): string {
  if (!op) return '(none)';
  return op.finishedAt ? `(${op.status})` : (op.steps[op.currentStep]?.name ?? '(end)');
}

async function databaseOid(database: string): Promise<number | undefined> {
  const rows = await world.query<{ oid: number }>('select oid::int as oid from pg_database where datname = $1', [database]);
  return rows[0]?.oid;
}

async function containerId(name: string): Promise<string | undefined> {
  return (await world.docker.getContainer(name).inspect().catch(() => undefined))?.Id;
}

async function mainUrl(name: string): Promise<string> {
  const info = await world.docker.getContainer(name).inspect();
  return `http://${info.NetworkSettings.Networks[world.network]!.IPAddress}:5678`;
}

function controller(): Promise<ControllerProcess> {
  names += 1;
  return spawnController(world, { name: `c${names}`, intervalSeconds: 5, env: CONTROLLER_ENV, startTimeoutMs: 120_000 });
}

async function diagnose(processes: ControllerProcess[]): Promise<string> {
  const logs = await Promise.all([green.main, blue.main, blue.worker].map(async (name) => `--- ${name}\n${(await containerLogs(world.docker.getContainer(name)).catch((e: Error) => e.message)).slice(-3_000)}`));
  const ctl = processes.map((p, i) => `--- controller ${i + 1}\n${p.logs().filter((l) => l.level !== 'debug').slice(-40).map((l) => JSON.stringify(l)).join('\n')}\n${p.stderr().slice(-2_000)}`);
  return [...logs, ...ctl].join('\n');
}

/** Leftovers of an earlier run on this dockerd and server (containers and databases are named by tenant, not by world). */
async function removeLeftovers(docker: Docker): Promise<void> {
  for (const name of [blue.worker, blue.main, green.worker, green.main]) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  const databases = createDatabaseAdmin(postgresUrl);
  for (const name of [blue.database, green.database]) await databases.drop({ database: name, role: name }).catch(() => undefined);
  await databases.close();
}

beforeAll(async () => {
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  await removeLeftovers(docker);
  world = await createWorld({
    id: 'upk',
    postgresUrl,
    dockerSocket: inject('dockerSocket'),
    files: (environment) => ({
      'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.policies.upgrades.watchMinutes': 0.5 }),
      [`tenants/${tenant}.yaml`]: tenantYaml(UPGRADE_SOURCE_N8N_VERSION),
    }),
  });
}, 2 * N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await stopControllerProcesses().finally(async () => {
    await store?.close();
    await world?.close();
    await removeLeftovers(world.docker);
  });
}, 180_000);

describe('kill -9 of the controller during a blue/green upgrade', () => {
  it(`resumes ${UPGRADE_SOURCE_N8N_VERSION} → ${DEFAULT_N8N_VERSION} after a kill while blue comes up and one at the swap; the route never names both colours`, async () => {
    const processes: ControllerProcess[] = [];
    const first = await controller();
    processes.push(first);
    store = await openStore({ ...storeOptionsFromEnv(world.env(), { cwd: process.cwd() }), notify: () => {} });
    const s = store;

    // Arrange: green on 1.x, applied by the first controller, with a workflow, its webhook and a credential.
    await until(`${tenant} applied on n8n ${UPGRADE_SOURCE_N8N_VERSION}`, async () => {
      const status = await s.status.get(tenant).catch(() => undefined);
      return status?.conditions.find((c) => c.type === 'Ready')?.status === 'True' && (await running(green.worker));
    }, { timeoutMs: 10 * 60_000, intervalMs: 1_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnose(processes)}`);
    });
    const v1Url = await mainUrl(green.main);
    await until('n8n 1.x ready', async () => (await fetch(`${v1Url}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200, { timeoutMs: N8N_REST_TIMEOUT_MS, intervalMs: 1_000 });
    const connection = await ownerConnection(v1Url);
    const workload = await createWorkload(n8nApiFor(UPGRADE_SOURCE_N8N_VERSION), connection, `upk-${world.environment}`);
    expect(JSON.parse((await callWebhookUntilServed(v1Url, workload.webhookPath)).body)).toEqual({ msg: `hello upk-${world.environment}` });
    const before = await n8nDigest(urlOf(green.database));
    expect(before).toMatchObject({ workflows: 1, credentials: 1 });
    const sampler = startSampler();

    try {
      // Act 1: the version bump; the first controller starts the upgrade and is killed while blue's main migrates the copy.
      await world.push({ [`tenants/${tenant}.yaml`]: tenantYaml(DEFAULT_N8N_VERSION) }, `upgrade ${tenant} to n8n ${DEFAULT_N8N_VERSION}`);
      const atBlueUp = await until('the upgrade at blue-up with blue main created', async () => {
        const op = await upgradeOf(s);
        return stepOf(op) === 'blue-up' && (await containerId(blue.main)) ? op : undefined;
      }, { timeoutMs: 10 * 60_000, intervalMs: 100 });
      expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const killedA = (await upgradeOf(s))!;
      const blueMainId = await containerId(blue.main);
      const blueOid = await databaseOid(blue.database);
      console.info(`[upgrade-kill] kill 1 at ${stepOf(killedA)} (journal: ${killedA.steps.map((x) => `${x.name}=${x.status}`).join(' ')})`);
      // A crash journals nothing: the step blue was coming up in is still running; the copy and the backup are done.
      expect(killedA).toMatchObject({ id: atBlueUp.id, status: 'running', finishedAt: null });
      expect(killedA.steps.map((x) => x.status)).toEqual(['done', 'done', 'running', 'pending', 'pending', 'pending', 'pending']);
      expect(blueOid).toBeDefined();

      // Act 2: a new controller adopts the journal; it is killed the moment the route file points at blue.
      const second = await controller();
      processes.push(second);
      // Adopted: blue-up re-run (health bounded by RP9_HEALTH_TIMEOUT_SECONDS) and the journal moves on.
      await until('the new controller to adopt the upgrade (the journal past blue-up)', async () => {
        const op = await upgradeOf(s);
        return op && stepOf(op) !== 'blue-up' ? op : undefined;
      }, { timeoutMs: 6 * 60_000, intervalMs: 50 }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await diagnose(processes)}`);
      });
      await until('the route to point at blue', async () => routedBy(await readRoute()) === 'blue', { timeoutMs: 12 * 60_000, intervalMs: 10 }).catch(async (error: Error) => {
        throw new Error(`${error.message}; journal at ${stepOf(await upgradeOf(s))}: ${(await upgradeOf(s))?.error ?? ''}\n${await diagnose(processes)}`);
      });
      expect(await second.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const killedB = (await upgradeOf(s))!;
      console.info(`[upgrade-kill] kill 2 at ${stepOf(killedB)} with the route on blue; green main running: ${await running(green.main)} (journal: ${killedB.steps.map((x) => `${x.name}=${x.status}`).join(' ')})`);
      // The second controller re-ran blue-up on the same main and database (no recreate, no second copy) and went through the gate.
      expect(killedB).toMatchObject({ id: atBlueUp.id, status: 'running', finishedAt: null });
      expect(['swap', 'watch']).toContain(stepOf(killedB));
      expect(await containerId(blue.main)).toBe(blueMainId);
      expect(await databaseOid(blue.database)).toBe(blueOid);
      expect(second.logs().some((l) => l.msg === 'operation started')).toBe(false);

      // Act 3: a third controller adopts the journal again and the upgrade finishes.
      const third = await controller();
      processes.push(third);
      const end = await until('the upgrade to finish', async () => {
        const op = await upgradeOf(s);
        return op?.finishedAt ? op : undefined;
      }, { timeoutMs: 10 * 60_000, intervalMs: 500 });
      if (end.status !== 'done') console.error(end.error, await diagnose(processes));
      console.info(`[upgrade-kill] upgrade ${end.status}; swapped at ${String(end.state.swappedAt)}, hold ${String(end.state.holdSeconds)} s; route seen: ${sampler.seen.join(' → ')} (${sampler.samples()} samples)`);

      // Assert: resumed to the end, never rolled back.
      expect(end.status).toBe('done');
      expect(end.steps.map((x) => x.status)).toEqual(Array(7).fill('done'));
      expect((await s.operations.list(tenant, 20)).filter((o) => o.kind === 'upgrade')).toHaveLength(1);
      await until('the sampler to see the route settle on blue', () => sampler.seen.at(-1) === 'blue', { timeoutMs: 5_000 });
      await sampler.stop();
      expect(sampler.violations).toEqual([]);
      expect(sampler.seen[0]).toBe('green');
      expect(sampler.seen).not.toContain('both');
      expect(sampler.seen.at(-1)).toBe('blue');
      // Once on blue, the route stays there: a swap re-run after the switch does not hold again (swapResumed, at the route file's time).
      expect(sampler.seen.slice(sampler.seen.indexOf('blue'))).toEqual(['blue']);
      if (stepOf(killedB) === 'swap') expect(end.state).toMatchObject({ swapResumed: true, swappedAt: expect.any(String) });
      // Exactly one live stack, blue, on the main and database made before the first kill; green's gone.
      const left = await world.docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${world.environment}`] } });
      expect(left.map((c) => `${c.Names[0]?.slice(1)}:${c.State}`).sort()).toEqual([`${blue.main}:running`, `${blue.worker}:running`]);
      expect(await containerId(blue.main)).toBe(blueMainId);
      expect(await databaseOid(blue.database)).toBe(blueOid);
      expect(await databaseExists(postgresUrl, green.database)).toBe(false);
      expect((await world.docker.getContainer(blue.main).inspect()).Config.Image).toBe(`rp9/n8n:${DEFAULT_N8N_VERSION}`);
      // Nothing ran twice that must not: one pre-upgrade backup.
      expect((await s.backups.list(tenant, 20)).filter((b) => b.kind === 'pre-upgrade')).toEqual([expect.objectContaining({ status: 'verified' })]);
      // The workflow and the credential are what they were; the webhook answers on 2.x with the credential encrypted on 1.x.
      const { migrations: _before, ...held } = before;
      const { migrations: _after, ...now } = await n8nDigest(urlOf(blue.database));
      expect(now).toEqual(held);
      const v2Url = await mainUrl(blue.main);
      expect(JSON.parse((await callWebhookUntilServed(v2Url, workload.webhookPath)).body)).toEqual({ msg: `hello upk-${world.environment}` });
    } finally {
      await sampler.stop();
    }
  }, 40 * 60_000);
});

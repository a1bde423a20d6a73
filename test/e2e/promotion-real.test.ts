// End-to-end: the promotion operation moves a real tenant from a real shared
// n8n to its real dedicated n8n (2.x, queue mode, main + worker each, on the
// test dockerd, PostgreSQL and Redis of the harness). Three failures roll
// back (import fails, freeze past ttlMinutes, dedicated unhealthy before the
// switch); then a promotion crashed (as kill -9 would, through the engine's
// fault injector) before and after every step, resumed each time by a new
// engine, moves everything: same ids and content hashes, the credential
// decrypts to the same data, the webhooks answer on the new target, nothing
// is active on shared. At every step boundary and before every undo the test
// asserts that no workflow is active on both instances.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stableHash } from '../../controller/compile/hash.js';
import { mainContainerName, workerContainerName } from '../../controller/compile/names.js';
import { LABEL, type DesiredRoute } from '../../controller/model.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector } from '../../controller/operations/engine.js';
import { bindKind } from '../../controller/operations/kind.js';
import { promotionKind, type PromotionDeps, type RouteState } from '../../controller/operations/promotion.js';
import { contentDifferences, tenantContent } from '../../controller/promotion/content.js';
import { promotionDeps } from '../../controller/promotion/runtime.js';
import { openStore, type Store } from '../../controller/store/index.js';
import type { Operation } from '../../controller/store/types.js';
import { DEFAULT_TRAEFIK_OPTIONS, routeFileName } from '../../controller/traefik/index.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { createTenantDatabase, dropTenantDatabase, type TenantDatabase } from './n8n-containers.js';
import { callWebhook, callWebhookUntilServed, ownerConnection } from './support/n8n-workload.js';
import { activeOn, seedTenant, startStack, type N8nStack, type TenantWorkload } from './support/promotion-n8n.js';
import { until } from './support/wait.js';

const api = n8nApiFor(DEFAULT_N8N_VERSION);
const tenant = `pr${randomBytes(3).toString('hex')}`;
const email = `${tenant}@rp9.test`;
const PREFIX = `rp9e2e-promo-${process.pid}`;
const SHARED_URL_IN_ROUTE = 'http://shared-n8n.rp9.test:5678';
const FROZEN_URL_IN_ROUTE = 'http://rp9-freeze.rp9.test:8080';
const docker = new Docker({ socketPath: inject('dockerSocket') });
const containers: Docker.Container[] = [];
const databases: string[] = [];
let dir = '';
let store: Store;
let shared: N8nStack;
let dedicated: N8nStack;
let owner: N8nConnection;
let workload: TenantWorkload;
const rolledBack: Operation[] = [];
const violations: string[] = [];

async function database(name: string): Promise<TenantDatabase> {
  databases.push(name);
  return createTenantDatabase(inject('postgresUrl'), name);
}

function routeFor(name: string, state: RouteState): DesiredRoute {
  const target = state === 'dedicated' ? { type: 'dedicated' as const, url: dedicated.url } : state === 'frozen' ? { type: 'suspended' as const, url: FROZEN_URL_IN_ROUTE } : { type: 'shared' as const, url: SHARED_URL_IN_ROUTE };
  return { kind: 'route', name, tenant: name, hosts: [`${name}.rp9.test`], target, hash: stableHash({ name, target }) };
}

async function routeTarget(): Promise<string> {
  const text = await readFile(join(dir, 'routes', routeFileName(tenant)), 'utf8');
  return /url: (\S+)/.exec(text)?.[1] ?? 'none';
}

async function dedicatedConnection(): Promise<N8nConnection | undefined> {
  const key = await store.secrets.get(tenant, 'n8n-api-key');
  return key ? { baseUrl: dedicated.url, apiKey: key.reveal() } : undefined;
}

/** The invariant: no workflow active on both instances. Recorded, so a hook's failure cannot be swallowed by the engine. */
async function checkInvariant(where: string): Promise<void> {
  const onShared = await activeOn(api, owner, workload.workflowIds);
  const onDedicated = await activeOn(api, await dedicatedConnection(), workload.workflowIds);
  const both = onShared.filter((id) => onDedicated.includes(id));
  if (both.length > 0) violations.push(`${where}: active on both: ${both.join(', ')}`);
}

function engineWith(deps: PromotionDeps, faults: FaultInjector = {}) {
  const invariant: FaultInjector = {
    async beforeRun(op, step) {
      await faults.beforeRun?.(op, step);
    },
    async afterRun(op, step) {
      await checkInvariant(`after ${step}`);
      await faults.afterRun?.(op, step);
    },
    async beforeUndo(op, step) {
      await checkInvariant(`before undo of ${step}`);
      await faults.beforeUndo?.(op, step);
    },
  };
  return createOperationEngine({ operations: store.operations, kinds: { promotion: bindKind(promotionKind, deps) }, logger: silentLogger(), runner: 'test', faults: invariant });
}

function deps(metrics = createMetrics({ defaultMetrics: false })): PromotionDeps {
  return promotionDeps({
    docker,
    store,
    objects: fsObjectStore(join(dir, 'backups')),
    logger: silentLogger(),
    shared: { container: `${PREFIX}-shared-main`, connection: owner, databaseUrl: sharedDatabaseUrl, version: DEFAULT_N8N_VERSION },
    dedicatedVersion: DEFAULT_N8N_VERSION,
    dedicatedUrl: () => dedicated.url,
    emailOf: (name) => (name === tenant ? email : undefined),
    routes: { dir: join(dir, 'routes'), traefik: DEFAULT_TRAEFIK_OPTIONS, routeFor },
    workDir: join(dir, 'work'),
    metrics,
    onRolledBack: async (op) => {
      rolledBack.push(op);
    },
  });
}

const input = (ttlMinutes = 10) => ({ ttlMinutes, window: '2026-12-06T00:00:00Z', commit: 'c0ffee', graceDays: 7 });
let sharedDatabaseUrl = '';

async function expectRolledBack(op: Operation, code: string): Promise<void> {
  expect(op.status, `${op.error ?? ''} ${String(op.state.undoError ?? '')}`).toBe('rolled-back');
  expect(op.error).toContain(`[${code}]`);
  expect(rolledBack.map((o) => o.id)).toContain(op.id);
  // Shared serves again with exactly the recorded workflows active; the dedicated stack is stopped.
  expect(await activeOn(api, owner, workload.workflowIds)).toEqual(workload.activeIds);
  expect(await routeTarget()).toBe(SHARED_URL_IN_ROUTE);
  expect((await dedicated.main.inspect()).State.Running).toBe(false);
  expect(violations).toEqual([]);
  const events = await store.events.recent({ tenant, limit: 20 });
  expect(events.find((e) => e.correlationId === op.id)?.reason).toBe('PromotionFailed');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-promotion-'));
  store = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
  const image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  const sharedDb = await database(`rp9_e2e_promo_shared_${process.pid}`);
  const url = new URL(inject('postgresUrl'));
  url.username = sharedDb.user;
  url.password = sharedDb.password;
  url.pathname = `/${sharedDb.name}`;
  sharedDatabaseUrl = url.toString();
  const track = (c: Docker.Container) => containers.push(c);
  const common = { docker, image, version: DEFAULT_N8N_VERSION, redisUrl: inject('redisUrl') };
  shared = await startStack({ ...common, db: sharedDb, redisDb: 3, names: { main: `${PREFIX}-shared-main`, worker: `${PREFIX}-shared-worker` }, encryptionKey: 'rp9-e2e-shared-key' }, track);
  dedicated = await startStack({
    ...common,
    db: await database(`rp9_e2e_promo_${tenant}`),
    redisDb: 4,
    names: { main: mainContainerName(tenant), worker: workerContainerName(tenant, 1) },
    labels: { [LABEL.tenant]: tenant },
    encryptionKey: 'rp9-e2e-dedicated-key',
  }, track);
  owner = await ownerConnection(shared.url);
  workload = await seedTenant(api, owner, email, tenant);
  await callWebhookUntilServed(shared.url, workload.authWebhook);
  await deps().route(tenant, 'shared');
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 40 * 60_000);

afterAll(async () => {
  await Promise.allSettled(containers.map((c) => c.remove({ force: true })));
  for (const name of databases) await dropTenantDatabase(inject('postgresUrl'), name).catch(() => undefined);
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 5 * 60_000);

describe('promotion of a shared tenant to its dedicated n8n (real n8n 2.x on both sides)', () => {
  it('rolls back when the import fails (the dedicated main is gone)', async () => {
    const engine = engineWith(deps(), {
      async beforeRun(_op, step) {
        if (step === 'import') await dedicated.main.stop({ t: 5 });
      },
    });
    const op = await engine.runToEnd((await engine.start('promotion', tenant, input())).id);
    await expectRolledBack(op, 'n8n.container-missing');
    expect(op.steps.find((s) => s.name === 'import')?.status).toBe('rolled-back');
  }, 20 * 60_000);

  it('rolls back when the freeze outlives ttlMinutes, deactivating on dedicated before reactivating on shared', async () => {
    const ttlMinutes = 0.1;
    const engine = engineWith(deps(), {
      async afterRun(op, step) {
        if (step !== 'activate') return;
        const frozenAt = Date.parse(String((await store.operations.get(op.id))?.state.frozenAt));
        await until('the freeze to outlive its ttl', () => Date.now() > frozenAt + ttlMinutes * 60_000 + 500, { timeoutMs: 10_000, intervalMs: 200 });
      },
    });
    const op = await engine.runToEnd((await engine.start('promotion', tenant, input(ttlMinutes))).id);
    await expectRolledBack(op, 'promotion.freeze-expired');
  }, 20 * 60_000);

  it('rolls back when the dedicated n8n turns unhealthy before the switch', async () => {
    const engine = engineWith(deps(), {
      async beforeRun(_op, step) {
        if (step === 'switch') await dedicated.main.stop({ t: 5 });
      },
    });
    const op = await engine.runToEnd((await engine.start('promotion', tenant, input())).id);
    await expectRolledBack(op, 'promotion.dedicated-unhealthy');
  }, 20 * 60_000);

  it('survives a crash before and after every step and moves everything: ids, hashes, credential data, webhooks', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const promotion = deps(metrics);
    const crashed: string[] = [];
    const faults: FaultInjector = {
      beforeRun(_op, step) {
        if (crashed.includes(`before ${step}`)) return;
        crashed.push(`before ${step}`);
        throw new SimulatedCrash(`before ${step}`);
      },
      afterRun(_op, step) {
        if (crashed.includes(`after ${step}`)) return;
        crashed.push(`after ${step}`);
        throw new SimulatedCrash(`after ${step}`);
      },
    };
    const id = (await engineWith(promotion).start('promotion', tenant, input())).id;
    let op: Operation | undefined;
    for (let restart = 0; restart < 2 * promotionKind.steps.length + 2 && !op?.finishedAt; restart += 1) {
      try {
        op = await engineWith(promotion, faults).runToEnd(id); // a new engine each time, as after a restart
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        await checkInvariant(`crash ${error.message}`);
      }
    }
    expect(crashed).toHaveLength(2 * promotionKind.steps.length);
    expect(op?.status, op?.error ?? '').toBe('done');

    const conn = (await dedicatedConnection()) as N8nConnection;
    const dedicatedWorkflows = await exportItems(docker, mainContainerName(tenant), 'workflows');
    const dedicatedCredentials = await exportItems(docker, mainContainerName(tenant), 'credentials');
    const sharedWorkflows = (await exportItems(docker, `${PREFIX}-shared-main`, 'workflows')).filter((w) => workload.workflowIds.includes(String(w.id)));
    const sharedCredentials = (await exportItems(docker, `${PREFIX}-shared-main`, 'credentials')).filter((c) => c.id === workload.credentialId);
    expect(dedicatedWorkflows.map((w) => String(w.id)).sort()).toEqual(workload.workflowIds);
    expect(contentDifferences(tenantContent(sharedWorkflows, sharedCredentials), tenantContent(dedicatedWorkflows, dedicatedCredentials))).toEqual([]);
    expect(dedicatedCredentials.find((c) => c.id === workload.credentialId)?.data).toEqual(workload.credentialData);
    // Exactly the recorded workflows active on dedicated, none on shared.
    expect(await activeOn(api, conn, workload.workflowIds)).toEqual(workload.activeIds);
    expect(await activeOn(api, owner, workload.workflowIds)).toEqual([]);
    expect(violations).toEqual([]);
    // The route points at the dedicated n8n, whose webhooks answer (with the moved credential); inactive ones do not.
    expect(await routeTarget()).toBe(dedicated.url);
    const answer = await callWebhook(dedicated.url, workload.authWebhook);
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ msg: `hello ${workload.authWebhook}` });
    expect((await callWebhook(dedicated.url, workload.authWebhook, false)).status).toBe(403);
    for (const path of workload.openWebhooks) expect((await callWebhook(dedicated.url, path)).status).toBe(200);
    for (const path of workload.idleWebhooks) expect((await callWebhook(dedicated.url, path)).status).toBe(404);
    await until('shared to stop serving the moved webhook', async () => (await callWebhook(shared.url, workload.authWebhook)).status === 404, { timeoutMs: 15_000, intervalMs: 500 });
    // The pre-migration backup is catalogued; the sealed export is gone; the metrics count it.
    expect((await store.backups.list(tenant)).map((b) => b.kind)).toContain('pre-migration');
    await expect(readFile(String(op?.state.exportFile))).rejects.toMatchObject({ code: 'ENOENT' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('rp9_promotions_total{result="success"} 1');
    expect(text).toMatch(/rp9_promotion_freeze_seconds_count\{result="success"\} 1/);
    expect(Number(op?.state.freezeSeconds)).toBeGreaterThan(0);
    console.info(`[promotion-real] freeze ${Number(op?.state.freezeSeconds).toFixed(1)} s with ${2 * promotionKind.steps.length} crashes; ${workload.workflowIds.length} workflows, ${workload.activeIds.length} active`);
  }, 30 * 60_000);
});

// End-to-end: the promotion of a shared tenant to its dedicated n8n, between
// two real n8n 2.41.1 instances on the test dockerd. The shared n8n (main +
// worker, queue mode on the harness's Redis and PostgreSQL) is started once
// for the whole file; rp9 does not run it. The tenant (a member user with its
// personal project, 10 workflows, 5 of them active, one webhook that uses a
// header-auth credential) lives there. A promotion is merged on the GitHub
// contract server (the config repo the controller reads over smart HTTP);
// the controller's own parts run it: the reconcile pass (provisions the
// dedicated stack, routes by the journal, stalls a failed promotion), the
// operations loop's start of due promotions and its engine pass, the kind as
// run-controller binds it (controllerPromotionKind) with the rollback PR on
// the forge. Cases, in order, one dedicated stack for all:
//   0. record's SQL read of the shared database gives the CLI export's answer (which of the tenant's workflows
//      are active), and the shared project's fingerprint (verify's proof that nothing changed on shared
//      after the export) changes with the tenant's workflows and credentials only;
//   1. the member renames a workflow on shared after the pre-copy, so the freeze exports and imports again, and
//      that import fails (the dedicated database refuses the credentials table) → rollback, PR opened, not
//      retried until git changes;
//   2. the freeze outlives ttlMinutes (the kind's clock jumps) → rollback;
//   3. the dedicated n8n turns unhealthy before the switch (its main stopped) → rollback;
//   4. success, with a simulated kill -9 (engine SimulatedCrash, a fresh engine resumes from the journal)
//      before and after the run of every step (the journal says running; the work not done, or done), and
//      changes on shared between the pre-copy and the freeze (a workflow renamed, one deleted) carried in it;
//   5. after the grace period, the shared cleanup deletes what moved from the shared n8n, and keeps a
//      workflow the member made there after the move.
// All along, a sampler reads `active` from both n8n databases: no workflow is ever active on both.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { createCompileCache } from '../../controller/compile/compile-cache.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { LABEL } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector, type OperationEngine } from '../../controller/operations/engine.js';
import { promotionKind } from '../../controller/operations/promotion.js';
import { startDueCleanups } from '../../controller/promotion/start-cleanups.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { contentDifferences, tenantContent } from '../../controller/promotion/content.js';
import { promotionKinds } from '../../controller/promotion/controller-kind.js';
import { sharedSide } from '../../controller/promotion/n8n-sides.js';
import { ROLLBACK_BOT, rollbackPrOpener } from '../../controller/promotion/rollback-pr.js';
import { startDuePromotions } from '../../controller/promotion/start-due.js';
import { createCommitStatusReporter } from '../../controller/reconcile/commit-status.js';
import { createConfigTracker, type GoodConfig } from '../../controller/reconcile/config-tracker.js';
import { reconcileOnce } from '../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../controller/runtime/apply-ports.js';
import { compileContextFor, controllerSettings } from '../../controller/runtime/settings.js';
import type { SharedN8n } from '../../controller/shared-tenants/observe-members.js';
import { reconcileMemberList } from '../../controller/shared-tenants/reconcile-members.js';
import { openStore, type Store } from '../../controller/store/index.js';
import type { Operation } from '../../controller/store/types.js';
import { openSource, TOKEN_ENV } from '../../edges/git/index.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { n8nCall } from '../../edges/n8n/http.js';
import { createApiKey, deleteCredential, deleteWorkflow, login, n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { createLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { DEFAULT_N8N_VERSION, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { FULL_NAME, OWNER as GH_OWNER, platformYaml, REPO, startConfigStack, type ConfigStack } from './bots-support.js';
import type { TenantDatabase } from './n8n-containers.js';
import { callWebhookUntilServed, createWorkload, WEBHOOK_HEADER, type Workload } from './support/n8n-workload.js';
import { activeIn, databaseUrlOf, sql, startSharedN8n } from './support/shared-n8n.js';
import { until } from './support/wait.js';

const id = randomBytes(3).toString('hex');
const tenant = 'acme';
const email = `ops@${tenant}.example`;
const file = `tenants/${tenant}.yaml`;
const environment = `promo-e2e-${id}`;
const network = `rp9-promo-e2e-${id}`;
const tenantDb = `rp9_${tenant}`;
const SHARED_DB = 'rp9_e2e_promo_shared';
const SHARED_PREFIX = `rp9e2e-promo-${process.pid}`;
const PERSON = { firstName: 'Acme', lastName: 'Ops', password: 'Acme-ops-Passw0rd' };
const api = n8nApiFor(DEFAULT_N8N_VERSION);
const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
// Warnings and errors only (a failed step, an undo): what a person would read after a red run.
const logger = createLogger({ level: 'warn', stream: process.stderr });

function sharedTenantYaml(): string {
  return ['apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${tenant}`, `  email: ${email}`, 'spec:', '  plan: starter', '  mode: shared', '  region: us-east', `  subdomain: ${tenant}`, ''].join('\n');
}

/** The merged promotion: dedicated, window open now; `attempt` makes each merge a new generation. */
function promotionYaml(attempt: number, ttlMinutes = 10): string {
  return [
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${tenant}`, `  email: ${email}`, 'spec:', '  plan: starter',
    '  # Promoted by the e2e test.', '  mode: dedicated', '  region: us-east', `  subdomain: ${tenant}`,
    '  resources: { workers: 1, memoryMb: 1536, cpu: 1 }',
    '  promotion:', `    window: "${new Date(Date.now() - 60_000).toISOString()}"`, `    ttlMinutes: ${ttlMinutes}`, `    reason: "attempt ${attempt}"`, '',
  ].join('\n');
}

function webhookWorkflow(name: string) {
  return {
    name,
    nodes: [{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path: `${name}-${id}`, responseMode: 'onReceived', options: {} } }],
    connections: {},
    settings: { executionOrder: 'v1' },
  };
}

function plainWorkflow(name: string) {
  return { name, nodes: [{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }], connections: {}, settings: { executionOrder: 'v1' } };
}

function dbUrl(db: { user: string; password: string; name: string }): string {
  return databaseUrlOf(postgresUrl, db);
}

function superuserUrl(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let sharedDb: TenantDatabase;
let stopShared: () => Promise<void> = async () => undefined;
let sharedUrl: string;
let owner: N8nConnection;
let stack: ConfigStack;
let store: Store;
let stateDir: string;
let workload: Workload;
let tenantWorkflows: string[] = [];
let activeAtStart: string[] = [];
let ownersOwn: string;
/** The tenant's member user on the shared n8n (its own API key). */
let memberConnection: N8nConnection;
let projectId: string;
let engine: OperationEngine;
let newEngine: () => OperationEngine;
let tracker: ReturnType<typeof createConfigTracker>;
let reconcile: () => Promise<unknown>;
let routesDir: string;
const faults: FaultInjector = {};
let clockOffsetMs = 0;
const metrics = createMetrics({ defaultMetrics: false });
const databases = createDatabaseAdmin(postgresUrl);
const sampler = { samples: 0, both: [] as string[], stop: false, done: Promise.resolve() };

function startSampler(): void {
  sampler.done = (async () => {
    while (!sampler.stop) {
      if (tenantWorkflows.length > 0) {
        const [onShared, onDedicated] = await Promise.all([activeIn(dbUrl(sharedDb), tenantWorkflows), activeIn(superuserUrl(tenantDb), tenantWorkflows)]).catch(() => [new Set<string>(), new Set<string>()]);
        sampler.samples += 1;
        for (const w of onShared) if (onDedicated.has(w)) sampler.both.push(`${new Date().toISOString()} ${w}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
}

async function startShared(): Promise<void> {
  const shared = await startSharedN8n({ docker, postgresUrl, redisUrl: inject('redisUrl'), database: SHARED_DB, prefix: SHARED_PREFIX, encryptionKey: 'rp9-e2e-promo-shared-key' }, (cleanup) => (stopShared = cleanup));
  sharedDb = shared.db;
  sharedUrl = shared.url;
  owner = shared.owner;
}

/** The tenant as a member of the shared n8n (invited by rp9's members pass, accepted), with its workload. */
async function seedTenant(): Promise<void> {
  const shared: SharedN8n = { api, connection: { baseUrl: sharedUrl, apiKey: owner.apiKey as string, timeoutMs: 60_000 }, databaseUrl: dbUrl(sharedDb) };
  await until('the members pass', async () => {
    const pass = await reconcileMemberList(shared, store, [{ tenant, email, suspended: false }]);
    if (pass.failures.length > 0) throw new Error(JSON.stringify(pass.failures));
    return pass;
  }, { timeoutMs: 180_000, intervalMs: 2_000 });
  const member = (await store.sharedMembers.get(tenant))!;
  projectId = member.projectId as string;
  await api.acceptInvitation(shared.connection, { email, acceptUrl: member.acceptUrl as string }, PERSON);
  const cookie = await login(sharedUrl, email, PERSON.password);
  const conn: N8nConnection = { baseUrl: sharedUrl, cookie, apiKey: await createApiKey({ baseUrl: sharedUrl, cookie, timeoutMs: 60_000 }, tenant), timeoutMs: 60_000 };
  memberConnection = conn;
  workload = await createWorkload(api, conn, `promo-${id}`);
  const ids = [workload.workflow.id];
  const active = [workload.workflow.id];
  for (let i = 1; i <= 4; i += 1) {
    const w = await api.createWorkflow(conn, webhookWorkflow(`hook${i}`));
    await api.publishWorkflow(conn, w.id);
    ids.push(w.id);
    active.push(w.id);
  }
  for (let i = 1; i <= 5; i += 1) ids.push((await api.createWorkflow(conn, plainWorkflow(`plain${i}`))).id);
  const own = await api.createWorkflow(owner, webhookWorkflow('owners-own'));
  await api.publishWorkflow(owner, own.id);
  ownersOwn = own.id;
  tenantWorkflows = ids.sort();
  activeAtStart = active.sort();
}

/** A change the member makes on shared through n8n's API (the workflow renamed): the project's fingerprint moves. */
async function renameOnShared(workflowId: string, suffix: string): Promise<void> {
  const current = (await exportItems(docker, `${SHARED_PREFIX}-main`, 'workflows', { projectId })).find((w) => String(w.id) === workflowId)!;
  await n8nCall(memberConnection, { operation: 'update-workflow', method: 'PUT', path: `/api/v1/workflows/${workflowId}`, auth: 'api-key', body: { name: `${String(current.name)} ${suffix}`, nodes: current.nodes, connections: current.connections, settings: { executionOrder: 'v1' } } });
}

function startController(): void {
  const settings = controllerSettings({ repo: stack.gitUrl, 'state-dir': stateDir }, {
    RP9_DOCKER_NETWORK: network,
    RP9_TENANT_DATABASE_URL: postgresUrl,
    RP9_CONTAINER_POSTGRES: `${inject('hostFromContainers')}:${new URL(postgresUrl).port}`,
    RP9_CONTAINER_REDIS: `${inject('hostFromContainers')}:${new URL(inject('redisUrl')).port}`,
    RP9_HEALTH_TIMEOUT_SECONDS: '240',
    RP9_SHARED_N8N_DATABASE_URL: dbUrl(sharedDb),
  }, process.cwd());
  routesDir = settings.routesDir;
  const source = openSource({ url: settings.repo, cacheDir: join(stateDir, 'git'), env: { [TOKEN_ENV]: 'test-token' } });
  tracker = createConfigTracker(source, createParseCache());
  const compileCache = createCompileCache();
  const ports = (good: GoodConfig) => createApplyPorts({ environment, network, docker, databases, routesDir, traefik: compileContextFor(settings, good.platform).traefik, secrets: store.secrets, healthTimeoutMs: settings.healthTimeoutMs });
  reconcile = () => reconcileOnce({
    tracker,
    compileContext: (platform) => compileContextFor(settings, platform),
    compileCache,
    observe: () => observePlatform({ environment, docker, routesDir, databases }),
    ports,
    tenantDatabases: true,
    store,
    commitStatus: createCommitStatusReporter(undefined, { environment: () => environment }),
    metrics: createMetrics({ defaultMetrics: false }),
    logger,
    options: { concurrency: 2, retry: { attempts: 2, baseMs: 500, maxMs: 2_000 } },
  });
  // As run-controller.ts binds it: the shared n8n's container, API key and URL from RP9_SHARED_N8N_*.
  const kinds = promotionKinds({
    env: { RP9_SHARED_N8N_CONTAINER: `${SHARED_PREFIX}-main`, RP9_SHARED_N8N_API_KEY: owner.apiKey as string, RP9_SHARED_N8N_URL: sharedUrl },
    docker, store, objects: fsObjectStore(join(stateDir, 'backups')), logger, metrics, stateDir, routesDir, sharedDatabaseUrl: dbUrl(sharedDb), network,
    config: tracker.lastGood,
    compileContext: (platform) => compileContextFor(settings, platform),
    rollbackPr: rollbackPrOpener({ forge: stack.forge, baseBranch: 'main', config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }),
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  expect(Object.keys(kinds)).toEqual(['promotion', 'shared-cleanup']);
  newEngine = () => createOperationEngine({ operations: store.operations, kinds, logger, runner: 'controller', faults });
  engine = newEngine();
}

/**
 * The controller's loops, interleaved: a reconcile pass, the due promotions started, one engine
 * pass; until the tenant's newest promotion (not `after`) has finished. A SimulatedCrash is a
 * kill -9: the next "process" gets a fresh engine on the same journal. Bounded.
 */
async function drive(after: string | undefined): Promise<{ op: Operation; crashes: string[] }> {
  const crashes: string[] = [];
  const began = Date.now();
  let seen = '';
  const op = await until('the promotion to finish', async () => {
    await reconcile();
    const good = tracker.lastGood();
    if (good) await startDuePromotions(engine, store, good, new Date(), logger);
    try {
      await engine.pass();
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      crashes.push(error.message);
      engine = newEngine();
    }
    const [latest] = await store.operations.listByKind('promotion', 5);
    const where = latest && latest.id !== after ? `${latest.steps[latest.currentStep]?.name ?? 'end'} ${latest.status}` : 'not started';
    if (where !== seen) console.info(`[promotion-real] +${((Date.now() - began) / 1000).toFixed(1)} s: ${(seen = where)}`);
    if (!latest || latest.id === after || latest.finishedAt === null) throw new Error(`promotion: ${latest ? `${latest.id} at ${latest.steps[latest.currentStep]?.name}` : 'not started'}`);
    return latest;
  }, { timeoutMs: 25 * 60_000, intervalMs: 200 });
  return { op, crashes };
}

async function mergePromotion(attempt: number, ttlMinutes?: number): Promise<void> {
  stack.gh.state.commit(FULL_NAME, { files: { [file]: promotionYaml(attempt, ttlMinutes) }, message: `promote ${tenant} (attempt ${attempt})` });
}

async function routeTarget(): Promise<string> {
  const text = await readFile(join(routesDir, `rp9-${tenant}.yaml`), 'utf8');
  return /url:\s*"?([^\s"]+)/.exec(text)?.[1] ?? `(no url in ${text})`;
}

/** The promotion's shared side as the controller binds it (SQL reads of the shared database, CLI in its main container). */
function sharedSideOfTest() {
  return sharedSide({ docker, container: `${SHARED_PREFIX}-main`, connection: owner, api, databaseUrl: dbUrl(sharedDb), emailOf: () => email });
}

/** The tenant's workflows and whether each is active, as `export:workflow --projectId` (the CLI) says. */
async function workflowStatesByCli(): Promise<{ id: string; active: boolean }[]> {
  const items = await exportItems(docker, `${SHARED_PREFIX}-main`, 'workflows', { projectId });
  return items.map((w) => ({ id: String(w.id), active: w.active === true })).sort((a, b) => a.id.localeCompare(b.id));
}

async function activeOnShared(): Promise<string[]> {
  return [...(await activeIn(dbUrl(sharedDb), tenantWorkflows))].sort();
}

async function dedicatedContainersRunning(): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`${LABEL.tenant}=${tenant}`, `${LABEL.environment}=${environment}`] } })).filter((c) => c.State === 'running').map((c) => c.Names[0]!);
}

async function openPrs() {
  const octokit = new Octokit({ baseUrl: stack.gh.url, auth: 'test-token' });
  return (await octokit.pulls.list({ owner: GH_OWNER, repo: REPO, state: 'open' })).data;
}

/** What every rollback leaves: shared route, recorded workflows active on shared again, dedicated stopped, Stalled PromotionFailed, one PR. */
async function expectRolledBack(op: Operation, code: string): Promise<void> {
  expect(op.status, op.error ?? '').toBe('rolled-back');
  expect(op.state.errorCode).toBe(code);
  expect(op.state.activeOnShared).toEqual(activeAtStart);
  await reconcile();
  expect(await routeTarget()).toBe(sharedUrl);
  expect(await activeOnShared()).toEqual(activeAtStart);
  expect(await dedicatedContainersRunning()).toEqual([]);
  const status = await store.status.get(tenant);
  expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Stalled', status: 'True', reason: 'PromotionFailed' })]));
  const prs = await openPrs();
  expect(prs.map((p) => p.head.ref)).toEqual([`rp9/${ROLLBACK_BOT}/${tenant}`]);
  expect(prs[0]!.body).toContain(op.id);
  expect(prs[0]!.body).toContain(code);
  const proposed = stack.file(file, prs[0]!.head.ref)!;
  expect(proposed).toContain('mode: shared');
  expect(proposed).not.toContain('promotion');
  expect(proposed).toContain('# Promoted by the e2e test.');
  // Not retried while git stays at this commit.
  const good = tracker.lastGood()!;
  expect(await startDuePromotions(engine, store, good, new Date(), logger)).toEqual([]);
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'rp9-promo-e2e-'));
  await databases.drop({ database: tenantDb, role: tenantDb }).catch(() => undefined);
  await startShared();
  store = await openStore({ memory: true, notify: () => undefined });
  await seedTenant();
  stack = await startConfigStack({
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.sharedN8n.url': sharedUrl, 'spec.sharedN8n.version': DEFAULT_N8N_VERSION }),
    [file]: sharedTenantYaml(),
  });
  startController();
  await reconcile();
  expect(await routeTarget()).toBe(sharedUrl);
  startSampler();
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 15 * 60_000);

afterAll(async () => {
  sampler.stop = true;
  await sampler.done;
  const mine = { label: [`${LABEL.environment}=${environment}`] };
  for (const info of await docker.listContainers({ all: true, filters: mine })) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  for (const volume of (await docker.listVolumes({ filters: mine })).Volumes ?? []) await docker.getVolume(volume.Name).remove({ force: true }).catch(() => undefined);
  await docker.getNetwork(network).remove().catch(() => undefined);
  await stopShared();
  await databases.drop({ database: tenantDb, role: tenantDb }).catch(() => undefined);
  await databases.close();
  await store?.close();
  await stack?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 180_000);

describe('promotion between two real n8n instances', () => {
  let last: string | undefined;

  it('record reads by SQL what the CLI export says (the tenant workflows, which are active); the fingerprint changes with the tenant data only', async () => {
    const side = sharedSideOfTest();
    const byCli = await workflowStatesByCli();
    expect(byCli.map((w) => w.id).sort()).toEqual(tenantWorkflows);
    expect(byCli.filter((w) => w.active).map((w) => w.id).sort()).toEqual(activeAtStart);
    // The owner's own (active) workflow is not the tenant's: neither answer has it.
    expect(await side.workflows(tenant)).toEqual(byCli);

    const print = await side.fingerprint(tenant);
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(await side.fingerprint(tenant)).toBe(print);
    // Another project's change (the owner's) leaves it; a credential the member adds (then deletes) and a workflow
    // the member edits through n8n's API change it.
    const ownersCredential = await api.createCredential(owner, { name: 'owner only', type: 'httpHeaderAuth', data: { name: 'X-Owner', value: 'o' } });
    expect(await side.fingerprint(tenant)).toBe(print);
    await deleteCredential(owner, ownersCredential.id);
    const extra = await api.createCredential(memberConnection, { name: 'added during the freeze', type: 'httpHeaderAuth', data: { name: 'X-Extra', value: 'e' } });
    expect(await side.fingerprint(tenant)).not.toBe(print);
    await deleteCredential(memberConnection, extra.id);
    expect(await side.fingerprint(tenant)).toBe(print);
    // Deactivating and activating again (as the freeze and its undo do) leaves it: the pre-copy stays current.
    const hook = activeAtStart.find((w) => w !== workload.workflow.id)!;
    await api.unpublishWorkflow(memberConnection, hook);
    expect(await side.fingerprint(tenant)).toBe(print);
    await api.publishWorkflow(memberConnection, hook);
    expect(await side.fingerprint(tenant)).toBe(print);
    const plain = byCli.find((w) => !w.active)!.id;
    await renameOnShared(plain, '(edited)');
    expect(await side.fingerprint(tenant)).not.toBe(print);
    // Still the same answer as the CLI after the edit.
    expect(await side.workflows(tenant)).toEqual(await workflowStatesByCli());
  }, 10 * 60_000);

  it('rolls back when the import fails; opens the rollback PR; does not retry the same commit', async () => {
    const started = Date.now();
    await mergePromotion(1);
    // A change on shared after the pre-copy: the freeze exports and imports again. There the dedicated database
    // refuses n8n's credentials table: the CLI import fails for real.
    faults.beforeRun = async (_op, step) => {
      if (step === 'record') await renameOnShared(tenantWorkflows.find((w) => !activeAtStart.includes(w))!, '(after the pre-copy)');
      if (step === 'import') await sql(superuserUrl(tenantDb), `revoke all on table credentials_entity from ${tenantDb}`);
    };
    const { op } = await drive(last);
    faults.beforeRun = undefined;
    await sql(superuserUrl(tenantDb), `grant all on table credentials_entity to ${tenantDb}`);
    last = op.id;
    expect(op.state.precopied).toBeDefined();
    expect(op.state.carried).toBe('export');
    expect(op.steps.find((s) => s.name === 'import')?.error).toMatch(/import:credentials in \S+ exited/);
    await expectRolledBack(op, 'n8n.cli-failed');
    console.info(`[promotion-real] import failure and rollback in ${((Date.now() - started) / 1000).toFixed(1)} s (first dedicated start included)`);
  }, 30 * 60_000);

  it('rolls back when the freeze outlives ttlMinutes', async () => {
    const started = Date.now();
    await mergePromotion(2, 1);
    faults.beforeRun = (_op, step) => {
      if (step === 'export') clockOffsetMs = 2 * 60_000;
    };
    const { op } = await drive(last);
    faults.beforeRun = undefined;
    clockOffsetMs = 0;
    last = op.id;
    await expectRolledBack(op, 'promotion.freeze-expired');
    console.info(`[promotion-real] TTL rollback in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 30 * 60_000);

  it('rolls back when the dedicated n8n turns unhealthy before the switch; its database keeps nothing active', async () => {
    const started = Date.now();
    await mergePromotion(3);
    faults.beforeRun = async (_op, step) => {
      if (step === 'switch') await docker.getContainer(mainContainerName(tenant)).stop({ t: 5 });
    };
    const { op } = await drive(last);
    faults.beforeRun = undefined;
    last = op.id;
    await expectRolledBack(op, 'promotion.dedicated-unhealthy');
    // Activated there before the failure, deactivated by the undo: a later start brings nothing up next to shared's.
    expect([...(await activeIn(superuserUrl(tenantDb), tenantWorkflows))]).toEqual([]);
    console.info(`[promotion-real] unhealthy-before-switch rollback in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 30 * 60_000);

  it('moves every workflow and credential, ids and content kept, through a crash before and after the run of every step', async () => {
    const started = Date.now();
    // Copied by the pre-copy, deleted by the member before the freeze: the freeze removes it from dedicated.
    const transient = await api.createWorkflow(memberConnection, plainWorkflow('transient'));
    await mergePromotion(4);
    // A kill -9 at each step boundary (the journal says the step is running, nothing done yet) and
    // mid-step (its work done, the journal not told): each time a fresh engine resumes from the journal.
    const steps = promotionKind.steps.map((s) => s.name);
    const crashBefore = new Set(steps);
    const crashAfter = new Set(steps);
    let changed = false;
    faults.beforeRun = async (_op, step) => {
      if (step === 'record' && !changed) {
        changed = true;
        await renameOnShared(tenantWorkflows.find((w) => !activeAtStart.includes(w))!, '(renamed before the freeze)');
        await deleteWorkflow(memberConnection, transient.id);
      }
      if (crashBefore.delete(step)) throw new SimulatedCrash(`before ${step}`);
    };
    faults.afterRun = (_op, step) => {
      if (crashAfter.delete(step)) throw new SimulatedCrash(`after ${step}`);
    };
    const { op, crashes } = await drive(last);
    faults.beforeRun = undefined;
    faults.afterRun = undefined;
    expect(steps).toEqual(['backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch', 'finish']);
    expect(changed).toBe(true);
    expect(crashes).toEqual(steps.flatMap((step) => [`simulated crash before ${step}`, `simulated crash after ${step}`]));
    expect(op.status, op.error ?? '').toBe('done');
    // The changes after the pre-copy were carried in the freeze: exported again, the deleted workflow removed.
    expect(op.state.carried).toBe('export');
    expect((op.state.precopied as { workflows: string[] }).workflows).toContain(transient.id);
    const freeze = Number(op.state.freezeSeconds);
    console.info(`[promotion-real] promotion done in ${((Date.now() - started) / 1000).toFixed(1)} s; freeze ${freeze.toFixed(1)} s; sampler ${sampler.samples} samples`);
    expect(freeze).toBeGreaterThan(0);
    expect(await metrics.registry.getSingleMetricAsString('rp9_promotion_freeze_seconds')).toMatch(/rp9_promotion_freeze_seconds_count\{result="success"\} 1/);
    expect(await metrics.registry.getSingleMetricAsString('rp9_promotions_total')).toMatch(/rp9_promotions_total\{result="rolled-back"\} 3/);

    // Same ids and content on dedicated, nothing extra, no duplicate after the re-run import.
    const dedicatedMain = mainContainerName(tenant);
    const shared = tenantContent(await exportItems(docker, `${SHARED_PREFIX}-main`, 'workflows', { projectId }), await exportItems(docker, `${SHARED_PREFIX}-main`, 'credentials', { projectId }));
    const dedicatedCredentials = await exportItems(docker, dedicatedMain, 'credentials');
    const dedicated = tenantContent(await exportItems(docker, dedicatedMain, 'workflows'), dedicatedCredentials);
    expect(shared.workflows.items.map((i) => i.id).sort()).toEqual(tenantWorkflows);
    expect(dedicated.workflows.count).toBe(10);
    expect(dedicated.credentials.count).toBe(1);
    expect(contentDifferences(shared, dedicated)).toEqual([]);
    expect(dedicated.workflows.sha256).toBe(shared.workflows.sha256);
    // The credential decrypts (the dedicated instance's own key) to the same data.
    expect(dedicatedCredentials.find((c) => c.id === workload.credential.id)?.data).toEqual({ name: WEBHOOK_HEADER.name, value: WEBHOOK_HEADER.value });

    // Active exactly where they should be: on dedicated, the recorded set; on shared, none of the tenant's; the owner's own untouched.
    expect([...(await activeIn(superuserUrl(tenantDb), tenantWorkflows))].sort()).toEqual(activeAtStart);
    expect(await activeOnShared()).toEqual([]);
    expect((await api.getWorkflow(owner, ownersOwn)).active).toBe(true);
    // Record's SQL read and the CLI export agree after the move too (every workflow inactive on shared now).
    const inactive = (states: { id: string; active: boolean }[]) => states.map((w) => `${w.id} ${w.active ? 'active' : 'inactive'}`).sort();
    expect(inactive(await sharedSideOfTest().workflows(tenant))).toEqual(tenantWorkflows.map((w) => `${w} inactive`));
    expect(inactive(await workflowStatesByCli())).toEqual(tenantWorkflows.map((w) => `${w} inactive`));

    // The route's target is the dedicated n8n, and the tenant's webhook answers there (with its credential's header).
    await reconcile();
    const target = new URL(await routeTarget());
    expect(target.hostname).toBe(dedicatedMain);
    const address = (await docker.getContainer(target.hostname).inspect()).NetworkSettings.Networks[network]!.IPAddress;
    const answer = await callWebhookUntilServed(`http://${address}:${target.port}`, workload.webhookPath);
    expect(JSON.parse(answer.body)).toEqual({ msg: `hello ${workload.webhookPath}` });
    const status = await store.status.get(tenant);
    expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));

    // Never active on both, over every sample of all four promotions.
    expect(sampler.samples).toBeGreaterThan(20);
    expect(sampler.both).toEqual([]);
    last = op.id;
  }, 30 * 60_000);

  it('after the grace period, deletes the moved workflows and credentials from the shared n8n, and nothing else', async () => {
    const [promoted] = await store.operations.listByKind('promotion', 1);
    expect(promoted?.status).toBe('done');
    const good = tracker.lastGood()!;
    // Not before the grace period ends.
    expect(await startDueCleanups(engine, store, good, new Date(), logger)).toEqual([]);
    // A workflow the member makes on shared after the move stays.
    const lateOne = await api.createWorkflow(memberConnection, { name: 'made on shared after the move', nodes: [], connections: {} });
    const later = new Date(Date.parse(String(promoted!.state.cleanupAfter)) + 60_000);
    const [id] = await startDueCleanups(engine, store, good, later, logger);
    expect(id).toBeDefined();
    const cleanup = await until('the shared cleanup to finish', async () => {
      await engine.pass();
      const op = await store.operations.get(id!);
      if (!op || op.finishedAt === null) throw new Error(`cleanup at ${op?.steps[op.currentStep]?.name}`);
      return op;
    }, { timeoutMs: 10 * 60_000, intervalMs: 500 });
    expect(cleanup.status, cleanup.error ?? '').toBe('done');
    const left = await exportItems(docker, `${SHARED_PREFIX}-main`, 'workflows', { projectId });
    expect(left.map((w) => String(w.id))).toEqual([lateOne.id]);
    expect(await exportItems(docker, `${SHARED_PREFIX}-main`, 'credentials', { projectId })).toEqual([]);
    // The dedicated copy and the shared owner's own workflow are untouched.
    const dedicated = await exportItems(docker, mainContainerName(tenant), 'workflows');
    expect(dedicated.map((w) => String(w.id)).sort()).toEqual(tenantWorkflows);
    expect((await api.getWorkflow(owner, ownersOwn)).active).toBe(true);
    const [event] = (await store.events.recent({ tenant })).filter((e) => e.correlationId === cleanup.id);
    expect(event).toMatchObject({ reason: 'SharedCleanedUp', type: 'Warning' });
    expect(event?.message).toContain(`deleted 10 workflow(s) and 1 credential(s)`);
    expect(event?.message).toContain(`workflow ${lateOne.id} (not-on-dedicated)`);
    // Done once: not started again.
    expect(await startDueCleanups(engine, store, good, new Date(later.getTime() + 2 * 3_600_000), logger)).toEqual([]);
  }, 15 * 60_000);
});

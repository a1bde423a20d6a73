// End-to-end: the demotion of a dedicated tenant back to the shared n8n,
// between two real n8n 2.41.1 instances on the test dockerd (the shared one
// from test/e2e/support/shared-n8n.ts, as promotion-real starts it). The
// tenant is created dedicated (rp9's reconcile pass provisions its stack; its
// owner is the tenant's email, set up as the promotion's import step does),
// with a header-auth credential, an active webhook workflow that uses it,
// another active webhook workflow and three inactive ones. The failover edit
// (`mode: shared`, resources removed) is merged on the GitHub contract
// server; the controller's own parts run the rest: the reconcile pass (keeps
// the dedicated stack while the data is there, routes by the journal, stalls
// a failed demotion), the members pass (the tenant's user on shared), the
// operations loop's start of due demotions and its engine pass, the kind as
// run-controller binds it (controllerDemotionKind) with the rollback PR.
//   0. record's SQL read of the dedicated database gives the CLI export's answer (which workflows are active), and
//      the dedicated database's fingerprint (verify's proof that nothing changed there after the export) is stable
//      and moves with a credential added (and back when it is deleted);
//   1. the import into shared fails (the shared database refuses the credentials table) → rollback: route back to dedicated,
//      the recorded workflows active there again, Stalled DemotionFailed, a PR that sets mode: dedicated; not retried on the same commit;
//   2. success after git changes, with simulated kill -9s after freeze, import and switch: same ids and content in the tenant's
//      personal project on shared, the credential decrypts equal, the webhook answers through the route's target (shared),
//      nothing active on dedicated, its stack stopped and kept.
// All along, a sampler reads `active` from both n8n databases: no workflow is ever active on both.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { tenantDatabaseUrl } from '../../controller/backups/runtime.js';
import { createCompileCache } from '../../controller/compile/compile-cache.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { demotionKinds } from '../../controller/demotion/controller-kind.js';
import { DEMOTION_ROLLBACK_BOT, demotionRollbackPrOpener } from '../../controller/demotion/rollback-pr.js';
import { dedicatedStacksOnEngine, startDueDemotions } from '../../controller/demotion/start-due.js';
import { LABEL } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector, type OperationEngine } from '../../controller/operations/engine.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { tenantContent, type TenantContent } from '../../controller/promotion/content.js';
import { dedicatedSide } from '../../controller/promotion/n8n-sides.js';
import { createCommitStatusReporter } from '../../controller/reconcile/commit-status.js';
import { createConfigTracker, type GoodConfig } from '../../controller/reconcile/config-tracker.js';
import { reconcileOnce } from '../../controller/reconcile/reconciler.js';
import { createApplyPorts } from '../../controller/runtime/apply-ports.js';
import { compileContextFor, controllerSettings } from '../../controller/runtime/settings.js';
import type { SharedN8n } from '../../controller/shared-tenants/observe-members.js';
import { reconcileMembers } from '../../controller/shared-tenants/reconcile-members.js';
import { openStore, type Store } from '../../controller/store/index.js';
import type { Operation } from '../../controller/store/types.js';
import { openSource, TOKEN_ENV } from '../../edges/git/index.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { bootstrapOwner, deleteCredential, n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { createLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { DEFAULT_N8N_VERSION, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { FULL_NAME, OWNER as GH_OWNER, platformYaml, REPO, startConfigStack, type ConfigStack } from './bots-support.js';
import { callWebhookUntilServed, createWorkload, WEBHOOK_HEADER, type Workload } from './support/n8n-workload.js';
import { activeIn, sql, startSharedN8n, type SharedN8nInstance } from './support/shared-n8n.js';
import { until } from './support/wait.js';

const id = randomBytes(3).toString('hex');
const tenant = 'globex';
const email = `ops@${tenant}.example`;
const file = `tenants/${tenant}.yaml`;
const environment = `demo-e2e-${id}`;
const network = `rp9-demo-e2e-${id}`;
const tenantDb = `rp9_${tenant}`;
const api = n8nApiFor(DEFAULT_N8N_VERSION);
const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
const logger = createLogger({ level: 'warn', stream: process.stderr });

function tenantYaml(mode: 'dedicated' | 'shared', note: string): string {
  return [
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${tenant}`, `  email: ${email}`, 'spec:', '  plan: starter', `  # ${note}`,
    `  mode: ${mode}`, '  region: us-east', `  subdomain: ${tenant}`, ...(mode === 'dedicated' ? ['  resources: { workers: 1, cpu: 1 }'] : []), '',
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

function superuserUrl(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let shared: SharedN8nInstance | undefined;
let stopShared: () => Promise<void> = async () => undefined;
let stack: ConfigStack;
let store: Store;
let stateDir: string;
let routesDir: string;
let workload: Workload;
let tenantWorkflows: string[] = [];
let activeAtStart: string[] = [];
let before: TenantContent;
let engine: OperationEngine;
let newEngine: () => OperationEngine;
let tracker: ReturnType<typeof createConfigTracker>;
let reconcile: () => Promise<unknown>;
let dedicatedUrl: () => Promise<string>;
let ownerConnection: N8nConnection;
const faults: FaultInjector = {};
const databases = createDatabaseAdmin(postgresUrl);
const sampler = { samples: 0, both: [] as string[], stop: false, done: Promise.resolve() };

function startSampler(): void {
  sampler.done = (async () => {
    while (!sampler.stop) {
      if (tenantWorkflows.length > 0 && shared) {
        const [onShared, onDedicated] = await Promise.all([activeIn(shared.databaseUrl, tenantWorkflows), activeIn(superuserUrl(tenantDb), tenantWorkflows)]).catch(() => [new Set<string>(), new Set<string>()]);
        sampler.samples += 1;
        for (const w of onShared) if (onDedicated.has(w)) sampler.both.push(`${new Date().toISOString()} ${w}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
}

function startController(): void {
  const settings = controllerSettings({ repo: stack.gitUrl, 'state-dir': stateDir }, {
    RP9_DOCKER_NETWORK: network,
    RP9_TENANT_DATABASE_URL: postgresUrl,
    RP9_CONTAINER_POSTGRES: `${inject('hostFromContainers')}:${new URL(postgresUrl).port}`,
    RP9_CONTAINER_REDIS: `${inject('hostFromContainers')}:${new URL(inject('redisUrl')).port}`,
    RP9_HEALTH_TIMEOUT_SECONDS: '240',
    RP9_SHARED_N8N_DATABASE_URL: shared!.databaseUrl,
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
    demotions: true,
    store,
    commitStatus: createCommitStatusReporter(undefined, { environment: () => environment }),
    metrics: createMetrics({ defaultMetrics: false }),
    logger,
    options: { concurrency: 2, retry: { attempts: 2, baseMs: 500, maxMs: 2_000 } },
  });
  dedicatedUrl = async () => {
    const port = compileContextFor(settings, tracker.lastGood()!.platform).n8nPort;
    const address = (await docker.getContainer(mainContainerName(tenant)).inspect()).NetworkSettings.Networks[network]!.IPAddress;
    return `http://${address}:${port}`;
  };
  // As run-controller.ts binds it: the shared n8n's container, API key and URL from RP9_SHARED_N8N_*.
  const kinds = demotionKinds({
    env: { RP9_SHARED_N8N_CONTAINER: shared!.mainContainer, RP9_SHARED_N8N_API_KEY: shared!.owner.apiKey as string, RP9_SHARED_N8N_URL: shared!.url },
    docker, store, objects: fsObjectStore(join(stateDir, 'backups')), logger, stateDir, routesDir, sharedDatabaseUrl: shared!.databaseUrl, network,
    tenantDatabaseUrl: postgresUrl,
    config: tracker.lastGood,
    compileContext: (platform) => compileContextFor(settings, platform),
    rollbackPr: demotionRollbackPrOpener({ forge: stack.forge, baseBranch: 'main', config: tracker.lastGood, files: async (commit) => (await source.snapshot(commit)).files }),
    memberWaitSeconds: 300,
  });
  expect(Object.keys(kinds)).toEqual(['demotion']);
  newEngine = () => createOperationEngine({ operations: store.operations, kinds, logger, runner: 'controller', faults });
  engine = newEngine();
}

function sharedApi(): SharedN8n {
  return { api, connection: { baseUrl: shared!.url, apiKey: shared!.owner.apiKey as string, timeoutMs: 60_000 }, databaseUrl: shared!.databaseUrl };
}

/** The controller's loops, interleaved, until the tenant's newest demotion (not `after`) has finished. A SimulatedCrash is a kill -9. */
async function drive(after: string | undefined): Promise<{ op: Operation; crashes: string[] }> {
  const crashes: string[] = [];
  const began = Date.now();
  let seen = '';
  const op = await until('the demotion to finish', async () => {
    await reconcile();
    const good = tracker.lastGood();
    if (good) {
      const members = await reconcileMembers(sharedApi(), store, good);
      if (members.failures.length > 0) console.info(`[demotion-real] members pass: ${JSON.stringify(members.failures)}`);
      await startDueDemotions(engine, store, good, await dedicatedStacksOnEngine(docker, environment), new Date(), logger);
    }
    try {
      await engine.pass();
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      crashes.push(error.message);
      engine = newEngine();
    }
    const [latest] = await store.operations.listByKind('demotion', 5);
    const where = latest && latest.id !== after ? `${latest.steps[latest.currentStep]?.name ?? 'end'} ${latest.status}` : 'not started';
    if (where !== seen) console.info(`[demotion-real] +${((Date.now() - began) / 1000).toFixed(1)} s: ${(seen = where)}`);
    if (!latest || latest.id === after || latest.finishedAt === null) throw new Error(`demotion: ${latest ? `${latest.id} at ${latest.steps[latest.currentStep]?.name}` : 'not started'}`);
    return latest;
  }, { timeoutMs: 20 * 60_000, intervalMs: 200 });
  return { op, crashes };
}

async function routeTarget(): Promise<string> {
  const text = await readFile(join(routesDir, `rp9-${tenant}.yaml`), 'utf8');
  return /url:\s*"?([^\s"]+)/.exec(text)?.[1] ?? `(no url in ${text})`;
}

async function dedicatedContainers(): Promise<{ name: string; state: string }[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`${LABEL.tenant}=${tenant}`, `${LABEL.environment}=${environment}`] } })).map((c) => ({ name: c.Names[0]!, state: c.State }));
}

async function openPrs() {
  const octokit = new Octokit({ baseUrl: stack.gh.url, auth: 'test-token' });
  return (await octokit.pulls.list({ owner: GH_OWNER, repo: REPO, state: 'open' })).data;
}

async function dedicatedContent(): Promise<TenantContent> {
  const main = mainContainerName(tenant);
  return tenantContent(await exportItems(docker, main, 'workflows'), await exportItems(docker, main, 'credentials'));
}

/** The tenant dedicated from the start: its stack up by the reconcile pass, its owner (the tenant's email) set up as rp9 does it, its workload. */
async function seedDedicatedTenant(): Promise<void> {
  await until('the dedicated stack Ready', async () => {
    await reconcile();
    const status = await store.status.get(tenant);
    return status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? status : undefined;
  }, { timeoutMs: 15 * 60_000, intervalMs: 2_000 });
  const baseUrl = await dedicatedUrl();
  const password = 'Globex-owner-Passw0rd';
  await store.secrets.set(tenant, 'n8n-owner-password', password);
  const ownerConn = await until('the dedicated owner setup', async () => {
    try {
      return await bootstrapOwner(baseUrl, { email, firstName: tenant, lastName: 'owner', password }, 'rp9-promotion');
    } catch (error) {
      throw new Error(`owner setup: ${(error as Error).message}`);
    }
  }, { timeoutMs: 300_000, intervalMs: 2_000 });
  await store.secrets.set(tenant, 'n8n-api-key', ownerConn.apiKey as string);
  const conn: N8nConnection = { ...ownerConn, timeoutMs: 60_000 };
  ownerConnection = conn;
  workload = await createWorkload(api, conn, `demo-${id}`);
  const hook = await api.createWorkflow(conn, webhookWorkflow('hook1'));
  await api.publishWorkflow(conn, hook.id);
  const ids = [workload.workflow.id, hook.id];
  for (let i = 1; i <= 3; i += 1) ids.push((await api.createWorkflow(conn, plainWorkflow(`plain${i}`))).id);
  tenantWorkflows = ids.sort();
  activeAtStart = [workload.workflow.id, hook.id].sort();
  await callWebhookUntilServed(baseUrl, workload.webhookPath);
  before = await dedicatedContent();
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'rp9-demo-e2e-'));
  await databases.drop({ database: tenantDb, role: tenantDb }).catch(() => undefined);
  shared = await startSharedN8n({ docker, postgresUrl, redisUrl: inject('redisUrl'), database: 'rp9_e2e_demo_shared', prefix: `rp9e2e-demo-${process.pid}`, encryptionKey: 'rp9-e2e-demo-shared-key' }, (cleanup) => (stopShared = cleanup));
  store = await openStore({ memory: true, notify: () => undefined });
  stack = await startConfigStack({
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.sharedN8n.url': shared.url, 'spec.sharedN8n.version': DEFAULT_N8N_VERSION, 'spec.plans.starter.memoryMb': 1536 }),
    [file]: tenantYaml('dedicated', 'Dedicated from the start.'),
  });
  startController();
  await seedDedicatedTenant();
  startSampler();
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 25 * 60_000);

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

describe('demotion from a dedicated n8n back to the shared one, both real', () => {
  let last: string | undefined;

  it('record reads by SQL what the CLI export says; the dedicated fingerprint is stable and moves with the tenant\'s data', async () => {
    // As controllerDemotionKind binds it: the tenant's live database on RP9_TENANT_DATABASE_URL.
    const side = dedicatedSide({ docker, api, secrets: store.secrets, emailOf: () => email, baseUrl: dedicatedUrl, databaseUrl: (t) => tenantDatabaseUrl(postgresUrl, store.operations, t) });
    const byCli = (await exportItems(docker, mainContainerName(tenant), 'workflows')).map((w) => ({ id: String(w.id), active: w.active === true })).sort((a, b) => a.id.localeCompare(b.id));
    expect(byCli.map((w) => w.id).sort()).toEqual(tenantWorkflows);
    expect(byCli.filter((w) => w.active).map((w) => w.id).sort()).toEqual(activeAtStart);
    expect(await side.workflows(tenant)).toEqual(byCli);
    const print = await side.fingerprint(tenant);
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(await side.fingerprint(tenant)).toBe(print);
    const extra = await api.createCredential(ownerConnection, { name: 'added during the freeze', type: 'httpHeaderAuth', data: { name: 'X-Extra', value: 'e' } });
    expect(await side.fingerprint(tenant)).not.toBe(print);
    await deleteCredential(ownerConnection, extra.id);
    expect(await side.fingerprint(tenant)).toBe(print);
  }, 5 * 60_000);

  it('rolls back when the import into shared fails: back on dedicated, reactivated there, Stalled, a PR to mode: dedicated, not retried', async () => {
    stack.gh.state.commit(FULL_NAME, { files: { [file]: tenantYaml('shared', 'Failed over by the e2e test (attempt 1).') }, message: `failover ${tenant} (attempt 1)` });
    const user = shared!.db.user;
    faults.beforeRun = async (_op, step) => {
      if (step === 'import') await sql(superuserUrl(shared!.db.name), `revoke all on table credentials_entity from ${user}`);
    };
    let op: Operation;
    try {
      op = (await drive(last)).op;
    } finally {
      faults.beforeRun = undefined;
      await sql(superuserUrl(shared!.db.name), `grant all on table credentials_entity to ${user}`);
    }
    last = op.id;
    expect(op.status, op.error ?? '').toBe('rolled-back');
    expect(op.state.errorCode).toBe('n8n.cli-failed');
    expect(op.state.activeOnDedicated).toEqual(activeAtStart);
    await reconcile();
    expect(new URL(await routeTarget()).hostname).toBe(mainContainerName(tenant));
    expect([...(await activeIn(superuserUrl(tenantDb), tenantWorkflows))].sort()).toEqual(activeAtStart);
    expect([...(await activeIn(shared!.databaseUrl, tenantWorkflows))]).toEqual([]);
    expect((await dedicatedContainers()).every((c) => c.state === 'running')).toBe(true);
    const status = await store.status.get(tenant);
    expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Stalled', status: 'True', reason: 'DemotionFailed' })]));
    const prs = await openPrs();
    expect(prs.map((p) => p.head.ref)).toEqual([`rp9/${DEMOTION_ROLLBACK_BOT}/${tenant}`]);
    expect(prs[0]!.body).toContain(op.id);
    const proposed = stack.file(file, prs[0]!.head.ref)!;
    expect(proposed).toContain('mode: dedicated');
    expect(proposed).toContain('# Failed over by the e2e test (attempt 1).');
    // Not retried while git stays at this commit.
    expect(await startDueDemotions(engine, store, tracker.lastGood()!, await dedicatedStacksOnEngine(docker, environment), new Date(), logger)).toEqual([]);
    // The webhook still answers on dedicated.
    await callWebhookUntilServed(await dedicatedUrl(), workload.webhookPath);
  }, 30 * 60_000);

  it('moves every workflow and credential into the tenant\'s project on shared, ids and content kept, through crashes at three steps', async () => {
    const started = Date.now();
    stack.gh.state.commit(FULL_NAME, { files: { [file]: tenantYaml('shared', 'Failed over by the e2e test (attempt 2).') }, message: `failover ${tenant} (attempt 2)` });
    const crashAfter = new Set(['freeze', 'import', 'switch']);
    faults.afterRun = (_op, step) => {
      if (crashAfter.delete(step)) throw new SimulatedCrash(`after ${step}`);
    };
    let result: Awaited<ReturnType<typeof drive>>;
    try {
      result = await drive(last);
    } finally {
      faults.afterRun = undefined;
    }
    const { op, crashes } = result;
    expect(crashes).toEqual(['simulated crash after freeze', 'simulated crash after import', 'simulated crash after switch']);
    expect(op.status, op.error ?? '').toBe('done');
    console.info(`[demotion-real] demotion done in ${((Date.now() - started) / 1000).toFixed(1)} s; freeze ${Number(op.state.freezeSeconds).toFixed(1)} s; sampler ${sampler.samples} samples`);
    expect(typeof op.state.backupId).toBe('string');

    // Same ids and content in the tenant's personal project on shared; the credential decrypts (shared's key) to the same data.
    const projectId = (await store.sharedMembers.get(tenant))?.projectId as string;
    expect(projectId).toBeTruthy();
    const sharedCredentials = await exportItems(docker, shared!.mainContainer, 'credentials', { projectId });
    const onShared = tenantContent(await exportItems(docker, shared!.mainContainer, 'workflows', { projectId }), sharedCredentials);
    expect(onShared.workflows.items.map((i) => i.id).sort()).toEqual(tenantWorkflows);
    expect(onShared.workflows.sha256).toBe(before.workflows.sha256);
    expect(onShared.credentials.sha256).toBe(before.credentials.sha256);
    expect(sharedCredentials.find((c) => c.id === workload.credential.id)?.data).toEqual({ name: WEBHOOK_HEADER.name, value: WEBHOOK_HEADER.value });

    // Active exactly where they should be: the recorded set on shared, none on dedicated.
    expect([...(await activeIn(shared!.databaseUrl, tenantWorkflows))].sort()).toEqual(activeAtStart);
    expect([...(await activeIn(superuserUrl(tenantDb), tenantWorkflows))]).toEqual([]);

    // The route points at the shared n8n, and the tenant's webhook answers there (with its credential's header).
    await reconcile();
    expect(await routeTarget()).toBe(shared!.url);
    const answer = await callWebhookUntilServed(await routeTarget(), workload.webhookPath);
    expect(JSON.parse(answer.body)).toEqual({ msg: `hello ${workload.webhookPath}` });

    // The dedicated stack is stopped and kept (a reconcile pass does not start or remove it); Ready, no longer Stalled.
    const containers = await dedicatedContainers();
    expect(containers.length).toBeGreaterThan(0);
    expect(containers.filter((c) => c.state === 'running')).toEqual([]);
    const status = await store.status.get(tenant);
    expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    expect((await store.events.recent({ tenant, since: new Date(started), limit: 50 })).map((e) => e.reason)).toContain('Demoted');

    // Never active on both, over every sample of both demotions.
    expect(sampler.samples).toBeGreaterThan(10);
    expect(sampler.both).toEqual([]);
  }, 30 * 60_000);
});

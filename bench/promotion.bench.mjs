// Promotion figures (dist/, real edges, real n8n): a shared tenant with 50
// workflows (30 with a webhook, 25 of them active; 20 plain, inactive) and 20
// credentials (each used by the node of one active webhook workflow) is
// promoted from a real shared n8n 2.41.1 (main + worker, queue mode; rp9 does
// not run it) to its real dedicated n8n 2.41.1 by the controller
// (`runController`, its reconcile, members and operations loops as in
// production) after a merge that sets `mode: dedicated` and
// `spec.promotion.window` a few minutes ahead (the dedicated stack is
// provisioned in between, as in production). Prints:
//   - the freeze in seconds (record … switch: the route answers 503 and the
//     tenant's workflows are inactive on shared until the route points at the
//     dedicated n8n), against the target of 60 s, with a verdict;
//   - the time from the window opening to the route switched (the operations
//     loop's pick-up, the pre-migration backup, the dedicated stack's health
//     check, then the freeze);
//   - the time of each step of the promotion operation (from its journal), so
//     the slow one shows;
//   - the load average at the start and at the end.
// The tenant is seeded as production has it: the members loop invites its
// email to the shared n8n, the bench accepts the invitation and creates the
// workload through n8n's public API as that member (test/e2e/support).
// Starts its own PostgreSQL, Redis and dockerd (test harness, via tsx) and
// imports the n8n image into that dockerd (about a minute). Needs root and the
// n8n image cache (deploy/n8n-image/prepare.sh).
//   npm run build && node bench/promotion.bench.mjs
//   RP9_OPERATIONS_INTERVAL_SECONDS (default the controller's 30), RP9_BENCH_WINDOW_SECONDS (window after the merge, default 240)
// Prints figures; asserts nothing about time.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { freePort, sleep, waitFor } from './bench-support.mjs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/controller');
if (!existsSync(join(dist, 'runtime/run-controller.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const SECRET = 'bench-webhook-secret';
const TENANT = 'prb';
const EMAIL = `ops@${TENANT}.example`;
const PERSON = { firstName: 'Prb', lastName: 'Ops', password: 'Prb-ops-Passw0rd' };
const FILE = `tenants/${TENANT}.yaml`;
const CREDENTIALS = 20;
const WEBHOOKS = 30;
const ACTIVE = 25;
const WORKFLOWS = 50;
const FREEZE_TARGET_SECONDS = 60;
const WINDOW_SECONDS = Number(process.env.RP9_BENCH_WINDOW_SECONDS ?? 240);
const FREEZE_STEPS = ['record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch'];

// The harness and the e2e support are TypeScript test code (not in dist/): loaded through tsx.
register();
const { startPostgres } = await import('../test/harness/postgres.ts');
const { startRedis } = await import('../test/harness/redis.ts');
const { startDockerd } = await import('../test/harness/dockerd.ts');
const { startGitServer } = await import('../test/harness/git-server.ts');
const { ensureN8nImage, DEFAULT_N8N_VERSION } = await import('../test/harness/n8n-image.ts');
const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
const { platformYaml } = await import('../test/e2e/bots-support.ts');
const { startSharedN8n } = await import('../test/e2e/support/shared-n8n.ts');
const { createWorkload } = await import('../test/e2e/support/n8n-workload.ts');
const { runController } = await import(join(dist, 'runtime/run-controller.js'));
const { controllerSettings } = await import(join(dist, 'runtime/settings.js'));
const { createLogger } = await import(join(root, 'dist/kernel/log/logger.js'));
const { signBody } = await import(join(dist, 'http/github-webhook.js'));
const { n8nApiFor, login, createApiKey } = await import(join(root, 'dist/edges/n8n/index.js'));
const { default: Docker } = await import('dockerode');
const { default: pg } = await import('pg');

const print = (line) => process.stdout.write(`${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const seconds = (ms) => (ms / 1000).toFixed(1);


function tenantYaml(promotion) {
  return [
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${TENANT}`, `  email: ${EMAIL}`, 'spec:', '  plan: starter',
    `  mode: ${promotion ? 'dedicated' : 'shared'}`, '  region: us-east', `  subdomain: ${TENANT}`,
    ...(promotion ? ['  resources: { workers: 1, memoryMb: 1536, cpu: 1 }', '  promotion:', `    window: "${promotion.window}"`, '    ttlMinutes: 30', '    reason: "promotion bench"'] : []),
    '',
  ].join('\n');
}

function webhookWorkflow(name, path) {
  return {
    name,
    nodes: [
      { id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path, responseMode: 'onReceived', options: {} } },
      { id: randomUUID(), name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [220, 0], parameters: { assignments: { assignments: [{ id: randomUUID(), name: 'path', value: path, type: 'string' }] }, options: {} } },
    ],
    connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

function plainWorkflow(name) {
  return {
    name,
    nodes: [
      { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
      { id: randomUUID(), name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [220, 0], parameters: { assignments: { assignments: [{ id: randomUUID(), name: 'n', value: name, type: 'string' }] }, options: {} } },
    ],
    connections: { Start: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

const temp = await mkdtemp(join(tmpdir(), 'rp9-bench-promotion-'));
const dockerd = await startDockerd(`rp9p${process.pid % 100000}`);
const [postgres, redis] = await Promise.all([startPostgres({ alsoListenOn: dockerd.gateway }), startRedis({ alsoListenOn: dockerd.gateway })]);
const docker = new Docker({ socketPath: dockerd.socketPath });
const id = randomBytes(3).toString('hex');
const environment = `bench-promo-${id}`;
const network = `rp9-bench-promo-${id}`;
const api = n8nApiFor(DEFAULT_N8N_VERSION);
let controller;
let shared;
let git;
// A bench stopped by a signal still removes its controller, containers, dockerd, PostgreSQL and Redis.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
const loadAtStart = load();
print(`promotion bench: node ${process.version}, ${cpus().length} cpus, load ${loadAtStart}; shared n8n ${DEFAULT_N8N_VERSION} → dedicated n8n ${DEFAULT_N8N_VERSION} (main + 1 worker each); ${WORKFLOWS} workflows (${WEBHOOKS} webhooks, ${ACTIVE} active), ${CREDENTIALS} credentials`);
try {
  const imagesStarted = performance.now();
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  print(`n8n image imported into the bench dockerd in ${seconds(performance.now() - imagesStarted)} s`);

  const sharedStarted = performance.now();
  shared = await startSharedN8n({ docker, postgresUrl: postgres.url, redisUrl: redis.url, database: 'rp9_bench_promo_shared', prefix: `rp9bench-promo-${id}`, encryptionKey: `rp9-bench-promo-${id}` });
  print(`shared n8n up (owner set up) in ${seconds(performance.now() - sharedStarted)} s`);

  const dir = join(temp, 'world');
  await mkdir(join(dir, 'routes'), { recursive: true });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('create database bench_store');
  await admin.end();
  const repo = await createConfigRepo({
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.sharedN8n.url': shared.url, 'spec.sharedN8n.version': DEFAULT_N8N_VERSION }),
    [FILE]: tenantYaml(undefined),
  }, { root: dir });
  git = await startGitServer(dir);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: postgres.url.replace(/\/postgres$/, '/bench_store'),
    RP9_TENANT_DATABASE_URL: postgres.url,
    RP9_MASTER_KEY: randomBytes(32).toString('base64'),
    DOCKER_HOST: `unix://${dockerd.socketPath}`,
    RP9_DOCKER_NETWORK: network,
    RP9_CONTAINER_POSTGRES: `${dockerd.gateway}:${new URL(postgres.url).port}`,
    RP9_CONTAINER_REDIS: `${dockerd.gateway}:${new URL(redis.url).port}`,
    RP9_SUSPENDED_URL: `http://127.0.0.1:${port}`,
    RP9_GITHUB_WEBHOOK_SECRET: SECRET,
    RP9_HEALTH_TIMEOUT_SECONDS: '600',
    RP9_LOG_LEVEL: 'warn',
    // As an operator configures promotions: the shared n8n's container (its CLI), owner API key, URL and database.
    RP9_SHARED_N8N_CONTAINER: shared.mainContainer,
    RP9_SHARED_N8N_API_KEY: shared.owner.apiKey,
    RP9_SHARED_N8N_URL: shared.url,
    RP9_SHARED_N8N_DATABASE_URL: shared.databaseUrl,
    ...(process.env.RP9_OPERATIONS_INTERVAL_SECONDS ? { RP9_OPERATIONS_INTERVAL_SECONDS: process.env.RP9_OPERATIONS_INTERVAL_SECONDS } : {}),
  };
  const settings = controllerSettings({ repo: `${git.url}/${repo.name}`, 'state-dir': join(dir, 'state'), 'routes-dir': join(dir, 'routes'), listen: `127.0.0.1:${port}` }, env, dir);
  const warnings = [];
  const logger = createLogger({ stream: { write: (line) => void warnings.push(line.trim()) }, env });
  controller = await runController(settings, logger, env);
  const routeFile = join(settings.routesDir, `rp9-${TENANT}.yaml`);

  // The members loop invites the tenant's email; the tenant accepts and builds its workload on shared.
  const seedStarted = performance.now();
  const member = await waitFor('the members loop to invite the tenant', async () => {
    const m = await controller.store.sharedMembers.get(TENANT);
    return m?.acceptUrl ? m : undefined;
  }, 5 * 60_000, 1_000);
  await api.acceptInvitation({ baseUrl: shared.url, apiKey: shared.owner.apiKey, timeoutMs: 60_000 }, { email: EMAIL, acceptUrl: member.acceptUrl }, PERSON);
  const cookie = await login(shared.url, EMAIL, PERSON.password);
  const conn = { baseUrl: shared.url, cookie, apiKey: await createApiKey({ baseUrl: shared.url, cookie, timeoutMs: 60_000 }, TENANT), timeoutMs: 60_000 };
  // Each credential used by the Webhook node (header auth) of one active webhook workflow.
  const workloads = [];
  for (let i = 1; i <= CREDENTIALS; i += 1) workloads.push(await createWorkload(api, conn, `prb-${id}-keyed-${i}`));
  for (let i = CREDENTIALS + 1; i <= WEBHOOKS; i += 1) {
    const w = await api.createWorkflow(conn, webhookWorkflow(`hook ${i}`, `prb-${id}-hook-${i}`));
    if (i <= ACTIVE) await api.publishWorkflow(conn, w.id);
  }
  for (let i = WEBHOOKS + 1; i <= WORKFLOWS; i += 1) await api.createWorkflow(conn, plainWorkflow(`plain ${i}`));
  print(`tenant seeded on shared (members loop invitation, ${WORKFLOWS} workflows, ${ACTIVE} published, ${CREDENTIALS} credentials) in ${seconds(performance.now() - seedStarted)} s`);
  await waitFor('the route to point at the shared n8n', async () => (await readFile(routeFile, 'utf8')).includes(shared.url.replace('http://', '')), 120_000);

  // The merge: mode dedicated, the window WINDOW_SECONDS ahead; GitHub's push webhook tells the controller.
  const windowAt = new Date(Math.ceil((Date.now() + WINDOW_SECONDS * 1000) / 1000) * 1000);
  const mergeAt = Date.now();
  const commit = await commitFiles(repo, { [FILE]: tenantYaml({ window: windowAt.toISOString() }) }, `promote ${TENANT}`);
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'acme/config' } });
  const hook = await fetch(`${controller.url}/hooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody(SECRET, body) },
    body,
  });
  if (hook.status !== 202) throw new Error(`push webhook answered ${hook.status}`);
  print(`merged at load ${load()}; window ${windowAt.toISOString()} (${WINDOW_SECONDS} s after the merge)`);

  let stackUpAt;
  let opStartedAt;
  let routeSwitchedAt;
  const dedicatedHost = `rp9-${TENANT}-main`;
  const op = await waitFor('the promotion operation to finish', async () => {
    if (stackUpAt === undefined) {
      const info = await docker.getContainer(dedicatedHost).inspect().catch(() => undefined);
      const address = info?.NetworkSettings.Networks[network]?.IPAddress;
      if (address && (await fetch(`http://${address}:5678/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200).catch(() => false))) stackUpAt = Date.now();
    }
    const latest = (await controller.store.operations.listByKind('promotion', 5).catch(() => [])).find((o) => o.tenant === TENANT);
    if (latest && opStartedAt === undefined) opStartedAt = Date.now();
    if (routeSwitchedAt === undefined && (await readFile(routeFile, 'utf8').catch(() => '')).includes(dedicatedHost)) routeSwitchedAt = Date.now();
    return latest?.finishedAt ? latest : undefined;
  }, 60 * 60_000, 100);
  const loadAtEnd = load();

  const stepSeconds = (s) => (s.startedAt && s.finishedAt ? (new Date(s.finishedAt) - new Date(s.startedAt)) / 1000 : undefined);
  print(`operation ${op.id} ${op.status}${op.error ? ` (${op.error})` : ''}`);
  print(`steps (s, from the journal): ${op.steps.map((s) => `${s.name} ${stepSeconds(s)?.toFixed(1) ?? '-'}`).join(', ')}`);
  // Between two steps the operation waits for the operations loop's next pass: the gaps show that wait.
  const gaps = op.steps.slice(1).map((s, i) => ({ name: s.name, seconds: s.startedAt && op.steps[i].finishedAt ? (new Date(s.startedAt) - new Date(op.steps[i].finishedAt)) / 1000 : undefined }));
  print(`waits before each step (s, previous step's end → its start): ${gaps.map((g) => `${g.name} ${g.seconds?.toFixed(1) ?? '-'}`).join(', ')}`);
  const freezeGaps = gaps.filter((g) => FREEZE_STEPS.includes(g.name) && g.name !== 'record' && g.seconds !== undefined);
  print(`  in the freeze: steps ${op.steps.filter((s) => FREEZE_STEPS.includes(s.name) && s.name !== 'record').reduce((sum, s) => sum + (stepSeconds(s) ?? 0), 0).toFixed(1)} s, waits between them ${freezeGaps.reduce((sum, g) => sum + g.seconds, 0).toFixed(1)} s`);
  const inFreeze = op.steps.filter((s) => FREEZE_STEPS.includes(s.name) && stepSeconds(s) !== undefined);
  const slowest = [...inFreeze].sort((a, b) => stepSeconds(b) - stepSeconds(a))[0];
  if (slowest) print(`  slowest step in the freeze: ${slowest.name} ${stepSeconds(slowest).toFixed(1)} s`);
  const freeze = Number(op.state.freezeSeconds);
  print(`freeze (record … switch): ${Number.isFinite(freeze) ? freeze.toFixed(1) : '-'} s; target < ${FREEZE_TARGET_SECONDS} s: ${Number.isFinite(freeze) ? (freeze < FREEZE_TARGET_SECONDS ? 'met' : 'MISSED') : 'no figure (not switched)'}`);
  const switchedAt = op.state.switchedAt ? Date.parse(op.state.switchedAt) : routeSwitchedAt;
  print(`window → route switched: ${switchedAt !== undefined ? seconds(switchedAt - windowAt.getTime()) : 'never'} s (journal; route file seen at ${routeSwitchedAt !== undefined ? seconds(routeSwitchedAt - windowAt.getTime()) : '-'} s); window → operation started ${opStartedAt !== undefined ? seconds(opStartedAt - windowAt.getTime()) : '-'} s (operations interval ${settings.operationsIntervalMs / 1000} s)`);
  print(`merge → dedicated stack healthy ${stackUpAt !== undefined ? seconds(stackUpAt - mergeAt) : '-'} s (${stackUpAt !== undefined && stackUpAt <= windowAt.getTime() ? 'before' : 'after'} the window opened)`);
  print(`moved: ${JSON.stringify(op.state.exported ?? {})}; verified: ${JSON.stringify(op.state.verified ?? {})}; active recorded on shared: ${Array.isArray(op.state.activeOnShared) ? op.state.activeOnShared.length : '-'}; workloads with credentials: ${workloads.length}`);
  print(`load average: start ${loadAtStart}, end ${loadAtEnd}; ${cpus().length} cpus`);
  if (warnings.length > 0) print(`controller warnings: ${warnings.length}\n${warnings.slice(0, 5).map((w) => `  ${w.slice(0, 400)}`).join('\n')}`);
  if (op.status !== 'done') process.exitCode = 1;
} finally {
  await cleanup();
}

async function cleanup() {
  await controller?.stop().catch(() => undefined);
  await git?.stop?.().catch(() => undefined);
  await shared?.stop().catch(() => undefined);
  for (const c of await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${environment}`] } }).catch(() => [])) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  await Promise.allSettled([postgres.stop(), redis.stop(), dockerd.stop()]);
  await rm(temp, { recursive: true, force: true });
}

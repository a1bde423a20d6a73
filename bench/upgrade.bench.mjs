// Blue/green upgrade figures (dist/, real edges, real n8n): one dedicated
// tenant on n8n 1.123.81 (main + 1 worker, queue mode) is upgraded to 2.41.1
// by the controller (`runController`, its reconcile and operations loops as in
// production) after a merge that changes the tenant's version (a commit and
// its signed push webhook). Prints:
//   - the time of each step of the upgrade operation (from the journal), and
//     the copy's, the smoke's and the swap's hold seconds it journals;
//   - the time from the merge to the operation's start and to the swap (the
//     route file pointing at blue), with no maintenance window;
//   - webhook requests under steady load during the whole upgrade (one GET
//     every 100 ms to the tenant's production webhook through a route
//     follower): how many failed (not 200), when, and the interruption in
//     seconds (first to last failure).
// The route follower (test/e2e/support/route-follower.ts, shared with the
// upgrade e2e) stands in for Traefik's file provider (not installable here):
// each request reads the tenant's route file and goes to its server (a
// container at its address on the tenant network; the held route's suspended
// page at the controller). Traefik applies a changed file after its file
// watcher fires, so its real switch comes a little later.
// Starts its own PostgreSQL, Redis and dockerd (test harness, via tsx) and
// imports both n8n images into that dockerd (about a minute each). Needs root
// and the n8n image cache (deploy/n8n-image/prepare.sh).
//   npm run build && node bench/upgrade.bench.mjs
//   RP9_OPERATIONS_INTERVAL_SECONDS (default the controller's 30), RP9_BENCH_WATCH_MINUTES (default 1)
// Prints figures; asserts nothing about time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
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
const TENANT = 'upb';
const LOAD_EVERY_MS = 100;
const WATCH_MINUTES = Number(process.env.RP9_BENCH_WATCH_MINUTES ?? 1);

// The harness and fixtures are TypeScript test code (not in dist/): loaded through tsx.
register();
const { startPostgres } = await import('../test/harness/postgres.ts');
const { startRedis } = await import('../test/harness/redis.ts');
const { startDockerd } = await import('../test/harness/dockerd.ts');
const { startGitServer } = await import('../test/harness/git-server.ts');
const { ensureN8nImage, DEFAULT_N8N_VERSION, UPGRADE_SOURCE_N8N_VERSION } = await import('../test/harness/n8n-image.ts');
const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
const { platformYaml } = await import('../test/e2e/bots-support.ts');
const { realN8nTenantYaml } = await import('../test/e2e/support/n8n-tenant.ts');
const { ownerConnection, createWorkload, callWebhookUntilServed, WEBHOOK_HEADER } = await import('../test/e2e/support/n8n-workload.ts');
const { startRouteFollower, startLoad } = await import('../test/e2e/support/route-follower.ts');
const { runController } = await import(join(dist, 'runtime/run-controller.js'));
const { controllerSettings } = await import(join(dist, 'runtime/settings.js'));
const { createLogger } = await import(join(root, 'dist/kernel/log/logger.js'));
const { signBody } = await import(join(dist, 'http/github-webhook.js'));
const { n8nApiFor } = await import(join(root, 'dist/edges/n8n/index.js'));
const { default: Docker } = await import('dockerode');
const { default: pg } = await import('pg');

const print = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(what, check, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}

const temp = await mkdtemp(join(tmpdir(), 'rp9-bench-upgrade-'));
const dockerd = await startDockerd(`rp9u${process.pid % 100000}`);
const [postgres, redis] = await Promise.all([startPostgres({ alsoListenOn: dockerd.gateway }), startRedis({ alsoListenOn: dockerd.gateway })]);
const docker = new Docker({ socketPath: dockerd.socketPath });
const id = randomBytes(3).toString('hex');
const environment = `bench-upg-${id}`;
const network = `rp9-bench-upg-${id}`;
let controller;
let follower;
let load;
let git;
// A bench stopped by a signal still removes its controller, containers, dockerd, PostgreSQL and Redis.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
print(`upgrade bench: node ${process.version}, ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; n8n ${UPGRADE_SOURCE_N8N_VERSION} → ${DEFAULT_N8N_VERSION}, 1 worker`);
try {
  const imagesStarted = performance.now();
  await ensureN8nImage(docker, UPGRADE_SOURCE_N8N_VERSION);
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  print(`n8n images imported into the bench dockerd in ${((performance.now() - imagesStarted) / 1000).toFixed(1)} s`);

  const dir = join(temp, 'world');
  await mkdir(join(dir, 'routes'), { recursive: true });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('create database bench_store');
  await admin.end();
  const repo = await createConfigRepo({
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.policies.upgrades.watchMinutes': WATCH_MINUTES }),
    [`tenants/${TENANT}.yaml`]: realN8nTenantYaml(TENANT, { version: UPGRADE_SOURCE_N8N_VERSION }),
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
    RP9_INTERVAL_SECONDS: '3600',
    RP9_HEALTH_TIMEOUT_SECONDS: '600',
    RP9_LOG_LEVEL: 'warn',
    ...(process.env.RP9_OPERATIONS_INTERVAL_SECONDS ? { RP9_OPERATIONS_INTERVAL_SECONDS: process.env.RP9_OPERATIONS_INTERVAL_SECONDS } : {}),
  };
  const settings = controllerSettings({ repo: `${git.url}/${repo.name}`, 'state-dir': join(dir, 'state'), 'routes-dir': join(dir, 'routes'), listen: `127.0.0.1:${port}` }, env, dir);
  const warnings = [];
  const logger = createLogger({ stream: { write: (line) => void warnings.push(line.trim()) }, env });
  controller = await runController(settings, logger, env);

  // Green: the tenant on 1.x, Ready, with a webhook workflow behind a header-auth credential.
  const upStarted = performance.now();
  await waitFor('the tenant on n8n 1.x to be Ready', async () => {
    const status = (await controller.store.status.list()).find((s) => s.tenant === TENANT);
    return status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  }, 15 * 60_000, 1_000);
  const greenMain = await docker.getContainer(`rp9-${TENANT}-main`).inspect();
  const greenUrl = `http://${greenMain.NetworkSettings.Networks[network].IPAddress}:5678`;
  const connection = await ownerConnection(greenUrl);
  const workload = await createWorkload(n8nApiFor(UPGRADE_SOURCE_N8N_VERSION), connection, `bench-${id}`);
  await callWebhookUntilServed(greenUrl, workload.webhookPath);
  print(`green (n8n ${UPGRADE_SOURCE_N8N_VERSION}) Ready with its workload in ${((performance.now() - upStarted) / 1000).toFixed(1)} s`);

  follower = await startRouteFollower(join(settings.routesDir, `rp9-${TENANT}.yaml`), docker, network);
  const started = performance.now();
  load = startLoad(`${follower.url}/webhook/${workload.webhookPath}`, { everyMs: LOAD_EVERY_MS, headers: { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value }, timeoutMs: 30_000, origin: started });
  await sleep(5_000);

  // The merge: the version changes in git, and GitHub's push webhook tells the controller.
  const mergeAt = (performance.now() - started) / 1000;
  const commit = await commitFiles(repo, { [`tenants/${TENANT}.yaml`]: realN8nTenantYaml(TENANT, { version: DEFAULT_N8N_VERSION }) }, `upgrade ${TENANT} to n8n ${DEFAULT_N8N_VERSION}`);
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'acme/config' } });
  const hook = await fetch(`${controller.url}/hooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody(SECRET, body) },
    body,
  });
  if (hook.status !== 202) throw new Error(`push webhook answered ${hook.status}`);

  let opStartedAt;
  let swappedAt;
  const op = await waitFor('the upgrade operation to finish', async () => {
    const latest = (await controller.store.operations.list(TENANT, 5).catch(() => [])).find((o) => o.kind === 'upgrade');
    const now = (performance.now() - started) / 1000;
    if (latest && opStartedAt === undefined) opStartedAt = now;
    if (swappedAt === undefined && (await readFile(join(settings.routesDir, `rp9-${TENANT}.yaml`), 'utf8').catch(() => '')).includes(`rp9-${TENANT}-blue-main`)) swappedAt = now;
    return latest?.finishedAt ? latest : undefined;
  }, 60 * 60_000, 100);
  await sleep(3_000);
  await load.stop();

  const steps = op.steps.map((s) => `${s.name} ${s.startedAt && s.finishedAt ? ((s.finishedAt - s.startedAt) / 1000).toFixed(1) : '-'}`);
  const gate = op.state.gate ?? {};
  print(`operation ${op.status}${op.error ? ` (${op.error})` : ''}; steps (s): ${steps.join(', ')}`);
  print(`  copy ${op.state.copy ? `${(op.state.copy.bytes / 1024 / 1024).toFixed(1)} MB in ${op.state.copy.seconds.toFixed(1)} s` : '-'}; smoke ${gate.smoke?.seconds !== undefined ? `${gate.smoke.seconds.toFixed(1)} s (${gate.smoke.detail})` : JSON.stringify(gate.smoke)}; swap hold ${op.state.holdSeconds !== undefined ? `${op.state.holdSeconds.toFixed(2)} s` : '-'}`);
  print(`merge → operation started ${opStartedAt !== undefined ? (opStartedAt - mergeAt).toFixed(1) : '-'} s; merge → swapped (route on blue) ${swappedAt !== undefined ? (swappedAt - mergeAt).toFixed(1) : 'never'} s; no maintenance window; operations interval ${settings.operationsIntervalMs / 1000} s`);
  const results = load.results.sort((a, b) => a.at - b.at);
  const failed = results.filter((r) => r.status !== 200);
  const byStatus = {};
  for (const r of failed) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const around = swappedAt === undefined ? [] : results.filter((r) => Math.abs(r.at - swappedAt) < 60);
  print(`webhook load: ${results.length} requests (one every ${LOAD_EVERY_MS} ms), ${failed.length} failed ${JSON.stringify(byStatus)}; within 60 s of the swap ${around.length} requests, ${around.filter((r) => r.status !== 200).length} failed`);
  if (failed.length > 0) {
    const first = failed[0].at;
    const last = failed.at(-1).at;
    print(`  interruption: first failure at ${(first - mergeAt).toFixed(1)} s after the merge, last at ${(last - mergeAt).toFixed(1)} s: ${(last - first + LOAD_EVERY_MS / 1000).toFixed(1)} s; e.g. ${failed[0].status} ${failed[0].body.replace(/\s+/g, ' ').slice(0, 80)}`);
  }
  const slow = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
  if (slow.length > 0) print(`  200 latency: p50 ${slow[Math.floor(slow.length * 0.5)].toFixed(0)} ms, p99 ${slow[Math.floor(slow.length * 0.99)].toFixed(0)} ms, max ${slow.at(-1).toFixed(0)} ms`);
  print(`machine: ${cpus().length} cpus, load now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (warnings.length > 0) print(`controller warnings: ${warnings.length} (first: ${warnings[0].slice(0, 300)})`);
} finally {
  await cleanup();
}

async function cleanup() {
  await load?.stop().catch(() => undefined);
  await follower?.close().catch(() => undefined);
  await controller?.stop().catch(() => undefined);
  await git?.stop?.().catch(() => undefined);
  for (const c of await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${environment}`] } }).catch(() => [])) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  await Promise.allSettled([postgres.stop(), redis.stop(), dockerd.stop()]);
  await rm(temp, { recursive: true, force: true });
}

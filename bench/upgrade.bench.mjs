// Blue/green upgrade figures (dist/, real edges, real n8n): one dedicated
// tenant on n8n 1.123.81 (main + 1 worker, queue mode) is upgraded to 2.41.1
// by the controller (`runController`, its reconcile and operations loops as in
// production) after a merge that changes the tenant's version (a commit and
// its signed push webhook). Prints:
//   - the time of each step of the upgrade operation (from the journal), and
//     the copy's, the smoke's and the swap's hold seconds it journals, and
//     the swap's catch-up (items and executions carried from green, seconds)
//     and green's drain, and blue's activation after the route moved (outside
//     the hold);
//   - the time from the merge to the operation's start, to the hold (the route
//     file on the controller's 503 page) and to the swap (the route file on
//     blue), with no maintenance window;
//   - webhook requests under steady load around the swap (one GET every
//     100 ms to the tenant's production webhook through a route follower,
//     from the gate's start until 30 s after the swap): how many failed (not
//     200) before the hold, between hold and swap and after it, and the
//     interruption in seconds (first to last failure).
// The route follower (test/e2e/support/route-follower.ts, shared with the
// upgrade e2e) stands in for Traefik's file provider (not installable here):
// each request reads the tenant's route file and goes to its server (a
// container at its address on the tenant network; the held route's target,
// the controller's suspended page, served on loopback by the same handler).
// Traefik applies a changed file after its file watcher fires, so its real
// switch comes a little later.
// Starts its own PostgreSQL, Redis and dockerd (test harness, via tsx) and
// imports both n8n images into that dockerd (about a minute each). Needs root
// and the n8n image cache (deploy/n8n-image/prepare.sh).
//   npm run build && node bench/upgrade.bench.mjs
//   RP9_OPERATIONS_INTERVAL_SECONDS (default the controller's 30), RP9_BENCH_WATCH_MINUTES (default 1),
//   RP9_BENCH_LOAD_EVERY_MS (default 100: the issue's rate; one queue execution per request, which a
//   one-worker 1.x tenant on a loaded 2-core host does not sustain, so 500 shows the swap's own failures)
// The tenant has no scheduled backups and the platform no drills: either would
// hold the upgrade back (one operation per tenant at a time).
// Prints figures; asserts nothing about time.
import { randomBytes } from 'node:crypto';
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
const TENANT = 'upb';
const LOAD_EVERY_MS = Number(process.env.RP9_BENCH_LOAD_EVERY_MS ?? 100);
const WATCH_MINUTES = Number(process.env.RP9_BENCH_WATCH_MINUTES ?? 1);
/** How long the load goes on after the swap (blue serving). */
const SETTLE_SECONDS = 30;

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
const { startRouteFollower, startSuspendedPage, startLoad } = await import('../test/e2e/support/route-follower.ts');
const { runController } = await import(join(dist, 'runtime/run-controller.js'));
const { controllerSettings } = await import(join(dist, 'runtime/settings.js'));
const { createLogger } = await import(join(root, 'dist/kernel/log/logger.js'));
const { signBody } = await import(join(dist, 'http/github-webhook.js'));
const { n8nApiFor } = await import(join(root, 'dist/edges/n8n/index.js'));
const { default: Docker } = await import('dockerode');
const { default: pg } = await import('pg');

const print = (line) => process.stdout.write(`${line}\n`);

/** The real-n8n tests' tenant file without scheduled backups (the upgrade's own pre-upgrade backup still runs). */
function benchTenantYaml(version) {
  return `${realN8nTenantYaml(TENANT, { version })}  backups: { schedules: [] }\n`;
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
let suspended;
let load;
let loadStopped = false;
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
    // No restore drills, and no scheduled backups (benchTenantYaml): the tenant has one operation at a time, and a
    // scheduled backup or a drill started at the controller's start would hold the upgrade back for minutes.
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.policies.upgrades.watchMinutes': WATCH_MINUTES, 'spec.backups.drills.every': 'never' }),
    [`tenants/${TENANT}.yaml`]: benchTenantYaml(UPGRADE_SOURCE_N8N_VERSION),
  }, { root: dir });
  git = await startGitServer(dir);
  const port = await freePort();
  // The held route's target: the controller's own suspended page (503 + Retry-After), served on loopback.
  suspended = await startSuspendedPage();
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: postgres.url.replace(/\/postgres$/, '/bench_store'),
    RP9_TENANT_DATABASE_URL: postgres.url,
    RP9_MASTER_KEY: randomBytes(32).toString('base64'),
    DOCKER_HOST: `unix://${dockerd.socketPath}`,
    RP9_DOCKER_NETWORK: network,
    RP9_CONTAINER_POSTGRES: `${dockerd.gateway}:${new URL(postgres.url).port}`,
    RP9_CONTAINER_REDIS: `${dockerd.gateway}:${new URL(redis.url).port}`,
    RP9_SUSPENDED_URL: suspended.url,
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
  const routeFile = join(settings.routesDir, `rp9-${TENANT}.yaml`);

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

  follower = await startRouteFollower(routeFile, docker, network);
  const webhookUrl = `${follower.url}/webhook/${workload.webhookPath}`;
  const base = await fetch(webhookUrl, { headers: { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value } });
  if (base.status !== 200) throw new Error(`the webhook through the route follower answered ${base.status} before the merge`);

  // The merge: the version changes in git, and GitHub's push webhook tells the controller. Times below are from it.
  const started = performance.now();
  const commit = await commitFiles(repo, { [`tenants/${TENANT}.yaml`]: benchTenantYaml(DEFAULT_N8N_VERSION) }, `upgrade ${TENANT} to n8n ${DEFAULT_N8N_VERSION}`);
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'acme/config' } });
  const hook = await fetch(`${controller.url}/hooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody(SECRET, body) },
    body,
  });
  if (hook.status !== 202) throw new Error(`push webhook answered ${hook.status}`);

  // The steady load runs from the gate's start (green serving, blue smoke-tested) until SETTLE_SECONDS after the
  // swap: every request of the swap is in it, and a 2-core host is not made to run ten executions a second for
  // the whole upgrade (the backup, the copy and blue's migrations), which starved green and blue alike.
  let opStartedAt;
  let loadAt;
  let heldAt;
  let swappedAt;
  const op = await waitFor('the upgrade operation to finish', async () => {
    const latest = (await controller.store.operations.list(TENANT, 5).catch(() => [])).find((o) => o.kind === 'upgrade');
    const now = (performance.now() - started) / 1000;
    if (latest && opStartedAt === undefined) opStartedAt = now;
    const step = latest?.steps[latest.currentStep]?.name;
    if (!load && latest && (step === 'gate' || step === 'swap')) {
      loadAt = now;
      load = startLoad(webhookUrl, { everyMs: LOAD_EVERY_MS, headers: { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value }, timeoutMs: 30_000, origin: started });
    }
    const route = await readFile(routeFile, 'utf8').catch(() => '');
    if (heldAt === undefined && route.includes(suspended.url)) heldAt = now;
    if (swappedAt === undefined && route.includes(`rp9-${TENANT}-blue-main`)) swappedAt = now;
    const settled = swappedAt !== undefined && now - swappedAt >= SETTLE_SECONDS;
    if (load && !loadStopped && (settled || latest?.finishedAt)) {
      loadStopped = true;
      await load.stop();
    }
    return latest?.finishedAt ? latest : undefined;
  }, 60 * 60_000, 100);
  await load?.stop();

  const seconds = (a, b) => (a && b ? ((new Date(b) - new Date(a)) / 1000).toFixed(1) : '-');
  const steps = op.steps.map((s) => `${s.name} ${seconds(s.startedAt, s.finishedAt)}`);
  const gate = op.state.gate ?? {};
  print(`operation ${op.status}${op.error ? ` (${op.error})` : ''}; steps (s): ${steps.join(', ')}`);
  print(`  copy ${op.state.copy ? `${(op.state.copy.bytes / 1024 / 1024).toFixed(1)} MB in ${op.state.copy.seconds.toFixed(1)} s` : '-'}; smoke ${gate.smoke?.seconds !== undefined ? `${gate.smoke.seconds.toFixed(1)} s (${gate.smoke.detail})` : '-'}; swap hold ${op.state.holdSeconds !== undefined ? `${op.state.holdSeconds.toFixed(2)} s` : '-'}; blue's activation after the route moved ${op.state.blueActivation ? `${op.state.blueActivation.seconds.toFixed(2)} s (${op.state.blueActivation.activated.length} workflows${op.state.blueActivation.importSeconds !== null ? `, import ${op.state.blueActivation.importSeconds.toFixed(2)} s` : ''})` : '-'} (journal)`);
  const at = (t) => (t !== undefined ? `${t.toFixed(1)} s` : 'never');
  // The swap's catch-up under the hold: what it carried from green, green's drain, and blue's copy of green's executions.
  const catchUp = op.state.catchUp;
  const preSync = op.state.preSync;
  print(`  swap pre-sync (before the hold): ${preSync ? `${preSync.workflows} workflows, ${preSync.credentials} credentials, ${preSync.deleted} deleted in ${preSync.seconds.toFixed(1)} s` : 'nothing to carry'} (journal)`);
  const drain = op.state.drain;
  print(`  swap catch-up: ${catchUp ? `${catchUp.workflows} workflows, ${catchUp.credentials} credentials, ${catchUp.deleted} deleted, ${catchUp.executions ?? '-'} executions (${catchUp.skippedExecutions ?? 0} skipped) in ${catchUp.seconds.toFixed(1)} s${catchUp.phases ? ` (${Object.entries(catchUp.phases).map(([k, v]) => `${k} ${Number(v).toFixed(1)}`).join(', ')})` : ''}` : '-'}; drain ${drain ? `${drain.seconds.toFixed(1)} s, ${drain.unfinished} unfinished` : '-'} (journal)`);
  print(`merge → operation started ${at(opStartedAt)}; → held (route on the 503 page) ${at(heldAt)}; → swapped (route on blue) ${at(swappedAt)}; no maintenance window; operations interval ${settings.operationsIntervalMs / 1000} s`);
  const results = (load?.results ?? []).sort((a, b) => a.at - b.at);
  const failed = results.filter((r) => r.status !== 200);
  const count = (list) => {
    const byStatus = {};
    for (const r of list) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    return `${list.length} requests, ${list.filter((r) => r.status !== 200).length} failed ${JSON.stringify(Object.fromEntries(Object.entries(byStatus).filter(([k]) => k !== '200')))}`;
  };
  const holdStart = heldAt ?? swappedAt ?? Infinity;
  const swapEnd = swappedAt ?? Infinity;
  print(`webhook load (one GET every ${LOAD_EVERY_MS} ms from ${at(loadAt)} to ${SETTLE_SECONDS} s after the swap): ${count(results)}`);
  print(`  before the hold (green): ${count(results.filter((r) => r.at < holdStart))}`);
  print(`  hold → swap: ${count(results.filter((r) => r.at >= holdStart && r.at < swapEnd))}`);
  print(`  after the swap (blue): ${count(results.filter((r) => r.at >= swapEnd))}`);
  if (failed.length > 0) {
    const first = failed[0];
    const last = failed.at(-1);
    print(`  interruption: first failure at ${first.at.toFixed(1)} s, last at ${last.at.toFixed(1)} s after the merge: ${(last.at - first.at + LOAD_EVERY_MS / 1000).toFixed(1)} s; first: ${first.status} ${first.body.replace(/\s+/g, ' ').slice(0, 80)}; last: ${last.status} ${last.body.replace(/\s+/g, ' ').slice(0, 80)}`);
  }
  const ok = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
  if (ok.length > 0) print(`  200 latency: p50 ${ok[Math.floor(ok.length * 0.5)].toFixed(0)} ms, p99 ${ok[Math.floor(ok.length * 0.99)].toFixed(0)} ms, max ${ok.at(-1).toFixed(0)} ms`);
  print(`machine: ${cpus().length} cpus, load now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (warnings.length > 0) print(`controller warnings: ${warnings.length} (first: ${warnings[0].slice(0, 300)})`);
} finally {
  await cleanup();
}

async function cleanup() {
  await load?.stop().catch(() => undefined);
  await follower?.close().catch(() => undefined);
  await suspended?.close().catch(() => undefined);
  await controller?.stop().catch(() => undefined);
  await git?.stop?.().catch(() => undefined);
  for (const c of await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${environment}`] } }).catch(() => [])) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  await Promise.allSettled([postgres.stop(), redis.stop(), dockerd.stop()]);
  await rm(temp, { recursive: true, force: true });
}

// End-to-end figures of the controller (dist/, real edges): time from a push
// (commit + signed webhook) to one tenant's change being applied (a route
// change; a resource update in place), time to bring up 20 dedicated tenants
// with the tiny n8n stand-in image, and a no-op reconcile over 1,000 tenants
// (routes only). Docker API calls are counted by a proxy on the controller's
// DOCKER_HOST socket; writes = every call that is not GET/HEAD. First, the
// controller's peak RSS as `bin/rp9.js controller` in its own process on a
// config shaped like the example (5 shared, 4 dedicated tenants), with the
// embedded store (first run) and with DATABASE_URL.
// Starts its own PostgreSQL and dockerd (test harness, via tsx). Needs root.
//   npm run build && node bench/reconcile.bench.mjs [noopTenants=1000] [upTenants=20]
//   RP9_BENCH_ONLY=rss,rss1000,push,up,noop (default all) runs only those sections;
//   rss1000: the controller process's peak RSS with [noopTenants] shared tenants in config;
//   RP9_BENCH_UP_CONCURRENCY=4 (default 4,<upTenants>) the bring-up's concurrencies.
// Prints figures; asserts nothing about time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
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
const NOOP_TENANTS = Number(process.argv[2] ?? 1000);
const UP_TENANTS = Number(process.argv[3] ?? 20);
const SECRET = 'bench-webhook-secret';
// RP9_BENCH_UP_CONCURRENCY=4 measures the bring-up at the default concurrency only (default: 4 and upTenants).
const UP_CONCURRENCY = (process.env.RP9_BENCH_UP_CONCURRENCY ?? `4,${UP_TENANTS}`).split(',').map(Number);
const ONLY = new Set((process.env.RP9_BENCH_ONLY ?? 'rss,rss1000,push,up,noop').split(',').map((part) => part.trim()));

// The harness and fixtures are TypeScript test code (not in dist/): loaded through tsx.
register();
const { startPostgres } = await import('../test/harness/postgres.ts');
const { startDockerd } = await import('../test/harness/dockerd.ts');
const { startGitServer } = await import('../test/harness/git-server.ts');
const { ensureTestImage } = await import('../test/harness/test-image.ts');
const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
const { platformYaml, tenantFile } = await import('../test/e2e/support/config.ts');
const { runController } = await import(join(dist, 'runtime/run-controller.js'));
const { controllerSettings } = await import(join(dist, 'runtime/settings.js'));
const { createLogger } = await import(join(root, 'dist/kernel/log/logger.js'));
const { signBody } = await import(join(dist, 'http/github-webhook.js'));
const { default: Docker } = await import('dockerode');
const { measureController } = await import('./controller-rss.mjs');
const { default: pg } = await import('pg');

/**
 * A counting HTTP proxy on a unix socket in front of dockerd's socket. It also
 * keeps when each container was created and started (by name: a create's
 * answer maps its id), for the bring-up's per-phase figures.
 */
async function startDockerProxy(target, path) {
  const counts = { reads: 0, writes: 0, writePaths: [] };
  /** name → { create, start } (performance.now() when the engine answered). */
  const containers = new Map();
  const names = new Map();
  const server = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') counts.reads += 1;
    else {
      counts.writes += 1;
      counts.writePaths.push(`${req.method} ${req.url.replace(/\?.*$/, '').replace(/^\/v[\d.]+/, '')}`);
    }
    const created = req.method === 'POST' && /\/containers\/create\?/.test(req.url) ? new URL(req.url, 'http://x').searchParams.get('name') : undefined;
    const started = req.method === 'POST' ? /\/containers\/([^/]+)\/start/.exec(req.url)?.[1] : undefined;
    const upstream = request({ socketPath: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (created && answer.statusCode === 201) {
        let body = '';
        answer.on('data', (chunk) => { body += chunk; });
        answer.on('end', () => {
          try { names.set(JSON.parse(body).Id, created); } catch { /* not JSON: no mapping */ }
          containers.set(created, { create: performance.now() });
        });
      }
      if (started && (answer.statusCode === 204 || answer.statusCode === 304)) {
        answer.on('end', () => {
          const name = names.get(started) ?? started;
          containers.set(name, { ...containers.get(name), start: performance.now() });
        });
      }
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(path, resolve));
  return { counts, containers, snapshot: () => ({ reads: counts.reads, writes: counts.writes, paths: counts.writePaths.length }), stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

function delta(proxy, before) {
  const now = proxy.snapshot();
  return { reads: now.reads - before.reads, writes: now.writes - before.writes, paths: proxy.counts.writePaths.slice(before.paths) };
}

async function until(what, check, timeoutMs, intervalMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Where a bring-up's time goes, per tenant, from the proxy's create/start
 * times, the route file's mtime and the Ready status: main created → started
 * (create + start calls), main started → worker created (main's health wait:
 * workers start only once main is healthy), worker created → started, worker
 * started → route written (the worker's health wait), route → Ready recorded.
 */
async function phasesOf(world, tenants) {
  const rows = [];
  const statuses = new Map((await world.controller.store.status.list()).map((s) => [s.tenant, s]));
  for (const tenant of tenants) {
    const main = proxy.containers.get(`rp9-${tenant}-main`);
    const worker = proxy.containers.get(`rp9-${tenant}-worker-1`);
    const routeAt = (await stat(join(world.routesDir, `rp9-${tenant}.yaml`))).mtimeMs - performance.timeOrigin;
    const readyAt = new Date(statuses.get(tenant)?.updatedAt ?? 0).getTime() - performance.timeOrigin;
    if (!main?.create || !main.start || !worker?.create || !worker.start) continue;
    rows.push({
      before: main.create - world.started,
      mainCreateStart: main.start - main.create,
      mainHealth: worker.create - main.start,
      workerCreateStart: worker.start - worker.create,
      workerHealth: routeAt - worker.start,
      routeReady: readyAt - routeAt,
      total: readyAt - world.started,
    });
  }
  const m = (key) => (median(rows.map((r) => r[key])) / 1000).toFixed(2);
  const first = (Math.min(...rows.map((r) => r.before)) / 1000).toFixed(2);
  return `per tenant (median of ${rows.length}): first container created ${first} s after start (controller start, git, store, first plan, databases); main create ${m('before')} s after start; main create→start ${m('mainCreateStart')} s; main health wait ${m('mainHealth')} s; worker create→start ${m('workerCreateStart')} s; worker health wait ${m('workerHealth')} s; route → Ready recorded ${m('routeReady')} s`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const temp = await mkdtemp(join(tmpdir(), 'rp9-bench-reconcile-'));
const postgres = await startPostgres();
const dockerd = await startDockerd(`rp9b${process.pid % 100000}`);
const docker = new Docker({ socketPath: dockerd.socketPath });
// Only the sections with dedicated tenants need the n8n stand-in (rss1000 and noop run shared tenants only: no containers).
if (['rss', 'push', 'up'].some((section) => ONLY.has(section))) await ensureTestImage(docker, 'rp9/n8n:1.123.4');
const proxy = await startDockerProxy(dockerd.socketPath, join(temp, 'docker-proxy.sock'));
const worlds = [];
const warnings = [];

/** A config repo, git server, store database and controller for one scenario. */
async function startWorld(id, files, options = {}) {
  const environment = `bench-${id}`;
  const dir = join(temp, id);
  await mkdir(join(dir, 'routes'), { recursive: true });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`create database bench_${id.replaceAll('-', '_')}`);
  await admin.end();
  const repo = await createConfigRepo(files(environment), { root: dir });
  const git = await startGitServer(dir);
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: postgres.url.replace(/\/postgres$/, `/bench_${id.replaceAll('-', '_')}`),
    RP9_TENANT_DATABASE_URL: postgres.url,
    RP9_MASTER_KEY: randomBytes(32).toString('base64'),
    DOCKER_HOST: `unix://${join(temp, 'docker-proxy.sock')}`,
    RP9_DOCKER_NETWORK: `rp9-bench-${id}`,
    // As containers reach the bench's PostgreSQL (the stand-in image dials neither; loopback is refused at start).
    RP9_CONTAINER_POSTGRES: `${dockerd.gateway}:${new URL(postgres.url).port}`,
    RP9_CONTAINER_REDIS: `${dockerd.gateway}:6379`,
    RP9_GITHUB_WEBHOOK_SECRET: SECRET,
    RP9_INTERVAL_SECONDS: '3600',
    RP9_LOG_LEVEL: 'warn',
  };
  const settings = { ...controllerSettings({ repo: `${git.url}/${repo.name}`, 'state-dir': join(dir, 'state'), 'routes-dir': join(dir, 'routes'), listen: '127.0.0.1:0' }, env, dir), ...options };
  const logger = createLogger({ stream: { write: (line) => void warnings.push(`${id}: ${line.trim()}`) }, env });
  const started = performance.now();
  const controller = await runController(settings, logger, env);
  const world = { id, environment, repo, git, controller, routesDir: settings.routesDir, started };
  worlds.push(world);
  return world;
}

async function allReady(world, count) {
  const statuses = await world.controller.store.status.list();
  return statuses.filter((s) => s.appliedCommit === world.repo.head && s.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length === count;
}

async function push(world, files) {
  const commit = await commitFiles(world.repo, files, 'bench change');
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'acme/config' } });
  const answer = await fetch(`${world.controller.url}/hooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody(SECRET, body) },
    body,
  });
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
  return commit;
}

const out = [];
const print = (line) => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
print(`reconcile bench: node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0].toFixed(2)}; dockerd ${(await docker.version()).Version}, tiny n8n image`);

try {
  // 0. Peak RSS of the controller process, embedded store (first run) and DATABASE_URL,
  //    and (rss1000) with NOOP_TENANTS shared tenants in config: routes only, no containers
  //    (as many dedicated tenants would take an hour of container starts on the test dockerd).
  const rssRuns = [
    ...(ONLY.has('rss') ? [{ backend: 'embedded', id: 'rss-embedded' }, { backend: 'postgres', id: 'rss-postgres' }] : []),
    ...(ONLY.has('rss1000') ? [{ backend: 'postgres', id: 'rss-fleet', fleet: NOOP_TENANTS }] : []),
  ];
  for (const { backend, id, fleet } of rssRuns) {
    const environment = `bench-${id}`;
    const dir = join(temp, id);
    await mkdir(join(dir, 'routes'), { recursive: true });
    const dbName = `bench_${id.replaceAll('-', '_')}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const names = fleet
      ? { shared: Array.from({ length: fleet }, (_, i) => `rf-${i}`), dedicated: [] }
      : { shared: ['rs-a', 'rs-b', 'rs-c', 'rs-d', 'rs-e'], dedicated: ['rd-a', 'rd-b', 'rd-c', 'rd-d'] };
    const repo = await createConfigRepo(Object.assign({ 'platform.yaml': platformYaml({ environment }) },
      ...names.shared.map((name) => tenantFile({ name: `${name}-${backend.slice(0, 3)}`, mode: 'shared' })),
      ...names.dedicated.map((name) => tenantFile({ name: `${name}-${backend.slice(0, 3)}` }))), { root: dir });
    const git = await startGitServer(dir);
    const storeUrl = postgres.url.replace(/\/postgres$/, `/${dbName}`);
    const env = {
      PATH: process.env.PATH,
      ...(backend === 'postgres' ? { DATABASE_URL: storeUrl } : {}),
      RP9_TENANT_DATABASE_URL: postgres.url,
      RP9_MASTER_KEY: randomBytes(32).toString('base64'),
      RP9_REPO_URL: `${git.url}/${repo.name}`,
      RP9_STATE_DIR: join(dir, 'state'),
      RP9_ROUTES_DIR: join(dir, 'routes'),
      RP9_LISTEN: '127.0.0.1:0',
      DOCKER_HOST: `unix://${dockerd.socketPath}`,
      RP9_DOCKER_NETWORK: `rp9-bench-${id}`,
      RP9_CONTAINER_POSTGRES: `${dockerd.gateway}:${new URL(postgres.url).port}`,
      RP9_CONTAINER_REDIS: `${dockerd.gateway}:6379`,
      RP9_LOG_LEVEL: 'warn',
    };
    // Converged: every tenant Ready at the head, read from routes (shared and dedicated tenants all get one) and containers.
    const converged = fleet
      ? async () => (await readdir(join(dir, 'routes'))).filter((file) => file.startsWith('rp9-rf-')).length === fleet
      : async () => {
      const routes = await Promise.all([...names.shared, ...names.dedicated].map((name) => readFile(join(dir, 'routes', `rp9-${name}-${backend.slice(0, 3)}.yaml`), 'utf8').then(() => true, () => false)));
      return routes.every(Boolean);
    };
    try {
      const result = await measureController({ root, cwd: dir, env, converged, ...(fleet ? { timeoutMs: 900_000 } : {}) });
      print(`controller process (bin/rp9.js controller, ${fleet ? `${fleet} shared tenants in config: routes only, no containers` : '5 shared + 4 dedicated tenants'}), ${backend === 'embedded' ? 'embedded store, first run' : 'DATABASE_URL'}: peak RSS ${result.peakMb.toFixed(0)} MB, ${result.endMb.toFixed(0)} MB after converging; with child processes (initdb) at most ${result.treePeakMb.toFixed(0)} MB; all routes written ${(result.convergedMs / 1000).toFixed(1)} s after launch`);
    } finally {
      await git.stop();
      const containers = await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${environment}`] } });
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    }
  }

  // 1. Push → applied on a small platform: one shared tenant (route), one dedicated (resources).
  if (ONLY.has('push')) {
  const small = await startWorld('push', (environment) => ({
    'platform.yaml': platformYaml({ environment }),
    ...tenantFile({ name: 'bp-shared', mode: 'shared' }),
    ...tenantFile({ name: 'bp-ded' }),
  }));
  await until('the small platform to converge', () => allReady(small, 2), 120_000, 100);
  const route = [];
  for (let i = 1; i <= 5; i += 1) {
    const host = `bp-shared-${i}.${small.environment}.test`;
    const before = proxy.snapshot();
    const t0 = performance.now();
    await push(small, tenantFile({ name: 'bp-shared', mode: 'shared', subdomain: `bp-shared-${i}` }));
    await until('the new route', async () => (await readFile(join(small.routesDir, 'rp9-bp-shared.yaml'), 'utf8')).includes(host), 30_000);
    route.push({ ms: performance.now() - t0, ...delta(proxy, before) });
    await small.controller.loop.idle();
  }
  print(`push → route change applied (webhook, 2 tenants), 5 runs: median ${median(route.map((r) => r.ms)).toFixed(0)} ms, max ${Math.max(...route.map((r) => r.ms)).toFixed(0)} ms; docker writes per run ${route.map((r) => r.writes).join('/')}`);
  const resources = [];
  for (let i = 1; i <= 3; i += 1) {
    const cpu = i % 2 === 1 ? 1 : 0.5;
    const before = proxy.snapshot();
    const t0 = performance.now();
    await push(small, tenantFile({ name: 'bp-ded', cpu }));
    await until('the new cpu limit', async () => {
      const infos = await Promise.all(['rp9-bp-ded-main', 'rp9-bp-ded-worker-1'].map((name) => docker.getContainer(name).inspect()));
      return infos.every((info) => info.HostConfig.NanoCpus === cpu * 1e9);
    }, 30_000);
    resources.push({ ms: performance.now() - t0, ...delta(proxy, before) });
    await small.controller.loop.idle();
  }
  print(`push → cpu update in place applied (webhook, main + worker), 3 runs: median ${median(resources.map((r) => r.ms)).toFixed(0)} ms, max ${Math.max(...resources.map((r) => r.ms)).toFixed(0)} ms; docker writes per run ${resources.map((r) => r.writes).join('/')} (${resources[0].paths.join(', ')})`);
  const fresh = [];
  for (let i = 1; i <= 3; i += 1) {
    const name = `bp-new-${i}`;
    const t0 = performance.now();
    await push(small, tenantFile({ name }));
    await until(`${name} ready`, async () => {
      const status = await small.controller.store.status.get(name);
      return status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 60_000, 20);
    // n8n's own start time: from each container's start to its health answer (main: until the worker is created; worker: until the route).
    const main = proxy.containers.get(`rp9-${name}-main`);
    const worker = proxy.containers.get(`rp9-${name}-worker-1`);
    const routeAt = (await stat(join(small.routesDir, `rp9-${name}.yaml`))).mtimeMs - performance.timeOrigin;
    const n8nStart = main?.start && worker?.create && worker.start ? (worker.create - main.start) + (routeAt - worker.start) : Number.NaN;
    fresh.push({ ms: performance.now() - t0, n8nStart });
    await small.controller.loop.idle();
  }
  const overhead = fresh.map((f) => f.ms - f.n8nStart);
  print(`push → a new dedicated tenant Ready (database, volume, main healthy, then worker healthy, route), 3 runs: median ${median(fresh.map((f) => f.ms)).toFixed(0)} ms, max ${Math.max(...fresh.map((f) => f.ms)).toFixed(0)} ms; minus n8n's own start (main then worker, start → health answer, median ${median(fresh.map((f) => f.n8nStart)).toFixed(0)} ms with the stand-in): median ${median(overhead).toFixed(0)} ms, max ${Math.max(...overhead).toFixed(0)} ms (target 3000 ms; load ${loadavg()[0].toFixed(1)})`);
  await small.controller.stop();
  }

  // 2. Bring-up of dedicated tenants (database, volume, main + 1 worker, healthy, route).
  for (const concurrency of ONLY.has('up') ? UP_CONCURRENCY : []) {
    const before = proxy.snapshot();
    const up = await startWorld(`up-c${concurrency}`, (environment) => Object.assign({ 'platform.yaml': platformYaml({ environment }) }, ...Array.from({ length: UP_TENANTS }, (_, i) => tenantFile({ name: `bu${concurrency}-${i}` }))), { concurrency });
    await until(`${UP_TENANTS} dedicated tenants ready`, () => allReady(up, UP_TENANTS), 600_000, 100);
    const took = performance.now() - up.started;
    const writes = delta(proxy, before);
    print(`bring-up of ${UP_TENANTS} dedicated tenants (${UP_TENANTS * 2} containers), concurrency ${concurrency}${concurrency === 4 ? ' (default)' : ''}: ${(took / 1000).toFixed(1)} s from controller start to all Ready (load ${loadavg()[0].toFixed(1)}); docker calls ${writes.reads} reads, ${writes.writes} writes`);
    print(`  ${await phasesOf(up, Array.from({ length: UP_TENANTS }, (_, i) => `bu${concurrency}-${i}`))}`);
    await up.controller.stop();
    const containers = await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${up.environment}`] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  }

  // 3. No-op reconcile over many routes-only tenants.
  if (ONLY.has('noop')) {
  const big = await startWorld('noop', (environment) => Object.assign({ 'platform.yaml': platformYaml({ environment }) }, ...Array.from({ length: NOOP_TENANTS }, (_, i) => tenantFile({ name: `bn-${i}`, mode: 'shared' }))));
  await until(`${NOOP_TENANTS} tenants converged`, () => allReady(big, NOOP_TENANTS), 300_000, 200);
  const first = big.controller.loop.lastResult();
  print(`first pass over ${NOOP_TENANTS} shared tenants (writes ${NOOP_TENANTS} route files): ${first?.durationMs} ms (${first?.kind})`);
  const noop = [];
  for (let i = 0; i < 5; i += 1) {
    const before = proxy.snapshot();
    const t0 = performance.now();
    const next = big.controller.loop.waitForResult();
    big.controller.loop.trigger('bench');
    const result = await next;
    noop.push({ wall: performance.now() - t0, pass: result.durationMs, kind: result.kind, ...delta(proxy, before) });
  }
  print(`no-op reconcile over ${NOOP_TENANTS} tenants, 5 runs: median ${median(noop.map((r) => r.pass))} ms (pass), ${median(noop.map((r) => r.wall)).toFixed(0)} ms (trigger → result); results ${[...new Set(noop.map((r) => r.kind))].join(',')}; docker calls per run ${median(noop.map((r) => r.reads))} reads, ${noop.map((r) => r.writes).join('/')} writes${noop.some((r) => r.writes > 0) ? ` (NOT ZERO: ${noop.flatMap((r) => r.paths).join(', ')})` : ''}`);
  const bigRoute = [];
  for (let i = 1; i <= 3; i += 1) {
    const host = `bn-7-${i}.${big.environment}.test`;
    const t0 = performance.now();
    await push(big, tenantFile({ name: 'bn-7', mode: 'shared', subdomain: `bn-7-${i}` }));
    await until('the new route', async () => (await readFile(join(big.routesDir, 'rp9-bn-7.yaml'), 'utf8')).includes(host), 30_000);
    bigRoute.push(performance.now() - t0);
    await big.controller.loop.idle();
  }
  print(`push → route change applied among ${NOOP_TENANTS} tenants (webhook), 3 runs: median ${median(bigRoute).toFixed(0)} ms, max ${Math.max(...bigRoute).toFixed(0)} ms`);
  }
} finally {
  for (const world of worlds) {
    await world.controller.stop().catch(() => undefined);
    await world.git.stop();
  }
  if (warnings.length > 0) process.stderr.write(`${warnings.length} controller warning(s); first: ${warnings.slice(0, 3).join('\n')}\n`);
  await proxy.stop();
  await dockerd.stop();
  await postgres.stop();
  await rm(temp, { recursive: true, force: true });
}

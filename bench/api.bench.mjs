// The signed API under load: authenticated GET /tenants/:id with 10,000
// tenants (generated config, a status row each in the state store), through
// the controller's real HTTP server on loopback; the cost of authentication
// per request (JWT + HMAC + nonce), apart; memory at rest.
//   node bench/api.bench.mjs [tenants=10000] [seconds=10] [concurrency=16]
// The store is the embedded one (PGlite) unless DATABASE_URL names a PostgreSQL.
// Requests are signed before the clock starts (the client's signing is not
// the server's cost). The rate limit is lifted for the run. Prints figures;
// asserts nothing about time.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { writeConfigRepo } from './generate-tenants.mjs';

register();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TENANTS = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 10);
const CONCURRENCY = Number(process.argv[4] ?? 16);
const { SignJWT } = await import('jose');
const { readConfigDir } = await import('../config/read-config-dir.ts');
const { loadConfig } = await import('../config/load-config.ts');
const { storeOn } = await import('../controller/store/store.ts');
const { openPgliteSql } = await import('../controller/store/pglite-sql.ts');
const { openPgSql } = await import('../controller/store/pg-sql.ts');
const { startHttpServer } = await import('../controller/http/server.ts');
const { createAuthenticator } = await import('../controller/http/api/auth.ts');
const { signatureHeaders } = await import('../kernel/api-signature/signature.ts');
const { createLogger } = await import('../kernel/log/logger.ts');
const { createMetrics } = await import('../kernel/metrics/registry.ts');
const { random: seeded } = await import('./seeded-random.mjs');

const AUTH = { jwt: { issuer: 'rp9', audience: 'rp9-api', secret: 'bench-jwt-secret-0123456789abcdef0123' }, hmacSecret: 'bench-hmac-secret-0123456789abcdef01' };
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const random = seeded(13);

console.log(`api bench: ${TENANTS} tenants, ${SECONDS} s at concurrency ${CONCURRENCY}, node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0].toFixed(2)}`);
const dir = await mkdtemp(join(tmpdir(), 'rp9-api-bench-'));
let store;
let server;
try {
  await writeConfigRepo(join(dir, 'repo'), TENANTS, join(root, 'platform.yaml'));
  const files = await readConfigDir(join(dir, 'repo'));
  const config = loadConfig(files);
  if (!config.platform || config.tenants.length !== TENANTS) throw new Error(`generated config did not load: ${config.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
  const good = { commit: 'b'.repeat(40), platform: config.platform, config };
  const names = config.tenants.map((t) => t.name);

  let t0 = performance.now();
  const sql = process.env.DATABASE_URL ? await openPgSql(process.env.DATABASE_URL) : await openPgliteSql({ dataDir: join(dir, 'state', 'store') });
  store = await storeOn(sql);
  // One statement for every status row (one store call per row takes minutes on the embedded store); then one real update.
  await sql.query(`insert into tenant_status (tenant, phase) select n, 'active' from unnest($1::text[]) as n on conflict (tenant) do nothing`, [`{${names.join(',')}}`]);
  await store.status.update(names[0], { phase: 'active', conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: 'applied' }], appliedCommit: good.commit });
  console.log(`store: ${sql.description}, ${TENANTS} status rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const metrics = createMetrics({ defaultMetrics: false });
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ stream: { write: () => undefined }, env: {} }),
    deps: { readiness: async () => ({ role: 'leader' }), tenants: async () => [], lastCommit: async () => ({ sha: good.commit }), onGithubPush: () => undefined, metricsRegistry: metrics.registry, requestMetrics: metrics },
    api: { auth: AUTH, store: () => store, config: () => good, baseBranch: 'main', rateLimitPerMinute: 100_000_000 },
  });

  const token = async () => new SignJWT({ role: 'viewer' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('rp9').setAudience('rp9-api').setSubject('bench').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(AUTH.jwt.secret));
  const jwt = await token();
  const sign = (path) => ({ path, headers: { authorization: `Bearer ${jwt}`, ...signatureHeaders(AUTH.hmacSecret, { method: 'GET', path }) } });

  // Authentication alone: JWT verification, the HMAC over the request, and the nonce (in memory here; the server's goes to the store).
  const authenticator = createAuthenticator(AUTH);
  const memory = { acceptNonce: async () => true };
  const AUTH_RUNS = 20_000;
  const authInputs = Array.from({ length: AUTH_RUNS }, (_, i) => { const s = sign(`/tenants/${names[i % names.length]}`); return { method: 'GET', url: s.path, headers: s.headers, body: new Uint8Array() }; });
  for (let i = 0; i < 2000; i += 1) await authenticator.authenticate(authInputs[i], 'viewer', memory, new Date());
  t0 = performance.now();
  for (const input of authInputs) {
    const result = await authenticator.authenticate(input, 'viewer', memory, new Date());
    if (!result.ok) throw new Error(`bench request refused: ${result.reason}`);
  }
  const authUs = ((performance.now() - t0) * 1000) / AUTH_RUNS;
  console.log(`authentication (JWT HS256 + HMAC-SHA256 + nonce check, no store): ${authUs.toFixed(1)} µs per request over ${AUTH_RUNS}`);

  // Warm up, then memory at rest.
  for (let i = 0; i < 200; i += 1) {
    const s = sign(`/tenants/${names[i]}`);
    const answer = await fetch(`${server.url}${s.path}`, { headers: s.headers });
    if (answer.status !== 200) throw new Error(`GET ${s.path}: ${answer.status} ${await answer.text()}`);
    await answer.arrayBuffer();
  }
  globalThis.gc?.();
  const rest = process.memoryUsage();
  console.log(`memory at rest (this process: server, store${process.env.DATABASE_URL ? ' client' : ' (embedded PGlite)'}, config of ${TENANTS} tenants): rss ${mib(rest.rss)}, heap used ${mib(rest.heapUsed)}${globalThis.gc ? '' : ' (run with --expose-gc for a heap after GC)'}`);

  // Pre-signed requests, each with its own nonce (signed before the clock starts; more than this machine serves in the run).
  const PRESIGNED = Math.max(5_000, SECONDS * 2_000);
  const requests = Array.from({ length: PRESIGNED }, () => sign(`/tenants/${names[Math.floor(random() * names.length)]}`));
  // The server closes keep-alive sockets idle for 5 s: open fresh ones now that signing is done.
  for (let i = 0; i < CONCURRENCY; i += 1) { const w = sign(`/tenants/${names[i]}`); await (await fetch(`${server.url}${w.path}`, { headers: w.headers })).arrayBuffer(); }
  const latencies = [];
  const statuses = new Map();
  let next = 0;
  const end = performance.now() + SECONDS * 1000;
  t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end && next < requests.length) {
      const request = requests[next++];
      const started = performance.now();
      try {
        const answer = await fetch(`${server.url}${request.path}`, { headers: request.headers });
        await answer.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      } catch (error) {
        const code = error.cause?.code ?? error.message;
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  if (next >= requests.length) console.log(`(all ${requests.length} pre-signed requests were sent before ${SECONDS} s)`);
  latencies.sort((a, b) => a - b);
  const loaded = process.memoryUsage();
  console.log(`GET /tenants/:id (viewer, signed): ${latencies.length} requests in ${elapsed.toFixed(1)} s = ${(latencies.length / elapsed).toFixed(0)} req/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms; statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
  console.log(`memory after the load: rss ${mib(loaded.rss)}, heap used ${mib(loaded.heapUsed)} (load ${loadavg()[0].toFixed(1)}; client and server share this process and ${cpus().length} cpus)`);
} finally {
  await server?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
}

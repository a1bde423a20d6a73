// GET /analytics/growth, /promotion-forecast and /recommendations over real
// HTTP, signed, on real inputs: a config repo whose git history was written
// with known commit dates (the repo's own tenant files, added over 40 days),
// read by the controller's own git source; a real Prometheus holding 30 days
// of known per-tenant series (backfilled with promtool); the test Docker
// engine's `docker info` for the host capacity. Figures worked out by hand.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import { main } from '../../../cli/main.js';
import { loadConfig } from '../../../config/load-config.js';
import { openSource } from '../../../edges/git/index.js';
import { captureIo } from '../../../test/fixtures/capture-io.js';
import { startPrometheus, type PrometheusServer } from '../../../test/harness/prometheus.js';
import { tempDir } from '../../../test/harness/temp-dirs.js';
import { dockerHostCapacity } from '../../docker/host-capacity.js';
import { storeOn, type Store } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import { call, type Reply } from '../test-support.js';
import { apiWorld, HMAC_SECRET, JWT_SECRET, signed, startApi, type ApiServer, type ApiWorld } from './test-support.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DAY_S = 86_400;
// Commit dates and samples are placed relative to NOW, hours away from every
// boundary a query draws (days back from the server's clock, which is NOW plus
// the seconds the test has run), so the figures do not depend on when it runs.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const NOW_S = NOW.getTime() / 1000;

let world: ApiWorld;
let store: Store;
let api: ApiServer;
let prometheus: PrometheusServer;
let docker: Docker;

/** A work tree whose commits carry the given committer dates (Unix seconds). */
async function datedRepo(dir: string, commits: { at: number; files: string[] }[]): Promise<void> {
  const git = (args: string[], at?: number) => exec('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'rp9', GIT_AUTHOR_EMAIL: 'rp9@example.test', GIT_COMMITTER_NAME: 'rp9', GIT_COMMITTER_EMAIL: 'rp9@example.test', ...(at ? { GIT_AUTHOR_DATE: `@${at} +0000`, GIT_COMMITTER_DATE: `@${at} +0000` } : {}) } });
  await git(['init', '-q', '-b', 'main']);
  await exec('mkdir', ['-p', join(dir, 'tenants')]);
  for (const commit of commits) {
    for (const file of commit.files) await writeFile(join(dir, file), await readFile(join(ROOT, file)));
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', `add ${commit.files.join(', ')}`], commit.at);
  }
}

/**
 * Samples of `metric` for `tenant` over the 30 days before NOW, four a day
 * (3, 9, 15 and 21 h into each day); every sample of the day ending k days
 * before NOW is `value(k)`, so a step's max or mean is that value.
 */
function series(metric: string, tenant: string, value: (k: number) => number): string[] {
  const lines: string[] = [];
  for (let k = 29; k >= 0; k -= 1) {
    for (const hour of [3, 9, 15, 21]) lines.push(`${metric}{tenant="${tenant}"} ${value(k)} ${NOW_S - (k + 1) * DAY_S + hour * 3600}`);
  }
  return lines;
}

beforeAll(async () => {
  const dir = await tempDir('rp9-growth-repo-');
  // c1 40 days ago: acme (dedicated, 2 cores × main + 2 workers), hooli and initech (shared);
  // c2 20 days ago (+1 h): soylent (shared); c3 10 days ago (+1 h): wayne (dedicated, 3 cores × main + 3 workers).
  await datedRepo(dir, [
    { at: NOW_S - 40 * DAY_S, files: ['platform.yaml', 'tenants/acme.yaml', 'tenants/hooli.yaml', 'tenants/initech.yaml'] },
    { at: NOW_S - 20 * DAY_S + 3600, files: ['tenants/soylent.yaml'] },
    { at: NOW_S - 10 * DAY_S + 3600, files: ['tenants/wayne.yaml'] },
  ]);
  const source = openSource({ url: dir, cacheDir: await tempDir('rp9-growth-cache-') });
  const fetched = await source.fetch();
  if (!fetched.ok) throw new Error(`fetch failed: ${fetched.message}`);
  const head = fetched.commit;
  const files = (await source.snapshot(head)).files;
  const config = loadConfig(files);

  prometheus = await startPrometheus({
    scrapeTargets: [],
    backfill: [
      '# TYPE rp9_tenant_queue_wait_p95_seconds gauge',
      // hooli: 1.1 s today, 0.25 s less each day back.
      ...series('rp9_tenant_queue_wait_p95_seconds', 'hooli', (k) => 1.1 - 0.25 * k),
      '# TYPE rp9_tenant_concurrent_executions gauge',
      ...series('rp9_tenant_concurrent_executions', 'hooli', () => 2),
      '# TYPE rp9_tenant_executions_min gauge',
      // initech: 0.1 executions a minute today, 0.005 less each day back.
      ...series('rp9_tenant_executions_min', 'initech', (k) => 0.1 - 0.005 * k),
      '# TYPE rp9_tenant_cpu_percent gauge',
      ...series('rp9_tenant_cpu_percent', 'acme', () => 10),
      ...series('rp9_tenant_cpu_percent', 'wayne', () => 70),
      '# TYPE rp9_tenant_mem_percent gauge',
      ...series('rp9_tenant_mem_percent', 'acme', () => 20),
      ...series('rp9_tenant_mem_percent', 'wayne', () => 70),
      '# EOF',
      '',
    ].join('\n'),
  });
  docker = new Docker({ socketPath: inject('dockerSocket') });
  world = await apiWorld();
  world.good = { commit: head, platform: config.platform!, config };
  store = await storeOn(await openPgliteSql({ memory: true }));
  await store.status.update('acme', { phase: 'active' });
  await store.status.update('wayne', { phase: 'provisioning' });
  api = await startApi(world, store, {
    prometheus: createPrometheusClient({ url: prometheus.url }),
    configFiles: async (commit) => (await source.snapshot(commit)).files,
    configCommits: async (from, max) => (await source.history!(from)).commits(max),
    hostCapacity: async () => [await dockerHostCapacity(docker)],
  });
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await world?.close();
  await store?.close();
});

async function get(path: string): Promise<Reply & { json: Record<string, unknown> }> {
  const r = await signed('GET', path, undefined, { role: 'viewer' });
  const reply = await call(api.port, r.path, { method: r.method, headers: r.headers });
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

// Days 0…30 of the period: acme alone is dedicated up to day 20 (6 cores, 6,144 MB), wayne joins on day 21 (+12, +12,288).
// Least squares over x = 0…30: x̄ = 15, Σ(x − x̄)² = 2,480; a step of h from day 21 gives Σ(x − x̄)·y = h × (6 + … + 15) = 105 h.
const SXX = 2480;

describe('GET /analytics/growth', () => {
  it('tenants by plan and mode each day of the period, from the git history, with slopes by hand', async () => {
    const reply = await get('/analytics/growth?period=30d');

    expect(reply.status).toBe(200);
    const body = reply.json as { step: string; points: { at: string; tenants: number; by_mode: unknown; by_plan: unknown; allocated: unknown }[]; rates: Record<string, number>; phases: unknown; history: unknown };
    expect(body.step).toBe('1d');
    expect(body.points).toHaveLength(31);
    expect(Date.parse(body.points[0]!.at) - (NOW.getTime() - 30 * DAY_S * 1000)).toBeLessThan(600_000);
    expect(body.points[0]).toMatchObject({ tenants: 3, by_mode: { shared: 2, dedicated: 1 }, by_plan: { pro: { shared: 1, dedicated: 1 }, starter: { shared: 1, dedicated: 0 } }, allocated: { cores: 6, memory_mb: 6144 } });
    // Day 10 is exactly 20 days ago, an hour before soylent's commit; day 11 has it.
    expect(body.points.map((p) => p.tenants)).toEqual([...Array(11).fill(3), ...Array(10).fill(4), ...Array(10).fill(5)]);
    expect(body.points[30]).toMatchObject({ tenants: 5, by_mode: { shared: 3, dedicated: 2 }, allocated: { cores: 18, memory_mb: 18432 } });
    // Tenants: 3 × (−110) + 4 × 5 + 5 × 105 = 215; dedicated: 105; shared: 110; cores: 12 × 105 = 1,260.
    expect(body.rates.tenants_per_30d).toBeCloseTo((215 / SXX) * 30, 9);
    expect(body.rates.dedicated_per_30d).toBeCloseTo((105 / SXX) * 30, 9);
    expect(body.rates.shared_per_30d).toBeCloseTo((110 / SXX) * 30, 9);
    expect(body.rates.cores_per_30d).toBeCloseTo((1260 / SXX) * 30, 9);
    expect(body.rates.memory_mb_per_30d).toBeCloseTo(((12288 * 105) / SXX) * 30, 6);
    expect(body.phases).toEqual({ active: 1, provisioning: 1 });
    expect(body.history).toEqual({ commits_read: 3, truncated: false });
  });

  it('before the first commit a point has no figures; a bad period is 400', async () => {
    const long = await get('/analytics/growth?period=6w');
    const bad = await get('/analytics/growth?period=30x');

    expect(long.status).toBe(200);
    const points = (long.json as { points: { tenants: number | null; commit: string | null }[] }).points;
    // 42 days back: days 0 and 1 are before the first commit (40 days ago).
    expect(points.slice(0, 3).map((p) => p.tenants)).toEqual([null, null, 3]);
    expect(points[0]?.commit).toBeNull();
    expect(bad.status).toBe(400);
  });
});

describe('GET /analytics/promotion-forecast', () => {
  it('the promotion bot\'s candidates of the next 30 days on the trends of the last 14', async () => {
    const reply = await get('/analytics/promotion-forecast?period=14d');

    expect(reply.status).toBe(200);
    const candidates = (reply.json as { candidates: { tenant: string; first_day: number; score_first: number; score: number; priority: string; projected: Record<string, number | null>; trend: Record<string, number | null> }[] }).candidates;
    // soylent: data residency, 40 from day 0. hooli: 1.1 s + 0.25 s a day passes 5 s on day 16 (5.1 s: 40 × 0.51 = 20.4), 8.6 s on day 30 (34.4).
    // initech: 43,200 × (0.1 + 0.005 (d − 15)) passes 5,000 on day 19 (5,184: 33 × 0.5184 = 17.1), 7,560 on day 30 (24.9).
    expect(candidates.map((c) => [c.tenant, c.first_day, c.score_first, c.score, c.priority])).toEqual([
      ['soylent', 0, 40, 40, 'medium'],
      ['hooli', 16, 20, 34, 'low'],
      ['initech', 19, 17, 25, 'low'],
    ]);
    const hooli = candidates.find((c) => c.tenant === 'hooli');
    expect(hooli?.trend.queue_wait_p95_seconds).toBeCloseTo(0.25, 9);
    expect(hooli?.trend.concurrent_executions).toBeCloseTo(0, 9);
    expect(hooli?.projected.queue_wait_p95_seconds).toBeCloseTo(8.6, 9);
    expect(candidates.find((c) => c.tenant === 'initech')?.projected.executions_month).toBeCloseTo(7560, 6);
  });
});

describe('GET /analytics/recommendations', () => {
  it('the Docker engine\'s capacity, the allocation\'s growth from git and acme over-allocated', async () => {
    const reply = await get('/analytics/recommendations?period=30d');
    const info = (await docker.info()) as { NCPU: number; MemTotal: number };

    expect(reply.status).toBe(200);
    const body = reply.json as { hosts: { cpus: number; memory_mb: number; source: string }[]; capacity: { cores: number; memory_mb: number }; allocated: unknown; fills: { cores: { days: number | null } }; over_allocated: { tenant: string; suggested: unknown; reclaimable: unknown; p95: unknown }[] };
    expect(body.hosts).toEqual([{ name: expect.any(String), cpus: info.NCPU, memory_mb: Math.floor(info.MemTotal / 1048576), source: 'docker-info' }]);
    expect(body.allocated).toEqual({ cores: 18, memory_mb: 18432 });
    // 1,260 / 2,480 cores a day; none left: 0 days.
    const perDay = 1260 / SXX;
    const expectedDays = info.NCPU <= 18 ? 0 : (info.NCPU - 18) / perDay;
    expect(body.fills.cores.days).toBeCloseTo(expectedDays, 9);
    // acme: p95 10 % CPU of 2 cores, 20 % memory of 2,048 MB, below 20 % and 30 %: 2 × 10/50 → 0.5; 2,048 × 20/57.5 = 712 → 768; × 3 containers.
    expect(body.over_allocated).toEqual([{ tenant: 'acme', plan: 'pro', containers: 3, allocated: { cpu: 2, memory_mb: 2048 }, p95: { cpu_percent: 10, memory_percent: 20 }, suggested: { cpu: 0.5, memory_mb: 768 }, reclaimable: { cores: 4.5, memory_mb: 3840 } }]);
  });

  it('the engine reports what the machine has: the CPUs this process may run on and /proc/meminfo\'s MemTotal', async () => {
    const host = await dockerHostCapacity(docker);
    const { stdout } = await exec('nproc');
    const memTotalKb = Number(/MemTotal:\s+(\d+) kB/.exec(await readFile('/proc/meminfo', 'utf8'))?.[1]);

    expect(host.cpus).toBe(Number(stdout.trim()));
    expect(host.memoryMb).toBe(Math.floor(memTotalKb / 1024));
  });
});

describe('rp9 analytics growth, promotion-forecast, recommendations', () => {
  const env = () => ({ RP9_API_URL: api.url, RP9_API_JWT_SECRET: JWT_SECRET, RP9_API_HMAC_SECRET: HMAC_SECRET });

  it.each([
    { name: 'growth', row: (out: string) => out.split('\n').find((l) => l.startsWith(NOW.toISOString().slice(0, 10))), expected: /^\S+\s+5\s+3\s+2\s+0\s+18\s+18432$/ },
    { name: 'promotion-forecast', row: (out: string) => out.split('\n').find((l) => l.startsWith('hooli ')), expected: /^hooli\s+pro\s+16\s+\S+\s+20\s+34\s+low/ },
    { name: 'recommendations', row: (out: string) => out.split('\n').find((l) => l.startsWith('acme ')), expected: /^acme\s+pro\s+3\s+2\s+2048\s+10\s+20\s+0\.5\s+768\s+4\.5\s+3840$/ },
  ])('$name as a table and as JSON', async ({ name, row, expected }) => {
    const table = captureIo(env(), process.cwd());
    const json = captureIo(env(), process.cwd());

    expect(await main(['analytics', name], table.io)).toBe(0);
    expect(await main(['analytics', name, '-o', 'json'], json.io)).toBe(0);
    expect(row(table.out())).toMatch(expected);
    expect(JSON.parse(json.out())).toMatchObject({ at: expect.any(String), commit: world.good.commit });
  });
});

// POST /autoscale/run, POST /enforcement/run and GET /metrics/tenant/:id over
// real HTTP: a real Prometheus scraping known per-tenant series, the repo's
// own config on the GitHub contract server (read by the bots with git, as a
// scheduled run reads it), and a real state store. Figures are checked
// against values computed by hand from the series served.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import { gitBaseFromApi } from '../../../bots/sources/env.js';
import { readRemoteGitBase } from '../../../bots/sources/git-base-remote.js';
import { createPrometheusMetrics } from '../../../bots/sources/prometheus-metrics.js';
import { createGitHubForge } from '../../../edges/forge/index.js';
import { silentLogger } from '../../../kernel/log/logger.js';
import { main } from '../../../cli/main.js';
import { captureIo } from '../../../test/fixtures/capture-io.js';
import { exposition, startMetricsStack, type MetricsStack } from '../../../test/e2e/bots-support.js';
import { storeOn, type Store } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import { call, type Reply } from '../test-support.js';
import { apiWorld, HMAC_SECRET, JWT_SECRET, REPO, signed, startApi, type ApiServer, type ApiWorld } from './test-support.js';

const MIB = 1024 * 1024;
let world: ApiWorld;
let store: Store;
let api: ApiServer;
let bare: ApiServer;
let prometheus: MetricsStack;
let cacheDir: string;

beforeAll(async () => {
  // Older than the autoscale cooldown (60 min): the hot tenant is not held by the seed commit.
  world = await apiWorld({ seededHoursAgo: 3 });
  store = await storeOn(await openPgliteSql({ memory: true }));
  cacheDir = await mkdtemp(join(tmpdir(), 'rp9-api-bots-git-'));
  // vandelay has no series at all.
  const names = world.good.config.tenants.map((t) => t.name).filter((n) => n !== 'vandelay');
  const all = (value: number) => Object.fromEntries(names.map((n) => [n, value]));
  prometheus = await startMetricsStack(() => exposition({
    rp9_tenant_cpu_percent: { ...all(50), acme: 95 },
    rp9_tenant_mem_percent: { ...all(40), acme: 62.5 },
    rp9_tenant_mem_bytes: { ...all(100 * MIB), acme: 1280 * MIB },
    rp9_tenant_queue_wait_p95_seconds: { ...all(2), acme: 3.5 },
    rp9_tenant_executions_min: { ...all(4), acme: 7 },
    rp9_tenant_executions_month: all(1000),
    rp9_tenant_concurrent_executions: all(1),
  }), 'rp9_tenant_mem_bytes{tenant="acme"}');
  const client = createPrometheusClient({ url: prometheus.url });
  const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: world.gh.url });
  api = await startApi(world, store, {
    prometheus: client,
    async botRunDeps(_bot, now) {
      const read = await readRemoteGitBase({ url: `${gitBaseFromApi(world.gh.url)}/acme/config.git`, branch: 'main', token: 'test-token', cacheDir });
      return { base: read.base, forge, metrics: createPrometheusMetrics(client), ...(read.history ? { history: read.history } : {}), now, dryRun: false, logger: silentLogger() };
    },
  });
  bare = await startApi(world, store);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await world?.close();
  await store?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

async function send(method: string, path: string, body?: unknown, options: { role?: 'viewer' | 'operator' | 'admin'; server?: ApiServer; key?: string } = {}): Promise<Reply & { json: Record<string, unknown> }> {
  const r = await signed(method, path, body, { role: options.role ?? 'operator', ...(options.key ? { headers: { 'idempotency-key': options.key } } : {}) });
  const reply = await call((options.server ?? api).port, r.path, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

describe('GET /metrics/tenant/:id', () => {
  it('answers the figures Prometheus holds for the tenant (constant series: the window mean is the value)', async () => {
    const reply = await send('GET', '/metrics/tenant/acme?window=5m', undefined, { role: 'viewer' });

    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ tenant: 'acme', window: '5m', queue_wait_p95: 3.5, cpu_percent: 95, memory_bytes: 1280 * MIB, memory_percent: 62.5, executions_min: 7 });
  });

  it('a tenant of the config without series gets nulls; an unknown tenant 404; a bad window 400', async () => {
    const silent = await send('GET', '/metrics/tenant/vandelay', undefined, { role: 'viewer' });
    const unknown = await send('GET', '/metrics/tenant/nobody', undefined, { role: 'viewer' });
    const badWindow = await send('GET', '/metrics/tenant/acme?window=5x', undefined, { role: 'viewer' });

    expect([silent.status, silent.json]).toEqual([200, expect.objectContaining({ tenant: 'vandelay', window: '15m', queue_wait_p95: null, cpu_percent: null, memory_bytes: null, memory_percent: null, executions_min: null })]);
    expect([unknown.status, unknown.json.error]).toEqual([404, 'api.tenant-unknown']);
    expect(badWindow.status).toBe(400);
  });

  it('without Prometheus: 503 api.no-prometheus', async () => {
    const reply = await send('GET', '/metrics/tenant/acme', undefined, { role: 'viewer', server: bare });

    expect([reply.status, reply.json.error]).toEqual([503, 'api.no-prometheus']);
  });
});

describe('GET /analytics/utilization', () => {
  it('by plan, against allocation: figures computed by hand from the constant series served', async () => {
    const reply = await send('GET', '/analytics/utilization?period=1h', undefined, { role: 'viewer' });

    expect(reply.status).toBe(200);
    const plans = (reply.json as { plans: { plan: string; tenants: number; measured: number; allocated: { cpu: number }; cpu_percent: unknown; memory_percent: unknown }[] }).plans;
    // pro: acme 95 % cpu / 62.5 % memory, hooli, soylent and wayne 50 / 40: means (95+3·50)/4 and (62.5+3·40)/4; p95 (nearest rank of 4) the highest.
    expect(plans.find((p) => p.plan === 'pro')).toMatchObject({ tenants: 4, measured: 4, cpu_percent: { avg: 61.25, p95: 95 }, memory_percent: { avg: 45.625, p95: 62.5 } });
    // starter: initech and stark 50 / 40; vandelay has no series.
    expect(plans.find((p) => p.plan === 'starter')).toMatchObject({ tenants: 3, measured: 2, cpu_percent: { avg: 50, p95: 50 }, memory_percent: { avg: 40, p95: 40 } });
    expect(plans.find((p) => p.plan === 'pro')?.allocated.cpu).toBe(world.good.config.tenants.filter((t) => t.tenant.spec.plan === 'pro').reduce((a, t) => a + (t.tenant.spec.resources?.cpu ?? world.good.platform.spec.plans.pro!.cpu), 0));
  });
});

describe('rp9 analytics', () => {
  const env = () => ({ RP9_API_URL: api.url, RP9_API_JWT_SECRET: JWT_SECRET, RP9_API_HMAC_SECRET: HMAC_SECRET });

  it('utilization as a table and as JSON, signed with the local settings', async () => {
    const table = captureIo(env(), process.cwd());
    const json = captureIo(env(), process.cwd());

    const tableCode = await main(['analytics', 'utilization', '--period', '1h'], table.io);
    const jsonCode = await main(['analytics', 'utilization', '--period', '1h', '-o', 'json'], json.io);

    expect([tableCode, jsonCode]).toEqual([0, 0]);
    const proRow = table.out().split('\n').find((l) => l.startsWith('pro '));
    expect(proRow?.split(/\s+/).slice(1, 3)).toEqual(['4', '4']);
    expect(proRow?.split(/\s+/).slice(5)).toEqual(['61.3', '95.0', '45.6', '62.5']);
    expect((JSON.parse(json.out()) as { plans: { plan: string; cpu_percent: { avg: number } }[] }).plans.find((p) => p.plan === 'pro')?.cpu_percent.avg).toBe(61.25);
  });

  it('a report the controller cannot make (growth without the config\'s history here): exit 2 naming the 503', async () => {
    const { io, err } = captureIo(env(), process.cwd());

    expect(await main(['analytics', 'growth'], io)).toBe(2);
    expect(err()).toContain('answered 503: [api.no-history]');
  });
});

describe('POST /autoscale/run and /enforcement/run', () => {
  it('autoscale runs once: the hot tenant gets a pull request raising its cpu, in the seed summary shape', async () => {
    const reply = await send('POST', '/autoscale/run', {}, { key: 'autoscale-run-1' });
    const again = await send('POST', '/autoscale/run', {}, { key: 'autoscale-run-1' });

    expect(reply.status).toBe(200);
    const body = reply.json as { tenants_checked: number; actions_taken: number; actions: { tenant: string; kind: string; detail: string; pull_request?: { number: number } }[] };
    expect(body.tenants_checked).toBe(world.good.config.tenants.length);
    const pr = body.actions.find((a) => a.tenant === 'acme' && a.kind === 'pull-request');
    expect(pr?.detail).toContain('spec.resources.cpu: 2 →');
    expect(body.actions_taken).toBeGreaterThanOrEqual(1);
    const pulls = [...world.gh.state.repo(REPO).pulls.values()].filter((p) => p.headRef === 'rp9/autoscale/acme');
    expect(pulls.map((p) => p.number)).toEqual([pr?.pull_request?.number]);
    expect(world.gh.state.readFile(REPO, 'rp9/autoscale/acme', 'tenants/acme.yaml')).toMatch(/cpu: 3/);
    expect([again.status, again.headers['idempotent-replayed'], again.body]).toEqual([200, 'true', reply.body]);
  });

  it('enforcement runs once and answers tenants_checked, violations_found, actions_taken, actions', async () => {
    const reply = await send('POST', '/enforcement/run', {});

    // 1,000 executions this month is the starter plan's whole allowance (initech, stark; vandelay has no series), not pro's or enterprise's.
    expect(reply.status).toBe(200);
    const body = reply.json as { violations_found: number; actions_taken: number; actions: { tenant: string; kind: string; detail: string }[] };
    expect(reply.json).toMatchObject({ bot: 'enforcement', tenants_checked: world.good.config.tenants.length, violations_found: 2, actions_taken: 2 });
    const prs = body.actions.filter((a) => a.kind === 'pull-request');
    expect(prs.map((a) => a.tenant).sort()).toEqual(['initech', 'stark']);
    expect(prs.every((a) => a.detail.includes('spec.throttle'))).toBe(true);
    // No notification settings here: the notices are listed as skipped, not counted as taken.
    expect(body.actions.filter((a) => a.kind === 'notice').every((a) => a.detail.includes('skipped'))).toBe(true);
    expect([...world.gh.state.repo(REPO).pulls.values()].filter((p) => p.headRef.startsWith('rp9/enforcement/')).map((p) => p.headRef).sort()).toEqual(['rp9/enforcement/initech', 'rp9/enforcement/stark']);
  });

  it('a viewer may not run a bot (403); a controller without GitHub answers 503 api.bots-unavailable', async () => {
    const viewer = await send('POST', '/autoscale/run', {}, { role: 'viewer' });
    const unwired = await send('POST', '/autoscale/run', {}, { server: bare });

    expect(viewer.status).toBe(403);
    expect([unwired.status, unwired.json.error]).toEqual([503, 'api.bots-unavailable']);
  });
});

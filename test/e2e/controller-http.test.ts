// End to end: the controller's HTTP surface over a converged platform —
// liveness, readiness with the leader role, the detailed health report,
// Prometheus metrics with the tenant gauges, and the status page.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { platformYaml, tenantFile } from './support/config.js';
import { get, getJson } from './support/http.js';
import { until } from './support/wait.js';
import { createWorld, type ControllerHandle, type World } from './support/world.js';

let world: World;
let controller: ControllerHandle;

beforeAll(async () => {
  world = await createWorld({
    id: 'ht',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    files: (environment) => ({
      'platform.yaml': platformYaml({ environment }),
      ...tenantFile({ name: 'ht-live', mode: 'shared' }),
      ...tenantFile({ name: 'ht-paused', mode: 'shared', suspended: true }),
    }),
  });
  controller = await world.startController({ intervalSeconds: 2 });
  await until('both tenants applied', async () => {
    const statuses = await controller.store.status.list();
    return statuses.filter((s) => s.appliedCommit === world.repo.head).length === 2;
  }, { timeoutMs: 20_000 });
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('controller HTTP endpoints', () => {
  it('/healthz answers 200', async () => {
    const answer = await get(`${controller.url}/healthz`);

    expect(answer.status).toBe(200);
  });

  it('/readyz is ready and names the leader role', async () => {
    const answer = await getJson(`${controller.url}/readyz`);

    expect(answer).toEqual({ status: 200, body: expect.objectContaining({ ready: true, role: 'leader', database: true, docker: true, git: true, tenantDatabase: true }) });
  });

  it('/health/detailed reports every dependency up', async () => {
    const answer = await getJson<{ status: string; role: string; dependencies: Record<string, { status: string }> }>(`${controller.url}/health/detailed`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'healthy', role: 'leader' });
    expect(answer.body.dependencies).toMatchObject({ database: { status: 'up' }, docker: { status: 'up' }, git: { status: 'up' }, tenantDatabase: { status: 'up' } });
  });

  it('/health/detailed and /readyz report a tenant database server that does not answer', async () => {
    // A second controller (a standby: the first holds the lease) whose tenant database server is a closed port.
    const broken = await world.startController({ env: { RP9_TENANT_DATABASE_URL: 'postgres://rp9@127.0.0.1:1/postgres' } });

    const health = await getJson<{ status: string; dependencies: Record<string, { status: string; error?: string }> }>(`${broken.url}/health/detailed`);
    const ready = await getJson(`${broken.url}/readyz`);

    expect(health.body.status).toBe('degraded');
    expect(health.body.dependencies.tenantDatabase).toMatchObject({ status: 'down', error: expect.stringContaining('ECONNREFUSED') });
    expect(health.body.dependencies.database).toMatchObject({ status: 'up' });
    expect(ready).toEqual({ status: 200, body: expect.objectContaining({ ready: true, tenantDatabase: false }) });
  });

  it('/metrics exposes rp9_tenants_total by mode, status and plan', async () => {
    const text = await until('tenant gauges in /metrics', async () => {
      const answer = await get(`${controller.url}/metrics`);
      return answer.status === 200 && answer.text.includes('rp9_tenants_total{') ? answer.text : undefined;
    }, { timeoutMs: 10_000 });

    expect(text).toMatch(/^rp9_tenants_total\{mode="shared",status="active",plan="starter"\} 1$/m);
    expect(text).toMatch(/^rp9_tenants_total\{mode="shared",status="suspended",plan="starter"\} 1$/m);
    expect(text).toMatch(/^rp9_reconcile_total\{result="success"\} [1-9]/m);
  });

  it('the status page lists every tenant with its phase and applied commit', async () => {
    const answer = await get(`${controller.url}/`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('<td><a href="/?tenant=ht-live">ht-live</a></td><td>shared</td><td>starter</td><td>active</td>');
    expect(answer.text).toContain('<td><a href="/?tenant=ht-paused">ht-paused</a></td><td>shared</td><td>starter</td><td>suspended</td>');
    expect(answer.text).toContain(world.repo.head.slice(0, 12));
    expect(answer.text).toContain(`Last valid commit read <code title="${world.repo.head}">`);
    expect(answer.text).toContain('<p>2 of 2 tenants applied at this commit</p>');
    expect(answer.text).not.toContain('Last applied commit');
  });

  it('the status page shows the newest events of the store, overall and per tenant', async () => {
    const stored = await controller.store.events.recent({ limit: 20 });
    const own = await controller.store.events.recent({ tenant: 'ht-paused', limit: 50 });

    const overall = await get(`${controller.url}/`);
    const tenant = await get(`${controller.url}/?tenant=ht-paused`);
    const unknown = await get(`${controller.url}/?tenant=ht-nobody`);

    expect(stored.length).toBeGreaterThan(0);
    expect(own.length).toBeGreaterThan(0);
    expect(overall.text).toContain('<h2>Recent events</h2>');
    for (const event of stored) expect(overall.text).toContain(`<td>${event.reason}</td>`);
    expect(overall.text).toContain('<a href="/?tenant=ht-live">ht-live</a></td><td class="">Normal</td><td>Applied</td>');
    expect(tenant.status).toBe(200);
    expect(tenant.text).toContain('<h1>Tenant ht-paused</h1>');
    expect(tenant.text).toContain('<td><a href="/?tenant=ht-paused">ht-paused</a></td><td>shared</td><td>starter</td><td>suspended</td>');
    expect(tenant.text.match(/<tr><td>\d{4}-/g)?.length).toBe(own.length);
    expect(tenant.text).not.toContain('ht-live');
    expect(unknown.status).toBe(404);
  });
});

describe('rp9 controller --help', () => {
  it('documents RP9_PUBLIC_URL and that production sets it', async () => {
    const run = await runCli(['controller', '--help'], {}, process.cwd());

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/RP9_PUBLIC_URL: the http\(s\) URL where people open this controller's status page/);
    expect(run.stdout).toContain('Set it in production.');
  });
});

// The HTTP server's probes, metrics, status and suspended pages over real HTTP on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { recordTenants } from '../../controller/metrics/record.js';
import { call, closeServers, healthy, servers, SHA, start, TENANTS } from './test-support.js';
import type { EventRow, Readiness } from './types.js';
import { heldRetryAfter } from './raw-routes.js';

afterEach(closeServers);

describe('probes', () => {
  it('GET /healthz answers ok', async () => {
    const h = await start();

    const reply = await call(h.port, '/healthz');

    expect([reply.status, reply.body, reply.headers['content-type']]).toEqual([200, 'ok\n', 'text/plain; charset=utf-8']);
  });

  it.each([
    { name: 'leader, all up', readiness: healthy, status: 200, body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'standby', readiness: { ...healthy, role: 'standby' }, status: 200, body: { ready: true, role: 'standby', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'docker down: waiting for Docker', readiness: { ...healthy, docker: { status: 'down', error: 'ENOENT' } }, status: 200, body: { ready: true, role: 'leader', mode: 'waiting-for-docker', database: true, docker: false, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'database down', readiness: { ...healthy, database: { status: 'down' } }, status: 503, body: { ready: false, role: 'leader', mode: 'apply', database: false, docker: true, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'role unknown', readiness: { ...healthy, role: 'unknown' }, status: 503, body: { ready: false, role: 'unknown', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'tenant database down: still ready', readiness: { ...healthy, tenantDatabase: { status: 'down', error: 'ECONNREFUSED' } }, status: 200, body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: false, containerAddresses: 'not-probed' } },
    { name: 'no tenant database configured', readiness: { ...healthy, tenantDatabase: { status: 'disabled' } }, status: 200, body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: false, containerAddresses: 'not-probed' } },
    { name: 'docker down, addresses never probed: not-probed, not unreachable', readiness: { ...healthy, docker: { status: 'down', error: 'ENOENT' }, containerAddresses: { status: 'disabled', error: 'not probed yet: the Docker engine did not answer (connect ENOENT /var/run/docker.sock)' } }, status: 200, body: { ready: true, role: 'leader', mode: 'waiting-for-docker', database: true, docker: false, git: true, tenantDatabase: true, containerAddresses: 'not-probed' } },
    { name: 'container addresses reachable', readiness: { ...healthy, containerAddresses: { status: 'up' } }, status: 200, body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: true, containerAddresses: true } },
    {
      name: 'container addresses unreachable: still ready, with the code',
      readiness: { ...healthy, containerAddresses: { status: 'down', error: 'settings.container-address-unreachable: not reachable from a container on network "rp9": RP9_CONTAINER_REDIS redis:6379 (bad address)' } },
      status: 200,
      body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true, tenantDatabase: true, containerAddresses: false, problems: ['settings.container-address-unreachable'] },
    },
  ] as { name: string; readiness: Readiness; status: number; body: unknown }[])('GET /readyz: $name → $status', async ({ readiness, status, body }) => {
    const h = await start({ readiness: async () => readiness });

    const reply = await call(h.port, '/readyz');

    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body)).toEqual(body);
  });

  it('GET /readyz is 503 when the readiness callback fails or hangs', async () => {
    const failing = await start({ readiness: async () => Promise.reject(new Error('pool exhausted')) });
    const hanging = await start({ readiness: () => new Promise<Readiness>(() => undefined) }, { checkTimeoutMs: 100 });

    const [a, b] = await Promise.all([call(failing.port, '/readyz'), call(hanging.port, '/readyz')]);

    expect([a.status, JSON.parse(a.body).ready]).toEqual([503, false]);
    expect([b.status, JSON.parse(b.body).role]).toEqual([503, 'unknown']);
  });

  it('GET /health/detailed reports dependencies and system, redacting secrets from errors', async () => {
    const h = await start({ readiness: async () => ({ ...healthy, git: { status: 'down', error: 'fetch https://x:ghp_abc@github.com/rp9/config failed' } }) });

    const reply = await call(h.port, '/health/detailed');
    const body = JSON.parse(reply.body);

    expect(reply.status).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      role: 'leader',
      mode: 'apply',
      dependencies: { database: { status: 'up', latencyMs: 1.5 }, docker: { status: 'up', latencyMs: 1.5 }, git: { status: 'down' } },
      system: { node: process.version, pid: process.pid, version: '0.1.0-test' },
    });
    expect(body.dependencies.git.error).toBe('fetch https://x:[REDACTED]@github.com/rp9/config failed');
    expect(body.system.memory.rss).toBeGreaterThan(0);
    expect(body.system.loadavg).toHaveLength(3);
    expect(typeof body.system.uptimeSeconds).toBe('number');
  });

  it.each([
    ['down', { status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'degraded'],
    ['not configured', { status: 'disabled' }, 'healthy'],
    ['not reported', undefined, 'healthy'],
  ] as const)('GET /health/detailed reports the tenant database server %s', async (_name, tenantDatabase, status) => {
    const { tenantDatabase: _reported, ...unreported } = healthy;
    const h = await start({ readiness: async () => (tenantDatabase ? { ...healthy, tenantDatabase } : unreported) });

    const body = JSON.parse((await call(h.port, '/health/detailed')).body);

    expect(body.status).toBe(status);
    expect(body.dependencies.tenantDatabase).toEqual(tenantDatabase ?? { status: 'disabled' });
  });

  it('GET /health/detailed reports unreachable container addresses as degraded, with the code first', async () => {
    const error = 'settings.container-address-unreachable: not reachable from a container on network "rp9": RP9_CONTAINER_REDIS redis:6379 (bad address)';
    const h = await start({ readiness: async () => ({ ...healthy, containerAddresses: { status: 'down', error } }) });

    const body = JSON.parse((await call(h.port, '/health/detailed')).body);

    expect(body.status).toBe('degraded');
    expect(body.dependencies.containerAddresses).toEqual({ status: 'down', error });
  });

  it('GET /health/detailed says not-probed, not down, while no probe could run (no Docker), and stays healthy for it', async () => {
    const error = 'not probed yet: the Docker engine did not answer (connect ENOENT /var/run/docker.sock)';
    const notProbed = await start({ readiness: async () => ({ ...healthy, containerAddresses: { status: 'disabled', error } }) });
    const unreported = await start({ readiness: async () => healthy });

    const body = JSON.parse((await call(notProbed.port, '/health/detailed')).body);
    const before = JSON.parse((await call(unreported.port, '/health/detailed')).body);

    expect(body.status).toBe('healthy');
    expect(body.dependencies.containerAddresses).toEqual({ status: 'not-probed', error });
    expect(before.dependencies.containerAddresses).toEqual({ status: 'not-probed', error: 'not probed yet' });
  });

  it('GET /health/detailed is 503 unhealthy when the database is down', async () => {
    const h = await start({ readiness: async () => ({ ...healthy, database: { status: 'down', error: 'ECONNREFUSED' } }) });

    const reply = await call(h.port, '/health/detailed');

    expect([reply.status, JSON.parse(reply.body).status]).toEqual([503, 'unhealthy']);
  });
});

describe('GET /metrics', () => {
  it('serves the prom-client exposition with the seed names and request counts', async () => {
    const h = await start();
    recordTenants(h.metrics, TENANTS);
    await call(h.port, '/healthz');

    const reply = await call(h.port, '/metrics');

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.body).toContain('rp9_tenants_total{mode="dedicated",status="active",plan="pro"} 1');
    expect(reply.body).toContain('rp9_tenants_total{mode="shared",status="failed",plan="starter"} 1');
    expect(reply.body).toContain('rp9_tenant_ready{tenant="initech",mode="shared",plan="starter",phase="failed"} 0');
    expect(reply.body).toContain('rp9_http_requests_total{route="/healthz",method="GET",code="200"} 1');
    expect(reply.body).toContain('# TYPE rp9_reconcile_duration_seconds histogram');
  });
});

describe('GET / (status page)', () => {
  it('lists tenants, phases, readiness and the last commit, escaping every value', async () => {
    const h = await start();

    const reply = await call(h.port, '/');

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.body).not.toContain('<script>');
    expect(reply.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(reply.body).toContain('Scale acme &lt;fast&gt;');
    expect(reply.body).toContain(`<code title="${SHA}">${SHA.slice(0, 12)}</code>`);
    expect(reply.body).toMatch(/<td><a href="\/\?tenant=acme">acme<\/a><\/td><td>dedicated<\/td><td>pro<\/td><td>active<\/td><td class="yes">yes<\/td>/);
    expect(reply.body).toMatch(/<td><a href="\/\?tenant=initech">initech<\/a><\/td><td>shared<\/td><td>starter<\/td><td>failed<\/td><td class="no">no<\/td>/);
    expect(reply.body).toContain('1 of 2 tenants ready');
  });

  const EVENTS: EventRow[] = [
    { time: new Date('2025-08-15T14:31:00Z'), tenant: 'initech', type: 'Warning', reason: 'ApplyFailed', message: 'no such image <rp9/n8n>', actor: 'controller', commit: SHA },
    { time: new Date('2025-08-15T14:30:00Z'), tenant: null, type: 'Normal', reason: 'PlanAccepted', message: 'The plan is no longer refused', actor: 'controller', commit: SHA },
    { time: new Date('2025-08-15T14:29:00Z'), tenant: 'acme', type: 'Normal', reason: 'Applied', message: 'Applied at a10867b', actor: 'controller', commit: SHA },
  ];
  function eventsOf(asked: { tenant?: string; limit: number }[]) {
    return async (query: { tenant?: string; limit: number }) => {
      asked.push(query);
      return EVENTS.filter((e) => query.tenant === undefined || e.tenant === query.tenant).slice(0, query.limit);
    };
  }

  it('shows the newest events of every tenant and the platform, each tenant linking to its page', async () => {
    const asked: { tenant?: string; limit: number }[] = [];
    const h = await start({ events: eventsOf(asked) });

    const reply = await call(h.port, '/');

    expect(asked).toEqual([{ limit: 20 }]);
    expect(reply.body).toContain('<h2>Recent events</h2>');
    expect(reply.body).toContain('<td>2025-08-15T14:31:00Z</td><td><a href="/?tenant=initech">initech</a></td><td class="no">Warning</td><td>ApplyFailed</td><td>no such image &lt;rp9/n8n&gt;</td><td>controller</td>');
    expect(reply.body).toContain('<td><span class="muted">platform</span></td><td class="">Normal</td><td>PlanAccepted</td>');
    expect(reply.body.indexOf('ApplyFailed')).toBeLessThan(reply.body.indexOf('PlanAccepted'));
  });

  it('shows one tenant with its own events at /?tenant=<name>', async () => {
    const asked: { tenant?: string; limit: number }[] = [];
    const h = await start({ events: eventsOf(asked) });

    const reply = await call(h.port, '/?tenant=acme');

    expect(reply.status).toBe(200);
    expect(asked).toEqual([{ tenant: 'acme', limit: 50 }]);
    expect(reply.body).toContain('<h1>Tenant acme</h1>');
    expect(reply.body).toMatch(/<td><a href="\/\?tenant=acme">acme<\/a><\/td><td>dedicated<\/td>/);
    expect(reply.body).toContain('<td>Applied</td><td>Applied at a10867b</td>');
    expect(reply.body).not.toContain('ApplyFailed');
    expect(reply.body).not.toContain('initech');
  });

  it.each([
    ['an unknown tenant without events', '/?tenant=nobody', 404, 'nobody is not in the config in force.'],
    ['a name that is not a tenant name', '/?tenant=%3Cscript%3E', 400, 'tenant must be a tenant name'],
  ])('answers %s', async (_name, path, status, text) => {
    const h = await start({ events: eventsOf([]) });

    const reply = await call(h.port, path);

    expect(reply.status).toBe(status);
    expect(reply.body).toContain(text);
  });

  it('reloads both pages at the period the settings give (RP9_STATUS_REFRESH_SECONDS), 30 s by default', async () => {
    const h = await start({ statusRefreshSeconds: 2, events: eventsOf([]) });
    const plain = await start({ events: eventsOf([]) });

    expect((await call(h.port, '/')).body).toContain('<meta http-equiv="refresh" content="2">');
    expect((await call(h.port, '/?tenant=acme')).body).toContain('<meta http-equiv="refresh" content="2">');
    expect((await call(plain.port, '/')).body).toContain('<meta http-equiv="refresh" content="30">');
  });

  it('shows no events section without an event source', async () => {
    const h = await start();

    expect((await call(h.port, '/')).body).not.toContain('Recent events');
  });

  it('answers 503 without details when the tenant list cannot be read', async () => {
    const h = await start({ tenants: async () => Promise.reject(new Error('relation "tenants" does not exist at /srv/store.ts:12')) });

    const reply = await call(h.port, '/', { headers: { 'x-request-id': 'req-42' } });

    expect(reply.status).toBe(503);
    expect(reply.body).toContain('Status temporarily unavailable');
    expect(reply.body).toContain('req-42');
    expect(reply.body).not.toContain('relation');
    expect(h.logs().find((l) => l.code === 'http.status-unavailable')).toMatchObject({ correlation_id: 'req-42', level: 'ERROR' });
  });
});

describe('suspended page', () => {
  it('GET /suspended is a 503 page with Retry-After naming the (escaped) host', async () => {
    const h = await start({ suspendedPage: { retryAfterSeconds: 600, contact: 'support@rp9.io' } });

    const reply = await call(h.port, '/suspended', { headers: { host: 'acme.rp9.io', 'x-forwarded-host': 'acme.rp9.io"><b>x' } });

    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('600');
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('This workspace is suspended');
    expect(reply.body).toContain('acme.rp9.io&quot;&gt;&lt;b&gt;x');
    expect(reply.body).not.toContain('<b>x');
    expect(reply.body).toContain('support@rp9.io');
  });

  it('a held route (an upgrade swap, a promotion freeze) answers with its own Retry-After of seconds; a suspended workspace keeps the default', async () => {
    const h = await start({ suspendedPage: { retryAfterSeconds: 3600 } });

    const held = await call(h.port, '/suspended', { headers: { host: 'acme.rp9.io', 'x-rp9-retry-after': '10' } });
    const suspended = await call(h.port, '/suspended', { headers: { host: 'acme.rp9.io' } });

    expect(held.status).toBe(503);
    expect(held.headers['retry-after']).toBe('10');
    expect(suspended.headers['retry-after']).toBe('3600');
  });

  it.each([
    { value: '10', seconds: 10 },
    { value: ' 30 ', seconds: 30 },
    { value: '3600', seconds: 3600 },
    { value: '0', seconds: undefined },
    { value: '3601', seconds: undefined },
    { value: '1.5', seconds: undefined },
    { value: 'soon', seconds: undefined },
    { value: undefined, seconds: undefined },
  ])('heldRetryAfter($value) → $seconds', ({ value, seconds }) => {
    expect(heldRetryAfter(value)).toBe(seconds);
  });

  it('with controllerHosts set, any path on a tenant host gets the suspended page; controller hosts and IPs do not', async () => {
    const h = await start({ controllerHosts: ['orchestrator.rp9.io'] });

    const tenant = await call(h.port, '/workflow/12?x=1', { headers: { host: 'acme.rp9.io' } });
    const tenantPost = await call(h.port, '/webhook/abc', { method: 'POST', body: '{}', headers: { host: 'acme.rp9.io:443' } });
    const controller = await call(h.port, '/healthz', { headers: { host: 'Orchestrator.rp9.io:8080' } });
    const byIp = await call(h.port, '/healthz');

    expect([tenant.status, tenant.headers['retry-after']]).toEqual([503, '3600']);
    expect(tenant.body).toContain('<strong>acme.rp9.io</strong>');
    expect(tenantPost.status).toBe(503);
    expect([controller.status, byIp.status]).toEqual([200, 200]);
    expect(h.logs().filter((l) => l.route === 'suspended').map((l) => l.level)).toEqual(['INFO', 'INFO']);
  });
});

describe('everything else', () => {
  it('unknown paths are 404 text; wrong methods 405; the request id is echoed and logged', async () => {
    const h = await start();

    const missing = await call(h.port, '/nope', { headers: { 'x-request-id': 'abc-123' } });
    const post = await call(h.port, '/healthz', { method: 'POST', body: '' });

    expect([missing.status, missing.body, missing.headers['content-type'], missing.headers['x-request-id']]).toEqual([404, 'not found\n', 'text/plain; charset=utf-8', 'abc-123']);
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect(h.logs().find((l) => l.path === '/nope')).toMatchObject({ msg: 'http request', status: 404, correlation_id: 'abc-123', level: 'INFO' });
  });

  it('a failing handler answers 500 JSON without a stack trace and logs the error', async () => {
    const registry = createMetrics({ defaultMetrics: false }).registry;
    registry.metrics = async () => {
      throw new Error('collector exploded');
    };
    const h = await start({ metricsRegistry: registry });

    const reply = await call(h.port, '/metrics');

    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ error: 'http.internal', correlation_id: reply.headers['x-request-id'] });
    expect(reply.body).not.toMatch(/collector exploded|at .*\.ts/);
    expect(h.logs().find((l) => l.code === 'http.internal')).toMatchObject({ err: { message: 'collector exploded' } });
  });

  it('HEAD on a GET route sends headers only', async () => {
    const h = await start();

    const reply = await call(h.port, '/healthz', { method: 'HEAD' });

    expect([reply.status, reply.body, reply.headers['content-length']]).toEqual([200, '', '3']);
  });

  it('close() stops the server', async () => {
    const h = await start();
    const server = servers.pop();

    await server?.close();

    await expect(call(h.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});

// Every endpoint over real HTTP on 127.0.0.1.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/harness/processes.js';
import { createLogger } from '../log/logger.js';
import { recordTenants } from '../metrics/record.js';
import { createMetrics } from '../metrics/registry.js';
import { signBody } from './github-webhook.js';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from './server.js';
import type { GithubPushEvent, HttpDeps, Readiness, TenantRow } from './types.js';

const SECRET = 'It’s a Secret to Everybody';
const SHA = 'a10867b14bb761a232cd80139fbd4c0d33264240';
const up = { status: 'up', latencyMs: 1.5 } as const;
const healthy: Readiness = { role: 'leader', database: up, docker: up, git: up };
const TENANTS: TenantRow[] = [
  { name: 'acme', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true, appliedCommit: SHA, updatedAt: new Date('2025-08-15T14:30:00Z') },
  { name: 'initech', mode: 'shared', plan: 'starter', phase: 'failed', ready: false, reason: '<script>alert("x")</script> & more', appliedCommit: SHA },
];

interface Harness {
  url: string;
  port: number;
  pushes: GithubPushEvent[];
  logs: () => Record<string, unknown>[];
  metrics: ReturnType<typeof createMetrics>;
}

const servers: HttpServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(deps: Partial<HttpDeps> = {}, options: Partial<HttpServerOptions> = {}): Promise<Harness> {
  const pushes: GithubPushEvent[] = [];
  const lines: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ stream: { write: (chunk: string) => lines.push(chunk) }, level: 'debug', env: {} });
  const port = await freePort();
  const server = await startHttpServer({
    host: '127.0.0.1',
    port,
    logger,
    deps: {
      readiness: async () => healthy,
      tenants: async () => TENANTS,
      lastCommit: async () => ({ sha: SHA, message: 'Scale acme <fast>', appliedAt: '2025-08-15T14:30:00Z' }),
      onGithubPush: (event) => void pushes.push(event),
      metricsRegistry: metrics.registry,
      requestMetrics: metrics,
      webhookSecret: SECRET,
      version: '0.1.0-test',
      ...deps,
    },
    ...options,
  });
  servers.push(server);
  const logs = () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { url: server.url, port: server.port, pushes, logs, metrics };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers };
    if (init.body !== undefined && !init.chunked) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}

function push(port: number, payload: unknown, headers: Record<string, string> = {}, secret = SECRET): Promise<Reply> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return call(port, '/hooks/github', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signBody(secret, body), ...headers },
  });
}

const PUSH = { ref: 'refs/heads/main', before: '0'.repeat(40), after: SHA, repository: { full_name: 'rp9/config' } };

describe('probes', () => {
  it('GET /healthz answers ok', async () => {
    const h = await start();

    const reply = await call(h.port, '/healthz');

    expect([reply.status, reply.body, reply.headers['content-type']]).toEqual([200, 'ok\n', 'text/plain; charset=utf-8']);
  });

  it.each([
    { name: 'leader, all up', readiness: healthy, status: 200, body: { ready: true, role: 'leader', mode: 'apply', database: true, docker: true, git: true } },
    { name: 'standby', readiness: { ...healthy, role: 'standby' }, status: 200, body: { ready: true, role: 'standby', mode: 'apply', database: true, docker: true, git: true } },
    { name: 'docker down: plan-only', readiness: { ...healthy, docker: { status: 'down', error: 'ENOENT' } }, status: 200, body: { ready: true, role: 'leader', mode: 'plan-only', database: true, docker: false, git: true } },
    { name: 'database down', readiness: { ...healthy, database: { status: 'down' } }, status: 503, body: { ready: false, role: 'leader', mode: 'apply', database: false, docker: true, git: true } },
    { name: 'role unknown', readiness: { ...healthy, role: 'unknown' }, status: 503, body: { ready: false, role: 'unknown', mode: 'apply', database: true, docker: true, git: true } },
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
    expect(reply.body).toMatch(/<td>acme<\/td><td>dedicated<\/td><td>pro<\/td><td>active<\/td><td class="yes">yes<\/td>/);
    expect(reply.body).toMatch(/<td>initech<\/td><td>shared<\/td><td>starter<\/td><td>failed<\/td><td class="no">no<\/td>/);
    expect(reply.body).toContain('1 of 2 tenants ready');
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

describe('POST /hooks/github', () => {
  it('accepts a signed push and hands {ref, after, delivery} to the loop', async () => {
    const h = await start();

    const reply = await push(h.port, PUSH, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });

    expect(reply.status).toBe(202);
    expect(JSON.parse(reply.body)).toEqual({ result: 'queued', delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ref: 'refs/heads/main', after: SHA });
    expect(h.pushes).toEqual([
      { delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ref: 'refs/heads/main', after: SHA, before: '0'.repeat(40), repository: 'rp9/config', deleted: false },
    ]);
  });

  it.each([
    { name: 'missing', headers: { 'x-hub-signature-256': '' }, error: 'webhook.missing-signature' },
    { name: 'wrong secret', headers: { 'x-hub-signature-256': signBody('other', JSON.stringify(PUSH)) }, error: 'webhook.bad-signature' },
    { name: 'sha1 only', headers: { 'x-hub-signature-256': `sha1=${'0'.repeat(40)}` }, error: 'webhook.bad-signature' },
    { name: 'short hex', headers: { 'x-hub-signature-256': 'sha256=abcd' }, error: 'webhook.bad-signature' },
  ])('rejects a $name signature with 401', async ({ headers, error }) => {
    const h = await start();

    const reply = await push(h.port, PUSH, headers);

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([401, error]);
    expect(h.pushes).toEqual([]);
  });

  it('answers a redelivered id with 200 duplicate and calls the loop once', async () => {
    const h = await start();

    const first = await push(h.port, PUSH, { 'x-github-delivery': 'dup-1' });
    const second = await push(h.port, PUSH, { 'x-github-delivery': 'dup-1' });

    expect([first.status, second.status]).toEqual([202, 200]);
    expect(JSON.parse(second.body)).toEqual({ result: 'duplicate', delivery: 'dup-1' });
    expect(h.pushes).toHaveLength(1);
  });

  it.each([
    { name: 'with content-length', chunked: false },
    { name: 'chunked', chunked: true },
  ])('refuses a body over the cap with 413 ($name)', async ({ chunked }) => {
    const h = await start();
    const body = JSON.stringify({ ...PUSH, padding: 'x'.repeat(2 * 1024 * 1024) });

    const reply = await call(h.port, '/hooks/github', {
      method: 'POST',
      body,
      chunked,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'big', 'x-hub-signature-256': signBody(SECRET, body) },
    });

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([413, 'webhook.too-large']);
    expect(h.pushes).toEqual([]);
  });

  it('cuts off a huge declared body with 413 and connection close', async () => {
    const h = await start({}, { maxBodyBytes: 1024 });

    const reply = await call(h.port, '/hooks/github', { method: 'POST', body: 'x'.repeat(20_000), headers: { 'x-github-event': 'push', 'x-github-delivery': 'huge' } });

    expect([reply.status, reply.headers.connection]).toEqual([413, 'close']);
  });

  it('refuses an oversize body announced with Expect: 100-continue without inviting it', async () => {
    const h = await start({}, { maxBodyBytes: 1024 });

    const reply = await new Promise<Reply & { continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({ host: '127.0.0.1', port: h.port, path: '/hooks/github', method: 'POST', headers: { expect: '100-continue', 'content-length': '5000', 'x-github-event': 'push' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), continued }));
      });
      req.on('continue', () => {
        continued = true;
        req.end('x'.repeat(5000));
      });
      req.on('error', reject);
      req.flushHeaders();
    });

    expect([reply.status, reply.continued, reply.headers.connection]).toEqual([413, false, 'close']);
  });

  it.each([
    { name: 'not JSON', body: '{"ref": "refs/heads/main", ', status: 400, error: 'webhook.bad-json' },
    { name: 'a JSON array', body: '[1,2]', status: 400, error: 'webhook.bad-json' },
    { name: 'a push without after', body: JSON.stringify({ ref: 'refs/heads/main' }), status: 400, error: 'webhook.bad-payload' },
  ])('answers a signed body that is $name with $status', async ({ body, status, error }) => {
    const h = await start();

    const reply = await push(h.port, body);

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([status, error]);
    expect(h.pushes).toEqual([]);
  });

  it('accepts form-encoded deliveries', async () => {
    const h = await start();
    const body = new URLSearchParams({ payload: JSON.stringify(PUSH) }).toString();

    const reply = await push(h.port, body, { 'content-type': 'application/x-www-form-urlencoded' });

    expect(reply.status).toBe(202);
    expect(h.pushes.map((p) => p.after)).toEqual([SHA]);
  });

  it('answers ping with 200 and ignores other events with 202', async () => {
    const h = await start();

    const ping = await push(h.port, { zen: 'Keep it logically awesome.', hook_id: 1 }, { 'x-github-event': 'ping', 'x-github-delivery': 'p-1' });
    const issues = await push(h.port, { action: 'opened' }, { 'x-github-event': 'issues', 'x-github-delivery': 'i-1' });

    expect([ping.status, JSON.parse(ping.body).result]).toEqual([200, 'pong']);
    expect([issues.status, JSON.parse(issues.body)]).toEqual([202, { result: 'ignored', delivery: 'i-1', event: 'issues' }]);
    expect(h.pushes).toEqual([]);
  });

  it('answers 500 when the loop refuses the push, and accepts the redelivery', async () => {
    let fail = true;
    const received: string[] = [];
    const h = await start({
      onGithubPush: (event) => {
        if (fail) throw new Error('queue closed');
        received.push(event.delivery);
      },
    });

    const first = await push(h.port, PUSH, { 'x-github-delivery': 'r-1' });
    fail = false;
    const second = await push(h.port, PUSH, { 'x-github-delivery': 'r-1' });

    expect([first.status, first.body]).toEqual([500, '{"error":"webhook.callback-failed","delivery":"r-1"}\n']);
    expect(second.status).toBe(202);
    expect(received).toEqual(['r-1']);
  });

  it('answers 503 when no secret is configured, and 405 to GET', async () => {
    const unconfigured = await start({ webhookSecret: undefined });
    const h = await start();

    const a = await push(unconfigured.port, PUSH);
    const b = await call(h.port, '/hooks/github');

    expect([a.status, JSON.parse(a.body).error]).toEqual([503, 'webhook.not-configured']);
    expect([b.status, b.headers.allow]).toEqual([405, 'POST']);
  });

  it('counts deliveries by event and result, and logs them without the signature', async () => {
    const h = await start();

    await push(h.port, PUSH, { 'x-github-delivery': 'm-1' });
    await push(h.port, PUSH, { 'x-github-delivery': 'm-1' });
    const text = await h.metrics.registry.metrics();

    expect(text).toContain('rp9_webhook_deliveries_total{event="push",result="queued"} 1');
    expect(text).toContain('rp9_webhook_deliveries_total{event="push",result="duplicate"} 1');
    const line = h.logs().find((l) => l.msg === 'webhook delivery' && l.result === 'queued');
    expect(line).toMatchObject({ delivery: 'm-1', ref: 'refs/heads/main', after: SHA });
    expect(JSON.stringify(h.logs())).not.toContain(signBody(SECRET, JSON.stringify(PUSH)).slice(7));
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

// The signed API over real HTTP on 127.0.0.1, on a real state store, the real
// operation engine and the GitHub contract server: every endpoint with a good
// signature, and every way of getting the signature or token wrong, refused
// with nothing changed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { createRp9Client } from '../../../edges/rp9-api/client.js';
import { captureIo } from '../../../test/fixtures/capture-io.js';
import { openStore, storeOn, type Sql, type Store } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import { call, type Reply } from '../test-support.js';
import { silentLogger } from '../../../kernel/log/logger.js';
import { drillKind, type DrillDeps } from '../../operations/drill.js';
import { createOperationEngine } from '../../operations/engine.js';
import { bindKind } from '../../operations/kind.js';
import { API_ROUTES } from './api-plugin.js';
import { apiWorld, HMAC_SECRET, JWT_SECRET, REPO, signed, startApi, token, type ApiServer, type ApiWorld, type Signed } from './test-support.js';

let world: ApiWorld;
let store: Store;
let sql: Sql;
let api: ApiServer;

beforeAll(async () => {
  world = await apiWorld();
  sql = await openPgliteSql({ memory: true });
  store = await storeOn(sql);
  api = await startApi(world, store);
}, 180_000);

afterAll(async () => {
  await world?.close();
  await store?.close();
});

function send(request: Signed, port = api.port): Promise<Reply> {
  return call(port, request.path, { method: request.method, headers: request.headers, ...(request.body ? { body: request.body } : {}) });
}

function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

async function authFailures(reason: string): Promise<number> {
  const metric = await api.metrics.apiAuthFailures.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** What a refused request must not have changed: pull requests, operations, idempotent answers. */
async function footprint(): Promise<string> {
  const pulls = [...world.gh.state.repo(REPO).pulls.values()].map((p) => `${p.number}:${p.title}`);
  const ops = (await store.operations.listUnfinished()).map((o) => `${o.kind}:${o.tenant}`);
  return JSON.stringify({ pulls, ops, branches: [...world.gh.state.repo(REPO).refs.keys()].sort() });
}

const VALID: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/tenants' },
  { method: 'GET', path: '/tenants/acme' },
  { method: 'GET', path: '/tenants/acme/events?hours=6' },
  { method: 'GET', path: '/operations/00000000-0000-4000-8000-000000000000' },
  { method: 'GET', path: '/tenants/acme/backups' },
  { method: 'POST', path: '/tenants', body: { apiVersion: 'rp9.io/v1', kind: 'Tenant', metadata: { name: 'newco', email: 'ops@newco.example' }, spec: { plan: 'starter', mode: 'shared', region: 'us-east', subdomain: 'newco' } } },
  { method: 'POST', path: '/tenants/acme/scale', body: { cpu: 3 } },
  { method: 'POST', path: '/tenants/hooli/promote', body: {} },
  { method: 'POST', path: '/tenants/globex/backup', body: {} },
  { method: 'POST', path: '/tenants/globex/restore', body: { backupId: 'globex-20250101T000000Z-manual' } },
  { method: 'POST', path: '/tenants/stark/restore-drill', body: {} },
  { method: 'POST', path: '/tenants/wayne/restart', body: {} },
  { method: 'POST', path: '/tenants/wayne/failover', body: { reason: 'INC-1' } },
  { method: 'DELETE', path: '/sandboxes/acme-restore-20261206' },
  { method: 'GET', path: '/tenants/acme/blue-green/status' },
  { method: 'POST', path: '/tenants/acme/blue-green', body: { action: 'create_blue', n8n_version: '2.42.0' } },
  { method: 'POST', path: '/autoscale/run', body: {} },
  { method: 'POST', path: '/enforcement/run', body: {} },
  { method: 'GET', path: '/metrics/tenant/acme?window=5m' },
  { method: 'GET', path: '/analytics/utilization?period=1d' },
  { method: 'GET', path: '/analytics/costs' },
  { method: 'GET', path: '/analytics/growth?period=30d' },
  { method: 'GET', path: '/analytics/promotion-forecast' },
  { method: 'GET', path: '/analytics/recommendations' },
];

describe('authentication and signature', () => {
  // A GET carries no body (fastify does not read one), and a viewer may call every GET: those two ways are for mutations.
  const WAYS: { name: string; reason: string; status: number; postOnly?: boolean; spoil: (r: Signed) => Promise<Signed> }[] = [
    { name: 'no token', reason: 'no-token', status: 401, spoil: async (r) => ({ ...r, headers: { ...r.headers, authorization: '' } }) },
    { name: 'an expired token', reason: 'expired', status: 401, spoil: async (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${await token({ role: 'admin', expiresIn: -120 })}` } }) },
    { name: 'a token for another audience', reason: 'wrong-audience', status: 401, spoil: async (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${await token({ role: 'admin', aud: 'billing' })}` } }) },
    { name: 'a token signed with another key', reason: 'bad-token', status: 401, spoil: async (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${await token({ role: 'admin', secret: 'another-secret-another-secret-another' })}` } }) },
    { name: 'a token without a role', reason: 'no-role', status: 401, spoil: async (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${await token({})}` } }) },
    { name: 'a bad signature', reason: 'bad-signature', status: 401, spoil: async (r) => (await signed(r.method, r.path, r.body ? JSON.parse(r.body) : undefined, { hmacSecret: 'not-the-secret-not-the-secret-not-the' })) },
    { name: 'no signature', reason: 'no-signature', status: 401, spoil: async (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'x-rp9-signature')) }) },
    { name: 'a stale timestamp', reason: 'stale-timestamp', status: 401, spoil: async (r) => signed(r.method, r.path, r.body ? JSON.parse(r.body) : undefined, { at: new Date(Date.now() - 301_000) }) },
    // A minute past the 300 s window: a slow request (a loaded machine) must not bring it back inside.
    { name: 'a timestamp from the future', reason: 'stale-timestamp', status: 401, spoil: async (r) => signed(r.method, r.path, r.body ? JSON.parse(r.body) : undefined, { at: new Date(Date.now() + 360_000) }) },
    { name: 'the body changed after signing', reason: 'bad-signature', status: 401, postOnly: true, spoil: async (r) => ({ ...r, body: r.body ? r.body.replace('}', ',"x":1}') : '{"x":1}', headers: { ...r.headers, 'content-type': 'application/json' } }) },
    { name: 'the path changed after signing', reason: 'bad-signature', status: 401, spoil: async (r) => ({ ...r, path: `${r.path}${r.path.includes('?') ? '&' : '?'}limit=1` }) },
    { name: 'the role too low', reason: 'wrong-role', status: 403, postOnly: true, spoil: async (r) => signed(r.method, r.path, r.body ? JSON.parse(r.body) : undefined, { role: 'viewer' }) },
  ];

  it.each(VALID.flatMap((route) => WAYS.filter((way) => route.method === 'POST' || !way.postOnly).map((way) => ({ ...route, way }))))(
    '$method $path with $way.name → $way.status, nothing changed',
    async ({ method, path, body, way }) => {
      const before = await footprint();
      const failures = await authFailures(way.reason);

      const reply = await send(await way.spoil(await signed(method, path, body)));

      expect(reply.status).toBe(way.status);
      expect(json(reply)).toEqual(way.status === 401 ? { error: 'api.unauthorized', message: 'authentication failed' } : { error: 'api.forbidden', message: expect.stringContaining('role') });
      expect(await authFailures(way.reason)).toBe(failures + 1);
      expect(await footprint()).toBe(before);
    },
  );

  it('refuses a replayed request (same nonce) even with a valid signature, and counts it', async () => {
    const request = await signed('GET', '/tenants/acme');

    const first = await send(request);
    const replay = await send(request);

    expect([first.status, replay.status]).toEqual([200, 401]);
    expect(api.logs().find((l) => l.msg === 'api request refused' && l.reason === 'replayed-nonce')).toMatchObject({ code: 'api.unauthorized', route: '/tenants/:id' });
  });

  it('a viewer token reads; an operator starts a backup but may not add a tenant', async () => {
    const read = await send(await signed('GET', '/tenants', undefined, { role: 'viewer' }));
    const create = await send(await signed('POST', '/tenants', VALID[5]?.body, { role: 'operator' }));

    expect([read.status, create.status]).toEqual([200, 403]);
  });
});

describe('replay protection across a restart', () => {
  it('refuses a nonce accepted before the server and its store were restarted', async () => {
    const dir = (await import('../../../test/harness/temp-dirs.js')).tempDir;
    const stateDir = await dir('rp9-api-restart-');
    const first = await openStore({ dir: stateDir, notify: () => undefined });
    const before = await startApi(world, first);
    const request = await signed('POST', '/tenants/globex/backup', {});
    const accepted = await send(request, before.port);
    await before.close();
    await first.close();

    const again = await openStore({ dir: stateDir, notify: () => undefined });
    try {
      const after = await startApi(world, again);
      const opsBefore = (await again.operations.list('globex')).length;

      const replay = await send(request, after.port);

      expect(accepted.status).toBe(202);
      expect([replay.status, json(replay).error]).toEqual([401, 'api.unauthorized']);
      expect(after.logs().find((l) => l.reason === 'replayed-nonce')).toBeDefined();
      expect((await again.operations.list('globex')).length).toBe(opsBefore);
      await after.close();
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe('read endpoints', () => {
  beforeEach(async () => {
    await store.status.update('acme', { phase: 'active', conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: 'applied at a10867b' }], appliedCommit: world.good.commit });
  });

  it('GET /tenants lists every tenant of the config with phase and readiness', async () => {
    const reply = await send(await signed('GET', '/tenants', undefined, { role: 'viewer' }));

    const body = json(reply) as { commit: string; tenants: { name: string; phase: string; ready: boolean }[] };
    expect(reply.status).toBe(200);
    expect(body.commit).toBe(world.good.commit);
    expect(body.tenants.map((t) => t.name)).toEqual(world.good.config.tenants.map((t) => t.name));
    expect(body.tenants.find((t) => t.name === 'acme')).toMatchObject({ phase: 'active', ready: true, reason: 'Applied: applied at a10867b', mode: 'dedicated', plan: 'pro' });
    expect(body.tenants.find((t) => t.name === 'hooli')).toMatchObject({ phase: 'provisioning', ready: false, reason: null });
  });

  it('GET /tenants/:id shows conditions, URLs, resources and the current operation', async () => {
    const op = await store.operations.start({ tenant: 'acme', kind: 'drill', steps: ['pick', 'restore', 'check'] });
    try {
      const reply = await send(await signed('GET', '/tenants/acme', undefined, { role: 'viewer' }));

      expect(reply.status).toBe(200);
      expect(json(reply)).toMatchObject({
        name: 'acme',
        urls: ['https://acme.rp9.example.com/', 'https://automations.acme.com/'],
        resources: { cpu: 2, memoryMb: 2048, workers: 2, storageGb: 20 },
        n8nVersion: '2.41.1',
        conditions: [{ type: 'Ready', status: 'True', reason: 'Applied' }],
        currentOperation: { id: op.id, kind: 'drill', status: 'running', step: 'pick', progress: { done: 0, total: 3 } },
      });
    } finally {
      await store.operations.fail(op.id, 'test over');
      await store.operations.finish(op.id, 'failed');
    }
  });

  it('GET /tenants/:id/events?hours= returns the events of that window only', async () => {
    await store.events.record({ tenant: 'initech', type: 'Warning', reason: 'ApplyFailed', message: 'no such image', actor: 'controller' });
    await store.events.record({ tenant: 'initech', type: 'Normal', reason: 'Applied', message: 'applied', actor: 'controller' });
    await sql.query("update events set time = now() - interval '3 hours' where tenant = 'initech' and reason = 'ApplyFailed'");
    await sql.query("update events set time = now() - interval '30 hours' where tenant = 'initech' and reason = 'Applied'");

    const day = json(await send(await signed('GET', '/tenants/initech/events?hours=24', undefined, { role: 'viewer' }))) as { events: { reason: string }[] };
    const two = json(await send(await signed('GET', '/tenants/initech/events?hours=2', undefined, { role: 'viewer' }))) as { events: unknown[] };
    const bad = await send(await signed('GET', '/tenants/initech/events?hours=0', undefined, { role: 'viewer' }));

    expect(day.events.map((e) => e.reason)).toEqual(['ApplyFailed']);
    expect(two.events).toEqual([]);
    expect([bad.status, json(bad).error]).toEqual([400, 'api.invalid-request']);
  });

  it('GET /operations/:id reports progress; an unknown id is 404', async () => {
    const op = await store.operations.start({ tenant: 'wayne', kind: 'drill', steps: ['pick', 'restore'] });
    await store.operations.advance(op.id);
    try {
      const reply = await send(await signed('GET', `/operations/${op.id}`, undefined, { role: 'viewer' }));
      const missing = await send(await signed('GET', '/operations/nope', undefined, { role: 'viewer' }));

      expect(json(reply)).toMatchObject({ id: op.id, tenant: 'wayne', status: 'running', step: 'restore', progress: { done: 1, total: 2 }, steps: [{ name: 'pick', status: 'done' }, { name: 'restore', status: 'running' }] });
      expect(json(reply)).not.toHaveProperty('state');
      expect([missing.status, json(missing).error]).toEqual([404, 'api.operation-unknown']);
    } finally {
      await store.operations.fail(op.id, 'test over');
      await store.operations.finish(op.id, 'failed');
    }
  });

  it('GET /tenants/:id/backups lists the catalogue; an unknown tenant is 404', async () => {
    await store.backups.record({ id: 'stark-20250101T000000Z-manual', tenant: 'stark', kind: 'manual', status: 'completed', location: 'file:///b', prefix: 'tenants/stark/', createdAt: new Date('2025-01-01T00:00:00Z'), verifiedAt: null, keepUntil: null, storedBytes: 1234, manifestSha256: 'a'.repeat(64), manifest: { secret: 'not shown' }, operationId: null });

    const reply = await send(await signed('GET', '/tenants/stark/backups', undefined, { role: 'viewer' }));
    const unknown = await send(await signed('GET', '/tenants/nobody/backups', undefined, { role: 'viewer' }));

    expect(json(reply)).toEqual({ tenant: 'stark', backups: [expect.objectContaining({ id: 'stark-20250101T000000Z-manual', kind: 'manual', storedBytes: 1234 })] });
    expect(reply.body).not.toContain('not shown');
    expect([unknown.status, json(unknown).error]).toEqual([404, 'api.tenant-unknown']);
  });
});

describe('mutations', () => {
  const client = () => createRp9Client({ url: api.url, token: () => token({ role: 'admin', sub: 'front-end' }), hmacSecret: HMAC_SECRET });

  it('POST /tenants opens one PR adding tenants/<name>.yaml; a retry with the same Idempotency-Key gets the same answer and no second PR', async () => {
    const body = VALID[5]?.body;

    const first = await client().post<{ pullRequest: { number: number; url: string; branch: string }; file: string }>('/tenants', body, { idempotencyKey: 'create-newco-1' });
    const retry = await client().post<typeof first.body>('/tenants', body, { idempotencyKey: 'create-newco-1' });
    const otherBody = await client().post('/tenants', { ...(body as object), metadata: { name: 'other', email: 'a@b.example' } }, { idempotencyKey: 'create-newco-1' });

    expect(first.status).toBe(202);
    expect(first.body.file).toBe('tenants/newco.yaml');
    expect([retry.status, retry.body, retry.headers.get('idempotent-replayed')]).toEqual([202, first.body, 'true']);
    expect([otherBody.status, (otherBody.body as { error: string }).error]).toEqual([422, 'api.idempotency-key-reused']);
    const pulls = [...world.gh.state.repo(REPO).pulls.values()].filter((p) => p.headRef === 'rp9/api-create/newco');
    expect(pulls.map((p) => p.number)).toEqual([first.body.pullRequest.number]);
    const content = world.gh.state.readFile(REPO, 'rp9/api-create/newco', 'tenants/newco.yaml');
    expect(content).toContain('name: newco');
    expect(content).toContain('subdomain: newco');
  });

  it('POST /tenants answers 422 with rp9 validate diagnostics, opening nothing', async () => {
    const before = await footprint();

    const reply = await client().post<{ error: string; diagnostics: { code: string; file: string; line: number; path: string }[] }>('/tenants', { apiVersion: 'rp9.io/v1', kind: 'Tenant', metadata: { name: 'broken', email: 'x@y.example' }, spec: { plan: 'platinum', mode: 'shared', region: 'us-east', subdomain: 'acme' } });

    expect(reply.status).toBe(422);
    expect(reply.body.error).toBe('api.invalid-tenant');
    expect(reply.body.diagnostics.map((d) => d.code).sort()).toEqual(expect.arrayContaining(['tenant.plan-unknown', 'tenant.subdomain-duplicate']));
    expect(reply.body.diagnostics.every((d) => d.file.length > 0 && d.line >= 1)).toBe(true);
    expect(await footprint()).toBe(before);
  });

  it('POST /tenants/:id/scale opens a PR editing spec.resources, keeping the file’s comments', async () => {
    const reply = await client().post<{ pullRequest: { branch: string } }>('/tenants/acme/scale', { cpu: 3, workers: 3 });

    expect(reply.status).toBe(202);
    const content = world.gh.state.readFile(REPO, reply.body.pullRequest.branch, 'tenants/acme.yaml') ?? '';
    expect(content).toContain('# yaml-language-server');
    expect(content).toMatch(/cpu: 3/);
    expect(content).toMatch(/workers: 3/);
  });

  it('POST /tenants/:id/promote opens a PR moving a shared tenant to dedicated at the window; a dedicated one is 409', async () => {
    const reply = await client().post<{ pullRequest: { branch: string } }>('/tenants/hooli/promote', {});
    const dedicated = await client().post<{ error: string }>('/tenants/acme/promote', {});

    expect(reply.status).toBe(202);
    const content = world.gh.state.readFile(REPO, reply.body.pullRequest.branch, 'tenants/hooli.yaml') ?? '';
    expect(content).toMatch(/mode: dedicated/);
    expect(content).toMatch(/promotion:[\s\S]*window: "?\d{4}-\d{2}-\d{2}T22:00:00Z/);
    expect([dedicated.status, dedicated.body.error]).toEqual([409, 'api.not-shared']);
  });

  it('POST /tenants/:id/backup journals a backup operation (202 with its id); a second one while it runs is 409', async () => {
    const reply = await client().post<{ operation: { id: string; kind: string; status: string }; url: string }>('/tenants/wayne/backup', { keepDays: 30 });
    const again = await client().post<{ error: string }>('/tenants/wayne/backup', {});

    expect(reply.status).toBe(202);
    expect(reply.headers.get('location')).toBe(`/operations/${reply.body.operation.id}`);
    const op = await store.operations.get(reply.body.operation.id);
    expect(op).toMatchObject({ tenant: 'wayne', kind: 'backup', status: 'running', state: { backupKind: 'manual' } });
    expect([again.status, again.body.error]).toEqual([409, 'api.operation-in-progress']);
    const progress = await client().get<{ id: string; kind: string }>(reply.body.url);
    expect(progress.body).toMatchObject({ id: op?.id, kind: 'backup' });
  });

  it('POST /tenants/:id/restore-drill: without sandbox edges 503 naming what a drill needs; with them, a journaled drill', async () => {
    const unavailable = await client().post<{ error: string; message: string }>('/tenants/umbrella/restore-drill', {});
    expect([unavailable.status, unavailable.body.error]).toEqual([503, 'api.operations-unavailable']);
    expect(unavailable.body.message).toContain('RP9_TENANT_DATABASE_URL');

    // The engine journals a drill whose steps the leader's loop runs later; start() runs none of them.
    const engine = createOperationEngine({ operations: store.operations, kinds: { drill: bindKind(drillKind, {} as DrillDeps) }, logger: silentLogger(), runner: 'controller' });
    const withDrills = await startApi(world, store, { operationKinds: () => ['backup', 'drill'], startOperation: (kind, tenant, state) => engine.start(kind, tenant, state) });
    const reply = await createRp9Client({ url: withDrills.url, token: () => token({ role: 'admin', sub: 'front-end' }), hmacSecret: HMAC_SECRET }).post<{ operation: { id: string } }>('/tenants/umbrella/restore-drill', {});

    expect(reply.status).toBe(202);
    expect(await store.operations.get(reply.body.operation.id)).toMatchObject({ tenant: 'umbrella', kind: 'drill', status: 'running' });
  });

  it('POST /tenants/:id/restore: an unknown backup is 404; a controller without a tenant database server answers 503 naming it', async () => {
    await store.backups.record({ id: 'vandelay-20250101T000000Z-manual', tenant: 'vandelay', kind: 'manual', status: 'completed', location: 'file:///b', prefix: 'p/', createdAt: new Date('2025-01-01T00:00:00Z'), verifiedAt: null, keepUntil: null, storedBytes: 1, manifestSha256: 'b'.repeat(64), manifest: {}, operationId: null });

    const unknown = await client().post<{ error: string }>('/tenants/vandelay/restore', { backupId: 'vandelay-nope' });
    const unavailable = await client().post<{ error: string; message: string }>('/tenants/vandelay/restore', { backupId: 'vandelay-20250101T000000Z-manual' });

    expect([unknown.status, unknown.body.error]).toEqual([404, 'api.backup-unknown']);
    expect([unavailable.status, unavailable.body.error]).toEqual([503, 'api.operations-unavailable']);
    expect(unavailable.body.message).toContain('RP9_TENANT_DATABASE_URL');
  });

  it('a signed body that is not JSON is 400 after authentication; bad input is 400 with the field', async () => {
    const request = await signed('POST', '/tenants/acme/scale', { cpu: 3 });
    const notJson = { ...request, body: '{cpu', headers: { ...request.headers } };
    Object.assign(notJson.headers, (await signed('POST', '/tenants/acme/scale')).headers, { 'content-type': 'application/json' });
    const { signatureHeaders } = await import('../../../kernel/api-signature/signature.js');
    Object.assign(notJson.headers, signatureHeaders(HMAC_SECRET, { method: 'POST', path: '/tenants/acme/scale', body: '{cpu' }));

    const bad = await send(notJson);
    const negative = await client().post<{ error: string; message: string }>('/tenants/acme/scale', { cpu: -1 });

    expect([bad.status, json(bad).error]).toEqual([400, 'api.bad-json']);
    expect([negative.status, negative.body.error]).toEqual([400, 'api.invalid-request']);
    expect(negative.body.message).toContain('cpu');
  });
});

describe('OpenAPI and limits', () => {
  it('/openapi.json is an OpenAPI 3.1 document listing every API route with its security, and no raw route', async () => {
    const reply = await call(api.port, '/openapi.json');
    const doc = JSON.parse(reply.body) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };

    expect(reply.status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const declared = API_ROUTES.map((r) => `${r.method} ${r.url.replace(/:([a-z]+)/g, '{$1}')}`).sort();
    expect(listed).toEqual(declared);
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(op.security).toEqual([{ bearer: [], signature: [] }]);
    expect(Object.keys(doc.paths)).not.toContain('/healthz');
  });

  it('limits requests per caller, not per address', async () => {
    const limited = await startApi(world, store, { rateLimitPerMinute: 3 });
    const as = async (sub: string) => {
      const request = await signed('GET', '/tenants');
      request.headers.authorization = `Bearer ${await token({ role: 'viewer', sub })}`;
      return (await send(request, limited.port)).status;
    };

    const alice = [await as('alice'), await as('alice'), await as('alice'), await as('alice')];
    const bob = await as('bob');

    expect(alice).toEqual([200, 200, 200, 429]);
    expect(bob).toBe(200);
    await limited.close();
  });

  it('answers 503 api.not-configured without keys, and the probes keep answering', async () => {
    const open = await startApi(world, store, { auth: undefined });

    const reply = await send(await signed('GET', '/tenants'), open.port);
    const health = await call(open.port, '/healthz');

    expect([reply.status, json(reply).error]).toEqual([503, 'api.not-configured']);
    expect(health.status).toBe(200);
    await open.close();
  });
});

describe('rp9 api', () => {
  it('signs with the local settings: a minted viewer token reads, and may not start a backup', async () => {
    const env = { RP9_API_URL: api.url, RP9_API_JWT_SECRET: JWT_SECRET, RP9_API_HMAC_SECRET: HMAC_SECRET };
    const read = captureIo(env, process.cwd());
    const write = captureIo(env, process.cwd());

    const readCode = await main(['api', 'GET', '/tenants/acme'], read.io);
    const writeCode = await main(['api', 'POST', '/tenants/acme/backup'], write.io);

    expect([readCode, JSON.parse(read.out()).name]).toEqual([0, 'acme']);
    expect([writeCode, JSON.parse(write.out()).error]).toEqual([1, 'api.forbidden']);
    expect(write.err()).toContain('answered 403');
  });

  it('refuses to run without an HMAC secret, naming the settings', async () => {
    const { io, err } = captureIo({ RP9_API_URL: api.url, RP9_API_TOKEN: await token({ role: 'admin' }) }, process.cwd());

    expect(await main(['api', 'GET', '/tenants'], io)).toBe(2);
    expect(err()).toContain('[api.not-configured]');
  });
});

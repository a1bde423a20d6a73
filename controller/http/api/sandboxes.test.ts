// DELETE /sandboxes/:id over real HTTP, on a real state store, the real
// operation engine with the sandbox-remove kind bound to the real sandbox
// stack (the test dockerd and the test PostgreSQL): 404 for what is not a
// sandbox carrying rp9's owner labels, 409 while a restore works on it, and
// otherwise a journaled operation that removes the sandbox's containers,
// database and route and leaves everything else alone.
import { randomBytes } from 'node:crypto';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../kernel/log/logger.js';
import { ensureTestImage } from '../../../test/harness/test-image.js';
import { tempDir } from '../../../test/harness/temp-dirs.js';
import { fsObjectStore } from '../../../edges/object-store/fs-store.js';
import { backupRuntime } from '../../backups/runtime.js';
import { databaseName } from '../../compile/names.js';
import { LABEL, MANAGED_BY } from '../../model.js';
import { bindKind } from '../../operations/kind.js';
import { SANDBOX_REMOVE_KIND, sandboxRemoveKind } from '../../operations/sandbox-remove.js';
import type { OperationEngine } from '../../operations/engine.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../../postgres/tenant-databases.js';
import { createApplyPorts } from '../../runtime/apply-ports.js';
import { SANDBOX_LABEL } from '../../sandbox/sandbox.js';
import { createSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.js';
import { storeOn, type Store } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import { DEFAULT_TRAEFIK_OPTIONS } from '../../traefik/types.js';
import { routeFileName } from '../../traefik/route-files.js';
import { call, type Reply } from '../test-support.js';
import { apiWorld, signed, startApi, type ApiServer, type ApiWorld } from './test-support.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const suffix = randomBytes(3).toString('hex');
const environment = `api-sandbox-${suffix}`;
// Unique tenant names: the sandbox database lives on the shared test server.
const tenant = `t${suffix}`;
const sandbox = `${tenant}-restore-20261206`;
let world: ApiWorld;
let store: Store;
let api: ApiServer;
let engine: OperationEngine;
let image: string;
let databases: DatabaseAdmin;
let stack: SandboxStack;
let routesDir: string;

beforeAll(async () => {
  image = await ensureTestImage(docker);
  world = await apiWorld();
  store = await storeOn(await openPgliteSql({ memory: true }));
  databases = createDatabaseAdmin(inject('postgresUrl'));
  routesDir = await tempDir('rp9-api-sandbox-routes-');
  const ports = createApplyPorts({ environment, network: `${environment}-net`, docker, databases, routesDir, traefik: DEFAULT_TRAEFIK_OPTIONS, secrets: store.secrets, healthTimeoutMs: 30_000 });
  stack = createSandboxStack({ environment, docker, databases, routesDir, ports, secrets: store.secrets, readyTimeoutMs: 30_000 });
  engine = backupRuntime({
    store, objects: fsObjectStore(await tempDir('rp9-api-sandbox-')), tenantDatabaseAdminUrl: undefined, logger: silentLogger(), runner: 'controller',
    extraKinds: { [SANDBOX_REMOVE_KIND]: bindKind(sandboxRemoveKind, { stack: () => stack, operations: store.operations, events: store.events }) },
  }).engine;
  api = await startApi(world, store, {
    startOperation: (kind, t, state) => engine.start(kind, t, state),
    operationKinds: () => ['backup', SANDBOX_REMOVE_KIND],
    sandboxInventory: () => stack.inventory(),
  });
}, 180_000);

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${environment}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await databases?.drop({ database: databaseName(sandbox), role: databaseName(sandbox) });
  await databases?.close();
  await world?.close();
  await store?.close();
});

async function send(method: string, path: string, role: 'viewer' | 'operator' | 'admin' = 'admin', headers: Record<string, string> = {}): Promise<Reply & { json: Record<string, unknown> }> {
  const r = await signed(method, path, undefined, { role, headers });
  const reply = await call(api.port, r.path, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

/** A container of `name` with the controller's owner labels, and the sandbox labels unless `sandboxOf` is null. */
async function container(name: string, role: 'main' | 'worker', sandboxOf: string | null): Promise<string> {
  const full = `${environment}-${name}-${role}-1`;
  await docker.createContainer({
    name: full, Image: image, ...(role === 'worker' ? { Cmd: ['worker'] } : {}),
    Labels: {
      [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: name, [LABEL.role]: role,
      ...(sandboxOf ? { [SANDBOX_LABEL.of]: sandboxOf, [SANDBOX_LABEL.expiresAt]: '2099-01-01T00:00:00.000Z' } : {}),
    },
  });
  return full;
}

async function exists(name: string): Promise<boolean> {
  return docker.getContainer(name).inspect().then(() => true, () => false);
}

async function databaseExists(): Promise<boolean> {
  return (await databases.observe(environment)).some((d) => d.tenant === sandbox);
}

describe('DELETE /sandboxes/:id', () => {
  it('404s a name that is unknown, not a sandbox, or a sandbox name without the sandbox owner labels, touching nothing', async () => {
    const plain = await container(tenant, 'main', null);
    const unlabelled = await container(`${tenant}-drill-20261206`, 'main', null);

    const replies = await Promise.all([`${tenant}-restore-20200101`, tenant, `${tenant}-drill-20261206`].map((id) => send('DELETE', `/sandboxes/${id}`)));

    expect(replies.map((r) => [r.status, r.json.error])).toEqual([[404, 'api.sandbox-not-found'], [404, 'api.sandbox-not-found'], [404, 'api.sandbox-not-found']]);
    expect([await exists(plain), await exists(unlabelled)]).toEqual([true, true]);
    expect(await store.operations.listByKind(SANDBOX_REMOVE_KIND)).toEqual([]);
  });

  it('is for admins only', async () => {
    const replies = await Promise.all((['viewer', 'operator'] as const).map((role) => send('DELETE', `/sandboxes/${sandbox}`, role)));
    expect(replies.map((r) => r.status)).toEqual([403, 403]);
  });

  it('409s while a restore works on the sandbox, and the journaled removal checks again when it runs (sandbox.busy)', async () => {
    const main = await container(sandbox, 'main', tenant);
    const restore = await store.operations.start({ tenant, kind: 'restore', steps: ['restore'], state: { sandbox } });

    const refused = await send('DELETE', `/sandboxes/${sandbox}`);
    expect([refused.status, refused.json.error, refused.json.operations]).toEqual([409, 'api.sandbox-busy', [restore.id]]);

    // A removal journaled before the restore started still refuses when it runs.
    const early = await engine.start(SANDBOX_REMOVE_KIND, sandbox, { sandbox, actor: 'api:test' });
    const done = await engine.runToEnd(early.id);
    expect(done.status).not.toBe('done');
    expect(done.error).toMatch(/sandbox\.busy/);
    expect(await exists(main)).toBe(true);

    await store.operations.fail(restore.id, 'test: gave up');
    await store.operations.finish(restore.id, 'failed');
  }, 60_000);

  it("journals the removal (202, replayed to a retry); run, it removes the sandbox's containers, database and route, records SandboxRemoved, and leaves the tenant's containers", async () => {
    const plain = `${environment}-${tenant}-main-1`;
    await container(sandbox, 'worker', tenant);
    await databases.ensure({ kind: 'database', name: databaseName(sandbox), tenant: sandbox, database: databaseName(sandbox), role: databaseName(sandbox), hash: 'x' }, environment, randomBytes(12).toString('hex'));
    await writeFile(join(routesDir, routeFileName(sandbox)), 'http: {}\n');
    expect(await databaseExists()).toBe(true);

    const reply = await send('DELETE', `/sandboxes/${sandbox}`, 'admin', { 'idempotency-key': `remove-${sandbox}` });
    const retry = await send('DELETE', `/sandboxes/${sandbox}`, 'admin', { 'idempotency-key': `remove-${sandbox}` });

    expect(reply.status).toBe(202);
    const op = reply.json.operation as { id: string; kind: string; tenant: string };
    expect([op.kind, op.tenant]).toEqual([SANDBOX_REMOVE_KIND, sandbox]);
    expect([retry.status, retry.json, retry.headers['idempotent-replayed']]).toEqual([202, reply.json, 'true']);
    expect((await store.operations.listByKind(SANDBOX_REMOVE_KIND)).filter((o) => o.status === 'running')).toHaveLength(1);

    const done = await engine.runToEnd(op.id);
    expect([done.status, done.error]).toEqual(['done', null]);
    expect(await stack.inventory()).toEqual([expect.objectContaining({ name: `${tenant}-drill-20261206` })]);
    expect([await exists(`${environment}-${sandbox}-main-1`), await exists(`${environment}-${sandbox}-worker-1`), await databaseExists()]).toEqual([false, false, false]);
    await expect(access(join(routesDir, routeFileName(sandbox)))).rejects.toThrow();
    expect(await exists(plain)).toBe(true);
    const events = await store.events.recent({ tenant, limit: 10 });
    expect(events.map((e) => [e.reason, e.actor])).toEqual([['SandboxRemoved', done.state.actor]]);
    expect(done.state.actor).toMatch(/^api:/);

    const again = await send('DELETE', `/sandboxes/${sandbox}`);
    expect([again.status, again.json.error]).toEqual([404, 'api.sandbox-not-found']);
  }, 120_000);
});

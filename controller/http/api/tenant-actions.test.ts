// Restart and failover through the API over real HTTP, on a real state store,
// the real operation engine with the restart kind on the test dockerd, and
// the GitHub contract server holding the repo's own config: a restart is a
// journaled operation that restarts the tenant's containers with the CLI's
// events; a failover is the CLI's pull request on rp9/failover/<tenant>.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { changedFields, checkOwnership } from '../../../bots/core/ownership.js';
import { parseBotBranch } from '../../../bots/runner/check-pr.js';
import { loadConfig } from '../../../config/load-config.js';
import { parsePullRequestMarker } from '../../../edges/forge/markers.js';
import { silentLogger } from '../../../kernel/log/logger.js';
import { ensureTestImage } from '../../../test/harness/test-image.js';
import { tempDir } from '../../../test/harness/temp-dirs.js';
import { fsObjectStore } from '../../../edges/object-store/fs-store.js';
import { backupRuntime } from '../../backups/runtime.js';
import { LABEL, MANAGED_BY } from '../../model.js';
import { bindKind } from '../../operations/kind.js';
import { RESTART_KIND, restartKind } from '../../operations/restart.js';
import type { OperationEngine } from '../../operations/engine.js';
import { storeOn, type Store } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import { call, type Reply } from '../test-support.js';
import { apiWorld, REPO, signed, startApi, type ApiServer, type ApiWorld } from './test-support.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const environment = `api-restart-${randomBytes(3).toString('hex')}`;
// n8n's healthcheck as the controller sets it, fast: /healthz on 5678.
const HEALTHCHECK = { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], Interval: 300_000_000, Timeout: 2_000_000_000, Retries: 2 };
let world: ApiWorld;
let store: Store;
let api: ApiServer;
let engine: OperationEngine;
let image: string;

beforeAll(async () => {
  image = await ensureTestImage(docker);
  world = await apiWorld();
  store = await storeOn(await openPgliteSql({ memory: true }));
  engine = backupRuntime({
    store, objects: fsObjectStore(await tempDir('rp9-api-actions-')), tenantDatabaseAdminUrl: undefined, logger: silentLogger(), runner: 'controller',
    extraKinds: { [RESTART_KIND]: bindKind(restartKind, { docker, environment: () => environment, events: store.events }) },
  }).engine;
  api = await startApi(world, store, { startOperation: (kind, tenant, state) => engine.start(kind, tenant, state), operationKinds: () => ['backup', RESTART_KIND] });
}, 180_000);

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${environment}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await world?.close();
  await store?.close();
});

async function send(method: string, path: string, body?: unknown, role: 'viewer' | 'operator' | 'admin' = 'admin', headers: Record<string, string> = {}): Promise<Reply & { json: Record<string, unknown> }> {
  const r = await signed(method, path, body, { role, headers });
  const reply = await call(api.port, r.path, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

async function tenantContainer(tenant: string, role: 'main' | 'worker', index: number): Promise<string> {
  const name = `${environment}-${tenant}-${role}-${index}`;
  const container = await docker.createContainer({
    name, Image: image, ...(role === 'worker' ? { Cmd: ['worker'] } : {}), Healthcheck: HEALTHCHECK, HostConfig: { Init: true },
    Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: role },
  });
  await container.start();
  return name;
}

async function startedAt(name: string): Promise<string> {
  return (await docker.getContainer(name).inspect()).State.StartedAt;
}

describe('POST /tenants/:id/restart', () => {
  it('journals a restart operation (202); run, it restarts main then the worker and records the CLI\'s events with the caller; a retry with the same key replays', async () => {
    const names = [await tenantContainer('acme', 'worker', 1), await tenantContainer('acme', 'main', 1)];
    const before = await Promise.all(names.map(startedAt));

    const reply = await send('POST', '/tenants/acme/restart', { timeoutSeconds: 60 }, 'operator', { 'idempotency-key': 'restart-acme-1' });
    const retry = await send('POST', '/tenants/acme/restart', { timeoutSeconds: 60 }, 'operator', { 'idempotency-key': 'restart-acme-1' });

    expect(reply.status).toBe(202);
    const op = reply.json.operation as { id: string; kind: string };
    expect(op.kind).toBe('restart');
    expect(reply.headers.location).toBe(`/operations/${op.id}`);
    expect([retry.status, retry.json, retry.headers['idempotent-replayed']]).toEqual([202, reply.json, 'true']);
    expect((await store.operations.list('acme', 10)).filter((o) => o.kind === 'restart')).toHaveLength(1);
    const done = await engine.runToEnd(op.id);
    expect([done.status, done.error]).toEqual(['done', null]);
    expect(done.state).toMatchObject({ restarted: [names[1], names[0]], actor: expect.stringMatching(/^api:/) });
    const after = await Promise.all(names.map(startedAt));
    expect(after.every((t, i) => t !== before[i])).toBe(true);
    const events = (await store.events.recent({ tenant: 'acme', limit: 10 })).reverse();
    expect(events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Normal RestartStarted', 'Normal Restarted']);
    expect(events[0]!.message).toBe(`restarting ${names[1]}, ${names[0]}`);
    expect(events.every((e) => e.actor === done.state.actor)).toBe(true);
  }, 120_000);

  it('fails the operation with restart.no-containers when the tenant has none on the engine, recording nothing', async () => {
    const reply = await send('POST', '/tenants/globex/restart', {}, 'operator');

    expect(reply.status).toBe(202);
    const done = await engine.runToEnd((reply.json.operation as { id: string }).id);
    expect(done.status).not.toBe('done');
    expect(done.error).toMatch(/restart\.no-containers/);
    expect(done.state).toMatchObject({ timeoutSeconds: 180 });
    expect(await store.events.recent({ tenant: 'globex', limit: 10 })).toEqual([]);
  });

  it.each([
    { name: 'a shared tenant', path: '/tenants/hooli/restart', body: {}, role: 'operator', status: 409, error: 'api.shared-tenant' },
    { name: 'a suspended tenant', path: '/tenants/stark/restart', body: {}, role: 'operator', status: 409, error: 'api.suspended' },
    { name: 'an unknown tenant', path: '/tenants/nobody/restart', body: {}, role: 'operator', status: 404, error: 'api.tenant-unknown' },
    { name: 'a timeout past the bound', path: '/tenants/wayne/restart', body: { timeoutSeconds: 1801 }, role: 'operator', status: 400, error: undefined },
    { name: 'a viewer', path: '/tenants/wayne/restart', body: {}, role: 'viewer', status: 403, error: undefined },
  ] as const)('$name → $status, nothing journaled', async ({ path, body, role, status, error }) => {
    const ops = (await store.operations.listUnfinished()).length;

    const reply = await send('POST', path, body, role);

    expect(reply.status).toBe(status);
    if (error) expect(reply.json.error).toBe(error);
    expect((await store.operations.listUnfinished()).length).toBe(ops);
  });
});

describe('POST /tenants/:id/failover', () => {
  it("opens the CLI's failover PR on rp9/failover/<id>: shared, dedicated-only fields removed, valid, within check-pr's ownership; FailoverRequested once", async () => {
    const base = world.gh.state.readFile(REPO, 'main', 'tenants/acme.yaml') as string;

    const reply = await send('POST', '/tenants/acme/failover', { reason: 'dedicated host down (INC-7)' });
    const again = await send('POST', '/tenants/acme/failover', { reason: 'dedicated host down (INC-7)' });

    expect(reply.status).toBe(202);
    const pr = reply.json.pullRequest as { number: number; branch: string };
    expect(pr.branch).toBe('rp9/failover/acme');
    expect((again.json.pullRequest as { number: number }).number).toBe(pr.number);
    const pull = world.gh.state.repo(REPO).pulls.get(pr.number)!;
    expect(parsePullRequestMarker(pull.body)).toMatchObject({ bot: 'failover', tenant: 'acme' });
    expect(pull.title).toBe('failover: move acme back to shared (emergency)');
    expect(pull.body).toContain('dedicated host down (INC-7)');
    expect(pull.body).toContain('automations.acme.com stop routing');
    expect(pull.labels).toEqual(expect.arrayContaining(['failover', 'emergency']));
    const edited = world.gh.state.readFile(REPO, pr.branch, 'tenants/acme.yaml') as string;
    const files = { ...world.files, tenants: world.files.tenants.map((f) => (f.path === 'tenants/acme.yaml' ? { path: f.path, bytes: new TextEncoder().encode(edited) } : f)) };
    expect(loadConfig(files).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const fields = changedFields(base, edited);
    expect(fields).toEqual(['spec.customDomains[0]', 'spec.mode', 'spec.n8n.version', 'spec.resources.cpu', 'spec.resources.memoryMb', 'spec.resources.storageGb', 'spec.resources.workers']);
    expect(checkOwnership(parseBotBranch(pr.branch)!.bot, fields)).toEqual([]);
    const events = await store.events.recent({ tenant: 'acme', limit: 20 });
    expect(events.filter((e) => e.reason === 'FailoverRequested').map((e) => [e.type, e.actor])).toEqual([['Warning', expect.stringMatching(/^api:/)]]);
  });

  it.each([
    { name: 'a shared tenant', path: '/tenants/hooli/failover', body: { reason: 'x' }, role: 'admin', status: 409, error: 'api.not-dedicated' },
    { name: 'no reason', path: '/tenants/wayne/failover', body: {}, role: 'admin', status: 400, error: undefined },
    { name: 'a blank reason', path: '/tenants/wayne/failover', body: { reason: '   ' }, role: 'admin', status: 400, error: undefined },
    { name: 'an operator', path: '/tenants/wayne/failover', body: { reason: 'x' }, role: 'operator', status: 403, error: undefined },
    { name: 'an unknown tenant', path: '/tenants/nobody/failover', body: { reason: 'x' }, role: 'admin', status: 404, error: 'api.tenant-unknown' },
  ] as const)('$name → $status, no pull request opened', async ({ path, body, role, status, error }) => {
    const pulls = world.gh.state.repo(REPO).pulls.size;

    const reply = await send('POST', path, body, role);

    expect(reply.status).toBe(status);
    if (error) expect(reply.json.error).toBe(error);
    expect(world.gh.state.repo(REPO).pulls.size).toBe(pulls);
  });
});

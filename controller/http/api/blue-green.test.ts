// Blue/green through the API over real HTTP, on a real state store and the
// GitHub contract server holding the repo's own config: create_blue is a pull
// request setting spec.n8n.version; the status is the journal's newest
// upgrade operation; swap and cleanup_green are the operation's own steps.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { call, type Reply } from '../test-support.js';
import { REPO, signed, startApi, type ApiServer, type ApiWorld, useApiSuite } from './test-support.js';

const UPGRADE_STEPS = ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'];
let world: ApiWorld;
let store: Store;
let api: ApiServer;
useApiSuite((suite) => ({ world, store, api } = suite));

async function send(method: string, path: string, body?: unknown, role: 'viewer' | 'operator' | 'admin' = 'admin', server: ApiServer = api): Promise<Reply & { json: Record<string, unknown> }> {
  const r = await signed(method, path, body, { role });
  const reply = await call(server.port, r.path, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

function pullsOn(branch: string): number[] {
  return [...world.gh.state.repo(REPO).pulls.values()].filter((p) => p.headRef === branch).map((p) => p.number);
}

describe('POST /tenants/:id/blue-green', () => {
  it('create_blue opens a PR changing only spec.n8n.version of the dedicated tenant', async () => {
    const before = world.gh.state.readFile(REPO, 'main', 'tenants/acme.yaml') as string;

    const reply = await send('POST', '/tenants/acme/blue-green', { action: 'create_blue', n8n_version: '2.42.0', pre_backup: true });

    expect(reply.status).toBe(202);
    const pr = reply.json.pullRequest as { number: number; branch: string };
    expect(pr.branch).toBe('rp9/api-upgrade/acme');
    expect(pullsOn('rp9/api-upgrade/acme')).toEqual([pr.number]);
    const after = world.gh.state.readFile(REPO, 'rp9/api-upgrade/acme', 'tenants/acme.yaml') as string;
    expect(after).toBe(before.replace('n8n: { version: "2.41.1" }', 'n8n: { version: "2.42.0" }'));
  });

  it.each([
    { name: 'a shared tenant', path: '/tenants/hooli/blue-green', body: { action: 'create_blue', n8n_version: '2.42.0' }, status: 409, error: 'api.not-dedicated' },
    { name: 'no version', path: '/tenants/acme/blue-green', body: { action: 'create_blue' }, status: 400, error: 'api.n8n-version-required' },
    { name: 'the version in force', path: '/tenants/acme/blue-green', body: { action: 'create_blue', n8n_version: '2.41.1' }, status: 409, error: 'api.version-unchanged' },
    { name: 'pre_backup false', path: '/tenants/acme/blue-green', body: { action: 'create_blue', n8n_version: '2.43.0', pre_backup: false }, status: 422, error: 'api.pre-backup-required' },
    { name: 'swap', path: '/tenants/acme/blue-green', body: { action: 'swap', from: 'green', to: 'blue' }, status: 409, error: 'api.blue-green-automatic' },
    { name: 'cleanup_green', path: '/tenants/acme/blue-green', body: { action: 'cleanup_green' }, status: 409, error: 'api.blue-green-automatic' },
    { name: 'rollback without an upgrade', path: '/tenants/acme/blue-green', body: { action: 'rollback', from: 'blue', to: 'green' }, status: 409, error: 'api.upgrade-none' },
    { name: 'an unknown tenant', path: '/tenants/nobody/blue-green', body: { action: 'swap' }, status: 404, error: 'api.tenant-unknown' },
  ])('$name → $status $error, no pull request opened', async ({ path, body, status, error }) => {
    const pulls = world.gh.state.repo(REPO).pulls.size;

    const reply = await send('POST', path, body);

    expect([reply.status, reply.json.error]).toEqual([status, error]);
    expect(world.gh.state.repo(REPO).pulls.size).toBe(pulls);
  });

  it('an operator may not start an upgrade (403)', async () => {
    const reply = await send('POST', '/tenants/acme/blue-green', { action: 'create_blue', n8n_version: '2.44.0' }, 'operator');

    expect(reply.status).toBe(403);
  });
});

describe('GET /tenants/:id/blue-green/status', () => {
  it('null before any upgrade; then the journal\'s newest upgrade with its live colour', async () => {
    const none = await send('GET', '/tenants/wayne/blue-green/status', undefined, 'viewer');
    const op = await store.operations.start({ tenant: 'wayne', kind: 'upgrade', steps: UPGRADE_STEPS, state: { fromVersion: '2.41.1', toVersion: '2.42.0', fromColour: 'green', toColour: 'blue', backupId: 'wayne-b1' } });
    for (let i = 0; i < 5; i += 1) await store.operations.advance(op.id);

    const reply = await send('GET', '/tenants/wayne/blue-green/status', undefined, 'viewer');
    const busy = await send('POST', '/tenants/wayne/blue-green', { action: 'create_blue', n8n_version: '2.43.0' });

    expect([none.status, none.json]).toEqual([200, { tenant: 'wayne', upgrade: null }]);
    expect(reply.status).toBe(200);
    expect(reply.json.upgrade).toMatchObject({ id: op.id, from: '2.41.1', to: '2.42.0', liveColour: 'blue', status: 'running', step: 'watch', backupId: 'wayne-b1' });
    expect([busy.status, busy.json.error]).toEqual([409, 'api.upgrade-in-progress']);
  });

  it('an unknown tenant is 404', async () => {
    const reply = await send('GET', '/tenants/nobody/blue-green/status', undefined, 'viewer');

    expect([reply.status, reply.json.error]).toEqual([404, 'api.tenant-unknown']);
  });
});

describe('POST /tenants/:id/blue-green rollback', () => {
  const INPUT = { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', greenContainers: [] };

  /** `tenant`'s upgrade with `done` steps done (the first journals the pre-upgrade backup). */
  async function upgradeAt(tenant: string, done: number): Promise<string> {
    const op = await store.operations.start({ tenant, kind: 'upgrade', steps: UPGRADE_STEPS, state: INPUT });
    for (let i = 0; i < done; i += 1) await store.operations.advance(op.id, i === 0 ? { backupId: `${tenant}-pre-upgrade-1` } : {});
    return op.id;
  }

  it('during the watch: 202 with the upgrade operation, the rollback journaled on it for the leader to run', async () => {
    const id = await upgradeAt('globex', 5);

    const reply = await send('POST', '/tenants/globex/blue-green', { action: 'rollback', reason: 'errors on 2.x' });

    expect(reply.status).toBe(202);
    expect(reply.json.operation).toMatchObject({ id, kind: 'upgrade', status: 'failed' });
    expect(reply.headers.location).toBe(`/operations/${id}`);
    const op = await store.operations.get(id);
    expect(op?.error).toBe('[upgrade.rollback-requested] rollback to green requested by api:front-end at step watch: errors on 2.x');
    expect(op?.state).toMatchObject({ errorCode: 'upgrade.rollback-requested', rollbackRequest: { by: 'api:front-end', step: 'watch' } });
    const again = await send('POST', '/tenants/globex/blue-green', { action: 'rollback' });
    expect([again.status, again.json.error]).toEqual([409, 'api.upgrade-rolling-back']);
  });

  it('before the swap: 202, the upgrade is cancelled (blue discarded by the leader)', async () => {
    const id = await upgradeAt('stark', 3);

    const reply = await send('POST', '/tenants/stark/blue-green', { action: 'rollback' });

    expect(reply.status).toBe(202);
    expect(await store.operations.get(id)).toMatchObject({ status: 'failed', state: { errorCode: 'upgrade.cancel-requested' } });
  });

  it('after cleanup: 422 without confirm; with confirm, 202 with a restore-in-place of the pre-upgrade backup', async () => {
    await upgradeAt('umbrella', 7);
    const restoring = await startApi(world, store, {
      operationKinds: () => ['backup', 'restore-in-place'],
      startOperation: (kind, tenant, state) => store.operations.start({ tenant, kind, steps: ['check'], state }),
    });
    try {
      const unconfirmed = await send('POST', '/tenants/umbrella/blue-green', { action: 'rollback' }, 'admin', restoring);
      const confirmed = await send('POST', '/tenants/umbrella/blue-green', { action: 'rollback', confirm: 'umbrella' }, 'admin', restoring);

      expect([unconfirmed.status, unconfirmed.json.error]).toEqual([422, 'api.upgrade-confirm-required']);
      expect(String(unconfirmed.json.message)).toContain('confirm: "umbrella"');
      expect(confirmed.status).toBe(202);
      expect(confirmed.json.operation).toMatchObject({ kind: 'restore-in-place' });
      const [op] = await store.operations.listUnfinished('umbrella');
      expect(op).toMatchObject({ kind: 'restore-in-place', state: { target: 'in-place', restoreFrom: 'umbrella-pre-upgrade-1' } });
    } finally {
      await restoring.close();
    }
  });

  it('an operator may not roll back (403)', async () => {
    const reply = await send('POST', '/tenants/acme/blue-green', { action: 'rollback' }, 'operator');

    expect(reply.status).toBe(403);
  });
});

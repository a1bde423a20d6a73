// Idempotency-Key under concurrency: the same key sent at once, to two
// controllers (two API servers, each with its own store connection) on one
// real PostgreSQL, acts once and gives every request the first answer.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabases } from '../../../test/harness/scratch-databases.js';
import { openStore, type Store } from '../../store/index.js';
import { call, type Reply } from '../test-support.js';
import { apiWorld, REPO, signed, startApi, type ApiServer, type ApiWorld } from './test-support.js';

const scratch = scratchDatabases(inject('postgresUrl'), 'rp9_api_idem_test');
let world: ApiWorld;
let stores: Store[] = [];
let servers: ApiServer[] = [];

beforeAll(async () => {
  world = await apiWorld();
  const url = await scratch.create();
  stores = [await openStore({ databaseUrl: url, masterKey: randomBytes(32) }), await openStore({ databaseUrl: url, masterKey: randomBytes(32) })];
  servers = await Promise.all(stores.map((s) => startApi(world, s)));
}, 120_000);

afterAll(async () => {
  await world?.close();
  await Promise.all(stores.map((s) => s.close()));
  await scratch.dropAll();
});

/** `n` requests with one Idempotency-Key, each freshly signed (its own nonce), sent at once, alternating between the two servers. */
async function burst(n: number, method: string, path: string, body: unknown, key: string): Promise<Reply[]> {
  const requests = await Promise.all(Array.from({ length: n }, () => signed(method, path, body, { headers: { 'idempotency-key': key } })));
  return Promise.all(requests.map((r, i) => call((servers[i % 2] as ApiServer).port, r.path, { method: r.method, headers: r.headers, body: r.body })));
}

describe('Idempotency-Key with concurrent requests', () => {
  it('eight concurrent backups with one key, on two controllers: one operation, eight identical answers', async () => {
    const before = (await stores[0]!.operations.list('globex')).length;

    const replies = await burst(8, 'POST', '/tenants/globex/backup', {}, 'race-backup-1');

    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(202));
    const ids = new Set(replies.map((r) => (JSON.parse(r.body) as { operation: { id: string } }).operation.id));
    expect(ids.size).toBe(1);
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
    const ops = await stores[1]!.operations.list('globex');
    expect(ops.length - before).toBe(1);
    expect(ops.map((o) => o.id)).toContain([...ids][0]);
  });

  it('six concurrent POST /tenants with one key: one pull request, six identical answers', async () => {
    const body = { apiVersion: 'rp9.io/v1', kind: 'Tenant', metadata: { name: 'raceco', email: 'ops@raceco.example' }, spec: { plan: 'starter', mode: 'shared', region: 'us-east', subdomain: 'raceco' } };

    const replies = await burst(6, 'POST', '/tenants', body, 'race-create-1');

    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    const pulls = [...world.gh.state.repo(REPO).pulls.values()].filter((p) => p.headRef === 'rp9/api-create/raceco');
    expect(pulls).toHaveLength(1);
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
  });

  it('a concurrent request with the key but another body is refused (422) and changes nothing', async () => {
    const before = (await stores[0]!.operations.list('hooli')).length;
    const [a, b] = await Promise.all([signed('POST', '/tenants/hooli/backup', {}, { headers: { 'idempotency-key': 'race-mixed-1' } }), signed('POST', '/tenants/hooli/backup', { keepDays: 7 }, { headers: { 'idempotency-key': 'race-mixed-1' } })]);

    const [first, second] = await Promise.all([a, b].map((r, i) => call((servers[i] as ApiServer).port, r.path, { method: r.method, headers: r.headers, body: r.body })));

    expect([first?.status, second?.status].sort()).toEqual([202, 422]);
    const refused = [first, second].find((r) => r?.status === 422) as Reply;
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'api.idempotency-key-reused' });
    expect((await stores[0]!.operations.list('hooli')).length - before).toBe(1);
  });
});

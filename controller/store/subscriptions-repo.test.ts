import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store.js';

let store: Store;
const p = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
});

describe('store.subscriptions (embedded store)', () => {
  it('keeps the newest sighting of each subscription, newest subscription first per customer', async () => {
    await store.subscriptions.record([
      { id: 'sub_1', customer: 'cus_A', status: 'active', created: new Date('2026-01-01T00:00:00Z'), currentPeriod: p('2026-11-15T00:00:00Z', '2026-12-15T00:00:00Z') },
      { id: 'sub_2', customer: 'cus_A', status: 'canceled', created: new Date('2026-02-01T00:00:00Z') },
      { id: 'sub_3', customer: 'cus_B', status: 'trialing', created: new Date('2026-03-01T00:00:00Z'), currentPeriod: p('2026-12-01T08:00:00Z', '2027-01-01T08:00:00Z') },
    ], new Date('2026-12-06T01:00:00Z'));
    // A webhook older than the listing changes nothing; a newer one renews the period.
    await store.subscriptions.record([{ id: 'sub_1', customer: 'cus_A', status: 'past_due', created: new Date('2026-01-01T00:00:00Z') }], new Date('2026-12-05T00:00:00Z'));
    await store.subscriptions.record([{ id: 'sub_3', customer: 'cus_B', status: 'active', created: new Date('2026-03-01T00:00:00Z'), currentPeriod: p('2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z') }], new Date('2026-12-06T02:00:00Z'));

    const recorded = await store.subscriptions.byCustomer();

    expect(recorded.get('cus_A')).toEqual([
      { id: 'sub_2', customer: 'cus_A', status: 'canceled', created: new Date('2026-02-01T00:00:00Z') },
      { id: 'sub_1', customer: 'cus_A', status: 'active', created: new Date('2026-01-01T00:00:00Z'), currentPeriod: p('2026-11-15T00:00:00Z', '2026-12-15T00:00:00Z') },
    ]);
    expect(recorded.get('cus_B')).toEqual([{ id: 'sub_3', customer: 'cus_B', status: 'active', created: new Date('2026-03-01T00:00:00Z'), currentPeriod: p('2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z') }]);
  });

  it('writes a large listing in batches', async () => {
    const many = Array.from({ length: 1_234 }, (_, i) => ({ id: `sub_m${i}`, customer: `cus_m${i}`, status: 'active', created: new Date(1_767_225_600_000 + i * 1000) }));
    await store.subscriptions.record(many, new Date('2026-12-06T03:00:00Z'));
    expect((await store.subscriptions.byCustomer()).get('cus_m1233')?.[0]?.id).toBe('sub_m1233');
  });
});

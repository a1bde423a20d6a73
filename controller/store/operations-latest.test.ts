import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
});

describe('operations.latestByKind', () => {
  it("returns each tenant's newest operation of the kind, finished or not", async () => {
    const first = await store.operations.start({ tenant: 'a', kind: 'upgrade', steps: ['x'] });
    await store.operations.advance(first.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await store.operations.start({ tenant: 'a', kind: 'upgrade', steps: ['x'] });
    const other = await store.operations.start({ tenant: 'b', kind: 'upgrade', steps: ['x'] });
    await store.operations.advance(other.id);
    await store.operations.start({ tenant: 'c', kind: 'backup', steps: ['x'] });
    const latest = await store.operations.latestByKind('upgrade');
    expect(latest.map((op) => [op.tenant, op.id])).toEqual([['a', second.id], ['b', other.id]]);
  });
});

// The shared cleanup's steps on the engine, over two in-memory n8n sides
// (the real path, against two real n8n, is in test/e2e/promotion-real.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { openStore, type Store } from '../store/index.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector } from './engine.js';
import { bindKind } from './kind.js';
import { sharedCleanupKind, type CleanupWhat, type SharedCleanupDeps } from './shared-cleanup.js';

type Side = Record<CleanupWhat, Map<string, Record<string, unknown>>>;

function side(workflows: Record<string, unknown>[], credentials: Record<string, unknown>[]): Side {
  return { workflows: new Map(workflows.map((w) => [String(w.id), w])), credentials: new Map(credentials.map((c) => [String(c.id), c])) };
}

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
});

function setup(tenant: string, mode: 'shared' | 'dedicated', faults?: FaultInjector) {
  const shared = side(
    [{ id: 'w1', active: false }, { id: 'w2', active: false }, { id: 'w3', active: true }, { id: 'made-later', active: false }],
    [{ id: 'c1' }, { id: 'c-later' }],
  );
  const dedicated = side([{ id: 'w1', active: true }, { id: 'w2', active: false }, { id: 'w3', active: true }], [{ id: 'c1' }]);
  const deletes: string[] = [];
  const deps: SharedCleanupDeps = {
    shared: {
      exportItems: async (_tenant, what) => [...shared[what].values()],
      async deleteItem(what, id) {
        deletes.push(`${what}/${id}`);
        return shared[what].delete(id) ? 'deleted' : 'absent';
      },
    },
    dedicated: { exportItems: async (_tenant, what) => [...dedicated[what].values()] },
    isDedicated: () => mode === 'dedicated',
    events: store.events,
  };
  const engine = () => createOperationEngine({ operations: store.operations, kinds: { 'shared-cleanup': bindKind(sharedCleanupKind, deps) }, logger: silentLogger(), runner: 'controller', ...(faults ? { faults } : {}) });
  return { shared, dedicated, deletes, engine };
}

describe('shared-cleanup', () => {
  it('deletes what moved and is inactive on shared, keeps the rest, says so in an event; resumes after a crash', async () => {
    let crashed = false;
    const world = setup('acme', 'dedicated', {
      afterRun(_op, step) {
        if (step === 'delete-workflows' && !crashed) {
          crashed = true;
          throw new SimulatedCrash('after delete-workflows');
        }
      },
    });
    const op = await world.engine().start('shared-cleanup', 'acme', { promotionId: 'p1' });
    await expect(world.engine().runToEnd(op.id)).rejects.toThrow(SimulatedCrash);
    const done = await world.engine().runToEnd(op.id);
    expect(done.status).toBe('done');
    expect([...world.shared.workflows.keys()].sort()).toEqual(['made-later', 'w3']);
    expect([...world.shared.credentials.keys()]).toEqual(['c-later']);
    expect([...world.dedicated.workflows.keys()]).toEqual(['w1', 'w2', 'w3']);
    // The re-run after the crash found the workflows already gone: asked again, nothing else touched.
    expect(world.deletes).toEqual(['workflows/w1', 'workflows/w2', 'workflows/w1', 'workflows/w2', 'credentials/c1']);
    const [event] = (await store.events.recent({ tenant: 'acme' })).filter((e) => e.correlationId === op.id);
    expect(event).toMatchObject({ type: 'Warning', reason: 'SharedCleanedUp' });
    expect(event?.message).toBe('deleted 2 workflow(s) and 1 credential(s) from the shared n8n after the grace period; kept workflow made-later (not-on-dedicated), workflow w3 (active-on-shared), credential c-later (not-on-dedicated)');
  });

  it('deletes nothing when git no longer says dedicated', async () => {
    const world = setup('beta', 'shared');
    const op = await world.engine().start('shared-cleanup', 'beta', { promotionId: 'p1' });
    const done = await world.engine().runToEnd(op.id);
    expect(done.status).not.toBe('done');
    expect(done.error).toMatch(/cleanup\.not-dedicated/);
    expect(world.deletes).toEqual([]);
    expect(world.shared.workflows.size).toBe(4);
    const [event] = (await store.events.recent({ tenant: 'beta' })).filter((e) => e.correlationId === op.id);
    expect(event).toMatchObject({ type: 'Warning', reason: 'SharedCleanupFailed' });
  });
});

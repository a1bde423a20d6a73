// The journal's upgrade operations as the upgrades bot reads them, on a real
// (embedded) store: each tenant's newest upgrade, with its outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeKind } from '../operations/upgrade.js';
import { openStore, type Store } from '../store/index.js';
import { upgradeJournal } from './canary-record.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
});

const STEPS = upgradeKind.steps.map((s) => s.name);
const INPUT = { fromVersion: '1.123.4', toVersion: '1.123.5', fromColour: 'green', toColour: 'blue' };

describe('upgradeJournal', () => {
  it('maps each tenant\'s newest upgrade: done with its watch and error-rate verdict, rolled back with its error, under way with its step', async () => {
    const done = await store.operations.start({ tenant: 'acme', kind: 'upgrade', steps: STEPS, state: INPUT });
    for (let i = 0; i < STEPS.length; i += 1) await store.operations.advance(done.id, i === 5 ? { errorRate: { verdict: 'steady' } } : {});
    const rolled = await store.operations.start({ tenant: 'wayne', kind: 'upgrade', steps: STEPS, state: INPUT });
    for (let i = 0; i < 5; i += 1) await store.operations.advance(rolled.id);
    await store.operations.fail(rolled.id, '[upgrade.watch-failed] down');
    await store.operations.finish(rolled.id, 'rolled-back');
    const running = await store.operations.start({ tenant: 'stark', kind: 'upgrade', steps: STEPS, state: INPUT });
    await store.operations.advance(running.id);

    const journal = await upgradeJournal(store.operations);

    expect(journal.get('acme')).toEqual({ operationId: done.id, toVersion: '1.123.5', status: 'done', finished: true, step: null, watchPassed: true, errorRateRose: false, error: null });
    expect(journal.get('wayne')).toEqual({ operationId: rolled.id, toVersion: '1.123.5', status: 'rolled-back', finished: true, step: null, watchPassed: false, errorRateRose: null, error: '[upgrade.watch-failed] down' });
    expect(journal.get('stark')).toMatchObject({ status: 'running', finished: false, step: 'copy-database', watchPassed: false });
  });
});

// rp9 tenant rollback on a real state store (PostgreSQL): it decides from the
// journal, journals a rollback or cancel on the upgrade operation and follows
// it until the controller (here: the test, as the operations loop would)
// closes it; after cleanup it refuses without --confirm and otherwise hands
// over to rp9 restore --in-place.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { upgradeKind } from '../../controller/operations/upgrade.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { main } from '../main.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const databases = scratchDatabases(inject('postgresUrl'), 'rp9_tenant_rollback');
afterAll(() => databases.dropAll());

const STEPS = upgradeKind.steps.map((s) => s.name);
const INPUT = { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', greenContainers: [] };

/** A store holding acme's upgrade advanced past `done` steps (the swap journals swappedAt). */
async function storeWithUpgrade(done: number): Promise<{ url: string; store: Store; id: string }> {
  const url = await databases.create();
  const store = await openStore({ databaseUrl: url, notify: () => undefined });
  const op = await store.operations.start({ tenant: 'acme', kind: 'upgrade', steps: STEPS, state: INPUT });
  for (let i = 0; i < done; i += 1) await store.operations.advance(op.id, i === 0 ? { backupId: 'acme-pre-upgrade-1' } : i === 4 ? { swappedAt: '2026-12-06T10:00:00.000Z' } : {});
  return { url, store, id: op.id };
}

describe('rp9 tenant rollback', () => {
  it('during the watch: journals the rollback on the upgrade and follows it until the controller closes it, then says what blue wrote and that it is lost', async () => {
    const { url, store, id } = await storeWithUpgrade(5);
    try {
      const run = captureIo({ DATABASE_URL: url, USER: 'ops' }, '/');
      const exit = main(['tenant', 'rollback', 'acme', '--reason', 'webhooks fail on 2.x', '--wait', '120'], run.io);
      // The operations loop's part: it sees the failure and undoes the steps.
      let op = await store.operations.get(id);
      for (let i = 0; i < 600 && op?.status !== 'failed'; i += 1) {
        await new Promise((done) => setTimeout(done, 100));
        op = await store.operations.get(id);
      }
      expect(op).toMatchObject({ status: 'failed', error: expect.stringContaining('[upgrade.rollback-requested] rollback to green requested by cli:ops at step watch: webhooks fail on 2.x') });
      expect(op?.state.rollbackRequest).toMatchObject({ by: 'cli:ops', step: 'watch', reason: 'webhooks fail on 2.x' });
      await store.operations.rollBackStep(id, 'watch');
      await store.operations.rollBackStep(id, 'swap', { lostOnBlue: { executions: 3, failedExecutions: 1, changes: [] } });
      await store.operations.finish(id, 'rolled-back');

      expect(await exit).toBe(0);
      expect(run.out()).toContain(`rollback to green (at watch) journaled on operation ${id}`);
      expect(run.out()).toContain('acme runs n8n 1.123.81 on green');
      expect(run.out()).toContain('3 executions (1 failed) and no workflow or credential edits');
      expect(run.out()).toContain('is lost');
    } finally {
      await store.close();
    }
  });

  it('before the swap it cancels the upgrade (the running step fails; blue is discarded by the controller); --no-wait returns at once', async () => {
    const { url, store, id } = await storeWithUpgrade(2);
    try {
      const run = captureIo({ DATABASE_URL: url, USER: 'ops' }, '/');

      expect(await main(['tenant', 'rollback', 'acme', '--no-wait'], run.io)).toBe(0);

      expect(run.out()).toContain('cancel of the upgrade (at blue-up, before the swap');
      expect(await store.operations.get(id)).toMatchObject({ status: 'failed', finishedAt: null, state: { errorCode: 'upgrade.cancel-requested' } });
    } finally {
      await store.close();
    }
  });

  it('a rollback the controller does not finish within --wait exits 3, the request stays journaled', async () => {
    const { url, store, id } = await storeWithUpgrade(5);
    try {
      const run = captureIo({ DATABASE_URL: url }, '/');

      expect(await main(['tenant', 'rollback', 'acme', '--wait', '0'], run.io)).toBe(3);

      expect(run.out()).toContain('the controller has not finished it yet');
      expect(await store.operations.get(id)).toMatchObject({ status: 'failed', finishedAt: null });
    } finally {
      await store.close();
    }
  });

  it('refuses with a code: no upgrade, cleanup running, already rolled back; after cleanup without --confirm', async () => {
    const none = await databases.create();
    const cleanup = await storeWithUpgrade(6);
    const done = await storeWithUpgrade(7);
    const rolled = await storeWithUpgrade(5);
    await rolled.store.operations.fail(rolled.id, '[upgrade.watch-failed] down');
    await rolled.store.operations.finish(rolled.id, 'rolled-back');
    await Promise.all([cleanup.store.close(), done.store.close(), rolled.store.close()]);
    const cases: [string, string, string][] = [
      [none, 'upgrade.none', 'no upgrade in the journal'],
      [cleanup.url, 'upgrade.cleanup-running', 'green is being removed'],
      [rolled.url, 'upgrade.not-upgraded', 'ended rolled-back'],
      [done.url, 'upgrade.confirm-required', 'pre-upgrade backup acme-pre-upgrade-1'],
    ];
    for (const [url, code, text] of cases) {
      const run = captureIo({ DATABASE_URL: url }, '/');
      expect(await main(['tenant', 'rollback', 'acme'], run.io)).toBe(1);
      expect(run.err()).toContain(`[${code}]`);
      expect(run.err()).toContain(text);
    }
  });

  it('after cleanup, --confirm hands over to rp9 restore --in-place of the pre-upgrade backup', async () => {
    const { url, store } = await storeWithUpgrade(7);
    await store.close();
    const run = captureIo({ DATABASE_URL: url }, '/');

    // The backup is not in this store's catalogue: restore's own refusal shows the hand-over happened with that backup.
    expect(await main(['tenant', 'rollback', 'acme', '--confirm', 'acme', '--dir', ROOT], run.io)).toBe(1);

    expect(run.out()).toContain('restoring the pre-upgrade backup acme-pre-upgrade-1 in place');
    expect(run.err()).toContain('[backup.not-found] no backup acme-pre-upgrade-1 in the catalogue');
  });

  it('usage errors exit 2: no tenant, a --confirm naming another tenant', async () => {
    for (const argv of [['tenant', 'rollback'], ['tenant', 'rollback', 'acme', '--confirm', 'globex']]) {
      const run = captureIo({}, '/');
      expect(await main(argv, run.io)).toBe(2);
    }
  });
});

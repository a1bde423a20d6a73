import { afterAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../controller/store/store.js';
import { upgradeKind } from '../../controller/operations/upgrade.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { main } from '../main.js';

const databases = scratchDatabases(inject('postgresUrl'), 'rp9_upgrade_status');
afterAll(() => databases.dropAll());

describe('rp9 tenant upgrade-status', () => {
  it('shows the newest upgrade from the journal: versions, live colour, step, backup, hold (text and JSON); exit 1 without one', async () => {
    const url = await databases.create();
    const store = await openStore({ databaseUrl: url, notify: () => undefined });
    try {
      const op = await store.operations.start({ tenant: 'acme', kind: 'upgrade', steps: upgradeKind.steps.map((s) => s.name), state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', greenContainers: [] } });
      await store.operations.advance(op.id, { backupId: 'acme-pre-upgrade-1' });
      await store.operations.advance(op.id, { quiet: { mode: 'quiet', active: ['w1', 'w2', 'w3'], quiet: ['w2', 'w3'] } });
      for (let i = 0; i < 2; i++) await store.operations.advance(op.id);
      await store.operations.advance(op.id, { blueActivation: { activated: ['w2', 'w3'], alreadyActive: ['w1'], seconds: 4.08 }, swappedAt: '2026-12-06T22:05:00.000Z', holdSeconds: 1.25, preSync: { workflows: 2, credentials: 1, deleted: 0, seconds: 38.2 }, drain: { seconds: 0.8, unfinished: 0 }, catchUp: { workflows: 1, credentials: 0, deleted: 0, executions: 31, replacedExecutions: 0, skippedExecutions: 0, alreadyOnBlueExecutions: 2, seconds: 1.1 } });
    } finally {
      await store.close();
    }

    const text = captureIo({ DATABASE_URL: url }, '/');
    const json = captureIo({ DATABASE_URL: url }, '/');
    const none = captureIo({ DATABASE_URL: url }, '/');
    expect(await main(['tenant', 'upgrade-status', 'acme'], text.io)).toBe(0);
    expect(await main(['tenant', 'upgrade-status', 'acme', '-o', 'json'], json.io)).toBe(0);
    expect(await main(['tenant', 'upgrade-status', 'globex'], none.io)).toBe(1);

    expect(text.out()).toContain('Upgrade of acme: n8n 1.123.81 → 2.41.1 (green → blue)');
    expect(text.out()).toContain('Status: running, at step watch');
    expect(text.out()).toContain('Live colour: blue');
    expect(text.out()).toContain('Pre-upgrade backup: acme-pre-upgrade-1');
    expect(text.out()).toContain('new work held 1.3 s');
    expect(text.out()).toContain('Carried from green before the hold: 2 workflows, 1 credential, 0 deleted in 38.2 s\n');
    expect(text.out()).toContain('Caught up from green under the hold: 1 workflow, 0 credentials, 0 deleted, 31 executions (2 already on blue) in 1.1 s; drain 0.8 s');
    expect(text.out()).toContain('Quiet blue: 2 of 3 active workflows kept quiet on blue until the swap (they fire by themselves); 2 activated in 4.1 s after the route moved');
    expect(JSON.parse(json.out()).upgrade).toMatchObject({ quiet: { quiet: ['w2', 'w3'] }, blueActivation: { activated: ['w2', 'w3'] } });
    expect(JSON.parse(json.out()).upgrade).toMatchObject({ from: '1.123.81', to: '2.41.1', liveColour: 'blue', step: 'watch', holdSeconds: 1.25, backupId: 'acme-pre-upgrade-1', preSync: { workflows: 2, credentials: 1 }, catchUp: { workflows: 1, executions: 31 }, drain: { unfinished: 0 } });
    expect(none.out()).toContain('No upgrade of tenant globex');
  });

  it('usage errors exit 2; --help', async () => {
    const bad = captureIo({}, '/');
    const help = captureIo({}, '/');
    expect(await main(['tenant', 'upgrade-status'], bad.io)).toBe(2);
    expect(await main(['tenant', 'upgrade-status', '--help'], help.io)).toBe(0);
    expect(help.out()).toContain('rp9 tenant upgrade-status');
  });
});

// rp9_upgrades_total: the labels of a finished upgrade (pure), and the real
// upgrade kind on the real engine counting one when it ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { openStore, type Store } from '../store/index.js';
import type { OperationStatus } from '../store/types.js';
import { createOperationEngine } from './engine.js';
import { bindKind, OperationError } from './kind.js';
import { upgradeKind, upgradeOutcome, type UpgradeDeps } from './upgrade.js';

describe('upgradeOutcome', () => {
  const cases: [string, OperationStatus, Record<string, unknown>, { result: string; swapped: string }][] = [
    ['done after the swap', 'done', { swappedAt: '2026-01-01T00:00:00Z' }, { result: 'success', swapped: 'true' }],
    ['rolled back in the watch', 'rolled-back', { swappedAt: '2026-01-01T00:00:00Z' }, { result: 'rolled-back', swapped: 'true' }],
    ['rolled back at the gate', 'rolled-back', { copy: {} }, { result: 'rolled-back', swapped: 'false' }],
    ['given up before the swap', 'failed', {}, { result: 'failed', swapped: 'false' }],
  ];
  it.each(cases)('%s', (_name, status, state, expected) => {
    expect(upgradeOutcome({ tenant: 'acme', status, state })).toEqual({ tenant: 'acme', ...expected });
  });
});

describe('the upgrade kind counts rp9_upgrades_total when it ends', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ memory: true, notify: () => undefined });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a pre-upgrade backup that fails rolls the upgrade back and counts it, not swapped', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const unused = () => {
      throw new Error('not reached before the swap');
    };
    const deps: UpgradeDeps = {
      stack: unused,
      ports: unused,
      adminUrl: 'postgres://127.0.0.1:1/postgres',
      backup: () => {
        throw new OperationError('backup.store-unreachable', 'the object store does not answer');
      },
      watchSeconds: () => 60,
      unhealthy: async () => undefined,
      smoke: unused,
      heldRoute: unused,
      metrics,
    };
    const engine = createOperationEngine({ operations: store.operations, kinds: { upgrade: bindKind(upgradeKind, deps) }, logger: silentLogger(), runner: 'controller' });
    const state = { fromVersion: '1.123.4', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', greenContainers: [], backup: { backupId: 'b1', prefix: 'acme/b1' } };

    const op = await engine.start('upgrade', 'acme', state);
    const end = await engine.runToEnd(op.id);
    const text = await metrics.registry.getSingleMetricAsString('rp9_upgrades_total');

    expect(end.status).toBe('rolled-back');
    expect(text).toContain('rp9_upgrades_total{tenant="acme",result="rolled-back",swapped="false"} 1');
    expect(text).not.toContain('result="success"');
  });
});

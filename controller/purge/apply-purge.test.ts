import { describe, expect, it } from 'vitest';
import { applyPurge, purgeEvent, type PurgePorts } from './apply-purge.js';
import { ACME_PURGE } from './fixtures.js';
import type { PurgeKind, PurgePlan } from './plan-purge.js';

const plan = ACME_PURGE;

/** Ports over an in-memory set of existing objects; `broken` fails with an error carrying a code. */
function memoryPorts(existing: Set<string>, broken?: string): { ports: PurgePorts; calls: string[] } {
  const calls: string[] = [];
  const port = (kind: PurgeKind) => async (name: string) => {
    const key = `${kind} ${name}`;
    calls.push(key);
    if (key === broken) throw Object.assign(new Error('database rp9_acme is not marked as rp9\'s'), { code: 'postgres.not-owned' });
    return existing.delete(key);
  };
  return { ports: { volume: port('volume'), database: port('database'), role: port('role'), secret: port('secret'), status: port('status'), 'n8n-user': port('n8n-user') }, calls };
}

describe('applyPurge', () => {
  it('deletes in plan order and tells deleted from already gone', async () => {
    // Arrange
    const existing = new Set(['volume rp9-acme-data', 'role rp9_acme', 'secret db-password']);
    const { ports, calls } = memoryPorts(existing);

    // Act
    const outcome = await applyPurge(plan, ports);

    // Assert
    expect(calls).toEqual(['volume rp9-acme-data', 'database rp9_acme', 'role rp9_acme', 'secret db-password']);
    expect(outcome).toEqual({
      deleted: [plan.steps[0], plan.steps[2], plan.steps[3]],
      absent: [plan.steps[1]],
      notDone: [],
    });
    expect(existing.size).toBe(0);
  });

  it('stops at the first failure and leaves the later steps (secrets last) for the next run', async () => {
    // Arrange
    const existing = new Set(['volume rp9-acme-data', 'database rp9_acme', 'role rp9_acme', 'secret db-password']);
    const { ports } = memoryPorts(existing, 'database rp9_acme');

    // Act
    const outcome = await applyPurge(plan, ports);

    // Assert
    expect(outcome.deleted).toEqual([plan.steps[0]]);
    expect(outcome.failed).toEqual({ kind: 'database', name: 'rp9_acme', code: 'postgres.not-owned', message: 'database rp9_acme is not marked as rp9\'s' });
    expect(outcome.notDone).toEqual([plan.steps[2], plan.steps[3]]);
    expect([...existing]).toEqual(['database rp9_acme', 'role rp9_acme', 'secret db-password']);
  });

  it('will not apply a refused plan', async () => {
    const refused: PurgePlan = { ...plan, refused: { code: 'purge.tenant-in-config', message: 'still in config' } };

    await expect(applyPurge(refused, memoryPorts(new Set()).ports)).rejects.toThrow(/purge.tenant-in-config/);
  });
});

describe('purgeEvent', () => {
  it('records who purged which tenant and what was deleted', () => {
    const event = purgeEvent(plan, { deleted: [plan.steps[0]!, plan.steps[3]!], absent: [plan.steps[1]!, plan.steps[2]!], notDone: [] }, 'cli:alice');

    expect(event).toEqual({
      tenant: 'acme', type: 'Normal', reason: 'Purged', actor: 'cli:alice',
      message: 'Purged removed tenant: deleted volume rp9-acme-data, secret db-password',
      data: { environment: 'prod', deleted: ['volume rp9-acme-data', 'secret db-password'], absent: ['database rp9_acme', 'role rp9_acme'] },
    });
  });

  it('records a stopped purge as a warning naming the failed step', () => {
    const failed = { kind: 'database', name: 'rp9_acme', code: 'postgres.not-owned', message: 'not ours' } as const;

    const event = purgeEvent(plan, { deleted: [plan.steps[0]!], absent: [], failed, notDone: [plan.steps[2]!, plan.steps[3]!] }, 'cli:alice');

    expect(event.type).toBe('Warning');
    expect(event.reason).toBe('PurgeFailed');
    expect(event.message).toBe('Purge of removed tenant stopped at database rp9_acme: not ours; deleted so far: volume rp9-acme-data. Run rp9 purge again to finish.');
    expect(event.data).toEqual({
      environment: 'prod', deleted: ['volume rp9-acme-data'], absent: [], failed: 'database rp9_acme', error: 'not ours', notDone: ['role rp9_acme', 'secret db-password'],
    });
  });
});

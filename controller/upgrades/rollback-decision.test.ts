import { describe, expect, it } from 'vitest';
import type { Operation, OperationStatus, StepStatus } from '../store/types.js';
import { rollbackDecision, type RollbackDecision } from './rollback-decision.js';

const STEPS = ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'];
const t0 = new Date('2026-12-06T10:00:00Z');

/** An upgrade at step `at` (its index; STEPS.length when done) with `status`. */
function upgrade(at: number, status: OperationStatus = 'running', state: Record<string, unknown> = { backupId: 'acme-b1' }): Operation {
  const finished = status !== 'running' && !(status === 'failed' && state.givenUp !== true);
  const steps = STEPS.map((name, i): { name: string; status: StepStatus; startedAt: Date | null; finishedAt: Date | null; error: string | null } => {
    const stepStatus: StepStatus = i < at ? 'done' : i === at ? (status === 'running' ? 'running' : status === 'done' ? 'done' : 'failed') : 'pending';
    return { name, status: stepStatus, startedAt: t0, finishedAt: null, error: null };
  });
  return {
    id: 'op-1',
    tenant: 'acme',
    kind: 'upgrade',
    status,
    steps,
    currentStep: at,
    state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', ...state },
    error: status === 'running' ? null : '[upgrade.watch-failed] blue is down',
    startedAt: t0,
    updatedAt: t0,
    finishedAt: finished ? t0 : null,
  };
}

describe('rollbackDecision', () => {
  const cases: { name: string; op: Operation | undefined; confirmed?: boolean; expected: Partial<RollbackDecision> & { action: RollbackDecision['action'] } }[] = [
    { name: 'no upgrade', op: undefined, expected: { action: 'refuse', code: 'upgrade.none' } },
    { name: 'during the backup: cancel', op: upgrade(0), expected: { action: 'cancel', step: 'backup' } },
    { name: 'during blue-up: cancel', op: upgrade(2), expected: { action: 'cancel', step: 'blue-up' } },
    { name: 'during the gate: cancel', op: upgrade(3), expected: { action: 'cancel', step: 'gate', atSteps: ['backup', 'copy-database', 'blue-up', 'gate'] } },
    { name: 'during the swap: roll back', op: upgrade(4), expected: { action: 'roll-back', step: 'swap' } },
    { name: 'during the watch: roll back', op: upgrade(5), expected: { action: 'roll-back', step: 'watch', atSteps: ['swap', 'watch'] } },
    { name: 'while green is removed', op: upgrade(6), expected: { action: 'refuse', code: 'upgrade.cleanup-running' } },
    { name: 'while green is kept (keepGreenHours): roll back', op: upgrade(6, 'running', { greenKeptUntil: '2026-12-06T12:00:00.000Z' }), expected: { action: 'roll-back', step: 'cleanup', atSteps: ['swap', 'watch', 'cleanup'] } },
    { name: 'green kept, but less than 15 minutes left: refused', op: upgrade(6, 'running', { greenKeptUntil: '2026-12-06T10:14:59.000Z' }), expected: { action: 'refuse', code: 'upgrade.cleanup-running' } },
    { name: 'green kept until a time already past: refused', op: upgrade(6, 'running', { greenKeptUntil: '2026-12-06T09:00:00.000Z' }), expected: { action: 'refuse', code: 'upgrade.cleanup-running' } },
    { name: 'done, not confirmed', op: upgrade(7, 'done'), expected: { action: 'refuse', code: 'upgrade.confirm-required' } },
    { name: 'done, confirmed: restore the pre-upgrade backup', op: upgrade(7, 'done'), confirmed: true, expected: { action: 'restore', backupId: 'acme-b1' } },
    { name: 'done without a backup', op: upgrade(7, 'done', {}), confirmed: true, expected: { action: 'refuse', code: 'upgrade.no-backup' } },
    { name: 'failed, rolling back now', op: upgrade(5, 'failed', { givenUp: false }), expected: { action: 'refuse', code: 'upgrade.rolling-back' } },
    { name: 'rolled back', op: upgrade(5, 'rolled-back'), confirmed: true, expected: { action: 'refuse', code: 'upgrade.not-upgraded' } },
    { name: 'given up', op: upgrade(5, 'failed', { givenUp: true }), expected: { action: 'refuse', code: 'upgrade.not-upgraded' } },
  ];

  it.each(cases)('$name', ({ op, confirmed, expected }) => {
    expect(rollbackDecision('acme', op, confirmed ?? false, t0)).toMatchObject(expected);
  });

  it('the refusal after cleanup names the backup and the confirmation', () => {
    const decision = rollbackDecision('acme', upgrade(7, 'done'), false, t0);

    expect(decision).toMatchObject({ message: expect.stringContaining('pre-upgrade backup acme-b1') });
    expect(decision).toMatchObject({ message: expect.stringContaining('--confirm acme') });
  });
});

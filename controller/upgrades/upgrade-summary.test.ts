import { describe, expect, it } from 'vitest';
import type { Operation, OperationStatus, StepStatus } from '../store/types.js';
import { upgradeSummary } from './upgrade-summary.js';

const STEPS = ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'];
const now = new Date('2026-12-06T12:00:00Z');

function op(at: number, status: OperationStatus, finishedAt: Date | null, state: Record<string, unknown> = {}, error: string | null = null): Operation {
  const steps = STEPS.map((name, i) => ({ name, status: (i < at ? 'done' : i === at ? (status === 'running' ? 'running' : 'failed') : 'pending') as StepStatus, startedAt: null, finishedAt: null, error: null }));
  return { id: 'op', tenant: 'acme', kind: 'upgrade', status, steps, currentStep: at, state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', ...state }, error, startedAt: now, updatedAt: now, finishedAt };
}

describe('upgradeSummary', () => {
  it.each([
    ['at the gate', op(3, 'running', null), 'upgrading 1.123.81 → 2.41.1: step 4/7 gate, live green'],
    ['in the watch', op(5, 'running', null), 'upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue'],
    ['rolling back', op(5, 'failed', null, {}, '[upgrade.rollback-requested] asked'), 'rolling back 1.123.81 → 2.41.1 to green: [upgrade.rollback-requested] asked'],
    ['done', op(7, 'done', new Date('2026-12-06T09:00:00Z'), { watchedSeconds: 900 }), 'upgraded 1.123.81 → 2.41.1 (3h ago), watch passed after 900 s'],
    ['rolled back', op(5, 'rolled-back', new Date('2026-12-04T12:00:00Z'), {}, '[upgrade.watch-failed] down'), 'rolled back 1.123.81 → 2.41.1 (2d ago): [upgrade.watch-failed] down'],
    ['given up', op(4, 'failed', new Date('2026-12-06T11:59:30Z'), { undoError: 'undo of swap failed' }), 'upgrade 1.123.81 → 2.41.1 given up (30s ago), needs a human: undo of swap failed'],
  ])('%s', (_name, operation, expected) => {
    expect(upgradeSummary(operation, now)).toBe(expected);
  });
});

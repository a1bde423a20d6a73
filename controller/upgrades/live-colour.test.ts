import { describe, expect, it } from 'vitest';
import type { Operation, StepStatus } from '../store/types.js';
import { liveColours } from './live-colour.js';
import { upgradeJournal } from './reconcile-hook.js';

const STEPS = ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'];

function op(tenant: string, status: Operation['status'], swap: StepStatus, from: 'green' | 'blue' = 'green', finished = status !== 'running'): Operation {
  const at = new Date('2026-12-06T00:00:00Z');
  return {
    id: `${tenant}-op`,
    tenant,
    kind: 'upgrade',
    status,
    steps: STEPS.map((name) => ({ name, status: name === 'swap' ? swap : 'done', startedAt: at, finishedAt: at, error: null })) as Operation['steps'],
    currentStep: 0,
    state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: from, toColour: from === 'green' ? 'blue' : 'green' },
    error: status === 'done' ? null : '[upgrade.gate-failed] no',
    startedAt: at,
    updatedAt: at,
    finishedAt: finished ? at : null,
  };
}

describe('live colour from the journal', () => {
  it.each([
    ['never upgraded', [], undefined],
    ['done green → blue', [op('a', 'done', 'done')], 'blue'],
    ['done blue → green (the second upgrade)', [op('a', 'done', 'done', 'blue')], 'green'],
    ['rolled back before the swap', [op('a', 'rolled-back', 'pending')], 'green'],
    ['rolled back in the watch (swap undone)', [op('a', 'rolled-back', 'rolled-back')], 'green'],
    ['under way, swapped (watching)', [op('a', 'running', 'done')], 'blue'],
    ['under way, not swapped', [op('a', 'running', 'pending')], 'green'],
    ['given up with the swap not undone', [op('a', 'failed', 'done')], 'blue'],
  ] as const)('%s', (_name, ops, colour) => {
    expect(liveColours(ops).get('a')).toBe(colour);
  });

  it('the journal view: running and failed upgrades per tenant', () => {
    const view = upgradeJournal([op('a', 'running', 'pending'), op('b', 'rolled-back', 'rolled-back'), op('c', 'done', 'done')]);
    expect([...view.running]).toEqual([['a', { from: '1.123.81', to: '2.41.1' }]]);
    expect([...view.failed]).toEqual([['b', { to: '2.41.1', message: '[upgrade.gate-failed] no' }]]);
    expect(view.colours.get('c')).toBe('blue');
  });
});

import { describe, expect, it } from 'vitest';
import { failoverVerdict, type FailoverObservation } from './failover-progress.js';

const open = { state: 'open', merged: false } as const;
const merged = { state: 'closed', merged: true } as const;
const closed = { state: 'closed', merged: false } as const;

describe('failoverVerdict', () => {
  it.each<[string, FailoverObservation, ReturnType<typeof failoverVerdict>]>([
    ['open PR', { pr: open, status: { phase: 'active', appliedCommit: 'c1' }, appliedAtStart: 'c0' }, 'pending'],
    ['closed unmerged', { pr: closed, status: { phase: 'active', appliedCommit: 'c0' }, appliedAtStart: 'c0' }, 'closed'],
    ['merged, controller not there yet', { pr: merged, status: { phase: 'active', appliedCommit: 'c0' }, appliedAtStart: 'c0' }, 'pending'],
    ['merged, newer commit applied but failed', { pr: merged, status: { phase: 'failed', appliedCommit: 'c1' }, appliedAtStart: 'c0' }, 'pending'],
    ['merged, newer commit applied, active', { pr: merged, status: { phase: 'active', appliedCommit: 'c1' }, appliedAtStart: 'c0' }, 'done'],
    ['merged, first applied commit', { pr: merged, status: { phase: 'active', appliedCommit: 'c1' }, appliedAtStart: null }, 'done'],
    ['merged, no store', { pr: merged, status: undefined, appliedAtStart: null }, 'merged-unobserved'],
  ])('%s', (_name, observation, verdict) => {
    expect(failoverVerdict(observation)).toBe(verdict);
  });
});

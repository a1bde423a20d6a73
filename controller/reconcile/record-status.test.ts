import { describe, expect, it } from 'vitest';
import type { TenantStatus } from '../store/types.js';
import { statusUnchanged } from './record-status.js';
import type { StatusUpdate } from './tenant-status.js';

const at = new Date('2026-01-01T00:00:00Z');
const current: TenantStatus = {
  tenant: 'acme',
  phase: 'active',
  conditions: [
    { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision abc', lastTransitionTime: at },
    { type: 'Stalled', status: 'False', reason: 'ReconciliationSucceeded', message: 'Applied revision abc', lastTransitionTime: at },
  ],
  observedCommit: 'abc',
  observedGeneration: 'g1',
  appliedSpecHash: 'h1',
  appliedCommit: 'abc',
  createdAt: at,
  updatedAt: at,
};
const same: StatusUpdate = {
  phase: 'active',
  conditions: [
    { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision abc' },
    { type: 'Stalled', status: 'False', reason: 'ReconciliationSucceeded', message: 'Applied revision abc' },
  ],
  observedCommit: 'abc',
  observedGeneration: 'g1',
  appliedSpecHash: 'h1',
  appliedCommit: 'abc',
};

describe('statusUnchanged', () => {
  it.each<[string, TenantStatus | undefined, StatusUpdate, boolean]>([
    ['identical', current, same, true],
    ['no previous status', undefined, same, false],
    ['new commit observed', current, { ...same, observedCommit: 'def' }, false],
    ['phase moves', current, { ...same, phase: 'suspended' }, false],
    ['spec hash changes', current, { ...same, appliedSpecHash: 'h2' }, false],
    ['a condition message changes', current, { ...same, conditions: [{ ...same.conditions[0]!, message: 'other' }] }, false],
    ['a condition not set before', current, { ...same, conditions: [{ type: 'Reconciling', status: 'False', reason: 'R', message: 'm' }] }, false],
    ['fields left out keep their value', current, { conditions: same.conditions, observedCommit: 'abc' }, true],
  ])('%s → %s', (_name, previous, update, expected) => {
    expect(statusUnchanged(previous, update)).toBe(expected);
  });
});

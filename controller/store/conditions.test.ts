import { describe, expect, it } from 'vitest';
import { conditionWarnings, findCondition, isConditionTrue, setCondition } from './conditions.js';
import type { Condition, ConditionInput } from './types.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const t2 = new Date('2026-01-01T00:09:00Z');

const ready = (status: Condition['status'], reason: string, at: Date, message = ''): Condition => ({ type: 'Ready', status, reason, message, lastTransitionTime: at });
const reconciling: Condition = { type: 'Reconciling', status: 'True', reason: 'Applying', message: 'applying', lastTransitionTime: t0 };

describe('setCondition', () => {
  const cases: { name: string; before: Condition[]; input: ConditionInput; now: Date; after: Condition[] }[] = [
    {
      name: 'adds a new condition stamped now',
      before: [],
      input: { type: 'Ready', status: 'True', reason: 'Applied', message: 'ok' },
      now: t1,
      after: [ready('True', 'Applied', t1, 'ok')],
    },
    {
      name: 'adds a new condition with an explicit transition time',
      before: [],
      input: { type: 'Ready', status: 'Unknown', reason: 'Pending', message: '', lastTransitionTime: t0 },
      now: t1,
      after: [ready('Unknown', 'Pending', t0)],
    },
    {
      name: 'keeps the transition time when the status is unchanged, updating reason and message',
      before: [ready('True', 'Applied', t0, 'old')],
      input: { type: 'Ready', status: 'True', reason: 'Healthy', message: 'new' },
      now: t1,
      after: [ready('True', 'Healthy', t0, 'new')],
    },
    {
      name: 'ignores an explicit transition time when the status is unchanged',
      before: [ready('True', 'Applied', t0)],
      input: { type: 'Ready', status: 'True', reason: 'Applied', message: '', lastTransitionTime: t2 },
      now: t1,
      after: [ready('True', 'Applied', t0)],
    },
    {
      name: 'moves the transition time when the status changes',
      before: [ready('True', 'Applied', t0)],
      input: { type: 'Ready', status: 'False', reason: 'HealthCheckFailed', message: 'unhealthy' },
      now: t1,
      after: [ready('False', 'HealthCheckFailed', t1, 'unhealthy')],
    },
    {
      name: 'uses the explicit transition time when the status changes',
      before: [ready('False', 'Pending', t0)],
      input: { type: 'Ready', status: 'True', reason: 'Applied', message: '', lastTransitionTime: t2 },
      now: t1,
      after: [ready('True', 'Applied', t2)],
    },
    {
      name: 'leaves other conditions alone and keeps the order',
      before: [reconciling, ready('True', 'Applied', t0)],
      input: { type: 'Ready', status: 'Unknown', reason: 'Reconciling', message: '' },
      now: t2,
      after: [reconciling, ready('Unknown', 'Reconciling', t2)],
    },
    {
      name: 'appends a second type after the first',
      before: [ready('True', 'Applied', t0)],
      input: { type: 'Stalled', status: 'False', reason: 'Progressing', message: '' },
      now: t1,
      after: [ready('True', 'Applied', t0), { type: 'Stalled', status: 'False', reason: 'Progressing', message: '', lastTransitionTime: t1 }],
    },
  ];

  it.each(cases)('$name', ({ before, input, now, after }) => {
    const snapshot = structuredClone(before);

    const result = setCondition(before, input, now);

    expect(result).toEqual(after);
    expect(before).toEqual(snapshot);
  });

  it.each([
    ['a lower-case reason', { type: 'Ready', status: 'True', reason: 'applied', message: '' }, /reason must be PascalCase/],
    ['a reason with spaces', { type: 'Ready', status: 'True', reason: 'Apply Failed', message: '' }, /reason must be PascalCase/],
    ['an unknown type', { type: 'Healthy', status: 'True', reason: 'Ok', message: '' }, /condition type must be one of Ready, Reconciling, Stalled/],
    ['an unknown status', { type: 'Ready', status: 'true', reason: 'Ok', message: '' }, /status must be one of True, False, Unknown/],
  ])('rejects %s with store.invalid-input', (_label, input, message) => {
    expect(() => setCondition([], input as ConditionInput, t0)).toThrow(expect.objectContaining({ code: 'store.invalid-input', message: expect.stringMatching(message) }));
  });
});

describe('findCondition / isConditionTrue', () => {
  it('finds by type and reads the status', () => {
    const conditions = [reconciling, ready('False', 'Failed', t0)];

    expect(findCondition(conditions, 'Reconciling')).toBe(reconciling);
    expect(findCondition(conditions, 'Stalled')).toBeUndefined();
    expect(isConditionTrue(conditions, 'Reconciling')).toBe(true);
    expect(isConditionTrue(conditions, 'Ready')).toBe(false);
  });
});

describe('conditionWarnings', () => {
  const at = new Date(0);
  it('lists the False conditions beyond Ready, Reconciling and Stalled', () => {
    expect(conditionWarnings([
      { type: 'Ready', status: 'False', reason: 'ImageMissing', message: 'x', lastTransitionTime: at },
      { type: 'Stalled', status: 'True', reason: 'ImageMissing', message: 'x', lastTransitionTime: at },
      { type: 'Restorable', status: 'False', reason: 'RestoreDrillFailed', message: 'restore drill failed: [backup.object-corrupt] …', lastTransitionTime: at },
    ])).toEqual(['RestoreDrillFailed: restore drill failed: [backup.object-corrupt] …']);
    expect(conditionWarnings([{ type: 'Restorable', status: 'True', reason: 'RestoreDrillPassed', message: 'ok', lastTransitionTime: at }])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { applyTransition, initialSteps, type OperationTransition } from './operation-steps.js';
import type { Operation, StepStatus } from './types.js';

const t0 = new Date('2026-03-01T10:00:00Z');
const t1 = new Date('2026-03-01T10:01:00Z');

function operation(statuses: StepStatus[], overrides: Partial<Operation> = {}): Operation {
  const current = statuses.findIndex((s) => s === 'running' || s === 'failed');
  return {
    id: 'op-1',
    tenant: 'acme',
    kind: 'promotion',
    status: 'running',
    steps: statuses.map((status, i) => ({ name: `s${i + 1}`, status, startedAt: status === 'pending' ? null : t0, finishedAt: null, error: null })),
    currentStep: current === -1 ? statuses.length : current,
    state: { a: 1 },
    error: null,
    startedAt: t0,
    updatedAt: t0,
    finishedAt: null,
    ...overrides,
  };
}

describe('initialSteps', () => {
  it('starts the first step and leaves the rest pending', () => {
    expect(initialSteps(['backup', 'migrate'], t0)).toEqual([
      { name: 'backup', status: 'running', startedAt: t0, finishedAt: null, error: null },
      { name: 'migrate', status: 'pending', startedAt: null, finishedAt: null, error: null },
    ]);
  });

  it.each([
    ['no steps', [], /at least one step/],
    ['a duplicate', ['a', 'a'], /step "a" appears twice/],
    ['an empty name', ['a', ' '], /step name must be a non-empty string/],
  ])('rejects %s', (_label, names, message) => {
    expect(() => initialSteps(names, t0)).toThrow(expect.objectContaining({ code: 'store.invalid-input', message: expect.stringMatching(message) }));
  });
});

describe('applyTransition', () => {
  const cases: {
    name: string;
    op: Operation;
    transition: OperationTransition;
    expected: { status: Operation['status']; steps: StepStatus[]; currentStep: number; finished: boolean; state?: Record<string, unknown>; error?: string | null };
  }[] = [
    {
      name: 'advance starts the next step',
      op: operation(['running', 'pending', 'pending']),
      transition: { kind: 'advance', state: { b: 2 } },
      expected: { status: 'running', steps: ['done', 'running', 'pending'], currentStep: 1, finished: false, state: { a: 1, b: 2 } },
    },
    {
      name: 'advance after the last step finishes the operation',
      op: operation(['done', 'running']),
      transition: { kind: 'advance' },
      expected: { status: 'done', steps: ['done', 'done'], currentStep: 2, finished: true, state: { a: 1 } },
    },
    {
      name: 'fail marks the current step and keeps the operation unfinished',
      op: operation(['done', 'running', 'pending']),
      transition: { kind: 'fail', error: 'copy failed' },
      expected: { status: 'failed', steps: ['done', 'failed', 'pending'], currentStep: 1, finished: false, error: 'copy failed' },
    },
    {
      name: 'fail at one of the named steps (a rollback on demand during s2)',
      op: operation(['done', 'running', 'pending']),
      transition: { kind: 'fail', error: 'rollback requested', atSteps: ['s2', 's3'], state: { by: 'cli' } },
      expected: { status: 'failed', steps: ['done', 'failed', 'pending'], currentStep: 1, finished: false, error: 'rollback requested', state: { a: 1, by: 'cli' } },
    },
    {
      name: 'roll-back-step undoes a done step of a failed operation',
      op: operation(['done', 'failed', 'pending'], { status: 'failed', error: 'x' }),
      transition: { kind: 'roll-back-step', step: 's1', state: { undone: true } },
      expected: { status: 'failed', steps: ['rolled-back', 'failed', 'pending'], currentStep: 1, finished: false, state: { a: 1, undone: true } },
    },
    {
      name: 'roll-back-step undoes the failed step itself',
      op: operation(['done', 'failed'], { status: 'failed', error: 'x' }),
      transition: { kind: 'roll-back-step', step: 's2' },
      expected: { status: 'failed', steps: ['done', 'rolled-back'], currentStep: 1, finished: false },
    },
    {
      name: 'finish closes a failed operation as rolled back',
      op: operation(['rolled-back', 'rolled-back'], { status: 'failed', currentStep: 1, error: 'x' }),
      transition: { kind: 'finish', outcome: 'rolled-back' },
      expected: { status: 'rolled-back', steps: ['rolled-back', 'rolled-back'], currentStep: 1, finished: true, error: 'x' },
    },
    {
      name: 'finish gives up on a failed operation',
      op: operation(['done', 'failed'], { status: 'failed', error: 'x' }),
      transition: { kind: 'finish', outcome: 'failed' },
      expected: { status: 'failed', steps: ['done', 'failed'], currentStep: 1, finished: true },
    },
  ];

  it.each(cases)('$name', ({ op, transition, expected }) => {
    const snapshot = structuredClone(op);

    const next = applyTransition(op, transition, t1);

    expect(next.status).toBe(expected.status);
    expect(next.steps.map((s) => s.status)).toEqual(expected.steps);
    expect(next.currentStep).toBe(expected.currentStep);
    expect(next.finishedAt).toEqual(expected.finished ? t1 : null);
    expect(next.updatedAt).toEqual(t1);
    if (expected.state) expect(next.state).toEqual(expected.state);
    if (expected.error !== undefined) expect(next.error).toBe(expected.error);
    expect(op).toEqual(snapshot);
  });

  it('stamps step times and the failure message on the step', () => {
    const failed = applyTransition(operation(['running', 'pending']), { kind: 'fail', error: 'boom' }, t1);
    const advanced = applyTransition(operation(['running', 'pending']), { kind: 'advance' }, t1);

    expect(failed.steps[0]).toMatchObject({ status: 'failed', finishedAt: t1, error: 'boom' });
    expect(advanced.steps[0]).toMatchObject({ status: 'done', finishedAt: t1 });
    expect(advanced.steps[1]).toMatchObject({ status: 'running', startedAt: t1 });
  });

  const refusals: { name: string; op: Operation; transition: OperationTransition; code: string; message: RegExp }[] = [
    { name: 'advancing a failed operation', op: operation(['failed'], { status: 'failed' }), transition: { kind: 'advance' }, code: 'store.conflict', message: /cannot advance operation op-1 \(promotion of acme\): it is failed, expected running/ },
    { name: 'advancing a done operation', op: operation(['done'], { status: 'done', finishedAt: t0 }), transition: { kind: 'advance' }, code: 'store.conflict', message: /it is finished \(done\)/ },
    { name: 'failing with an empty error', op: operation(['running']), transition: { kind: 'fail', error: '' }, code: 'store.invalid-input', message: /error must be a non-empty string/ },
    { name: 'failing at a step other than the named ones', op: operation(['done', 'done', 'running']), transition: { kind: 'fail', error: 'x', atSteps: ['s2'] }, code: 'store.conflict', message: /at step s3: only at s2/ },
    { name: 'rolling back while running', op: operation(['done', 'running']), transition: { kind: 'roll-back-step', step: 's1' }, code: 'store.conflict', message: /expected failed/ },
    { name: 'rolling back a pending step', op: operation(['failed', 'pending'], { status: 'failed' }), transition: { kind: 'roll-back-step', step: 's2' }, code: 'store.conflict', message: /step "s2" is pending/ },
    { name: 'rolling back an unknown step', op: operation(['failed'], { status: 'failed' }), transition: { kind: 'roll-back-step', step: 'nope' }, code: 'store.invalid-input', message: /has no step "nope" \(steps: s1\)/ },
    { name: 'finishing a running operation', op: operation(['running']), transition: { kind: 'finish', outcome: 'rolled-back' }, code: 'store.conflict', message: /cannot finish/ },
    { name: 'finishing twice', op: operation(['failed'], { status: 'rolled-back', finishedAt: t0 }), transition: { kind: 'finish', outcome: 'failed' }, code: 'store.conflict', message: /finished \(rolled-back\)/ },
  ];

  it.each(refusals)('refuses $name', ({ op, transition, code, message }) => {
    expect(() => applyTransition(op, transition, t1)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

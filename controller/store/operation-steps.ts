// The operations journal's state machine, pure: the repository loads a row,
// applies one transition and writes the result in the same transaction.
import { StoreError } from './errors.js';
import { checkNonEmpty, invalid } from './validate.js';
import type { Operation, OperationStep } from './types.js';

export type OperationTransition =
  /** The current step is done; the next one starts, or the operation is done after the last. */
  | { kind: 'advance'; state?: Record<string, unknown> }
  /** The current step failed; the operation waits for a roll-back or to be finished as failed. `atSteps`: only while the current step is one of these (else store.conflict), for a failure asked from outside the runner (a rollback on demand). */
  | { kind: 'fail'; error: string; state?: Record<string, unknown>; atSteps?: readonly string[] }
  /** A done or failed step of a failed operation was undone. */
  | { kind: 'roll-back-step'; step: string; state?: Record<string, unknown> }
  /** Closes a failed operation: `rolled-back` after undoing its steps, `failed` to give up. */
  | { kind: 'finish'; outcome: 'rolled-back' | 'failed'; state?: Record<string, unknown> };

export function initialSteps(names: readonly string[], now: Date): OperationStep[] {
  if (names.length === 0) throw invalid('an operation needs at least one step');
  const seen = new Set<string>();
  for (const name of names) {
    checkNonEmpty('step name', name);
    if (seen.has(name)) throw invalid(`step "${name}" appears twice`);
    seen.add(name);
  }
  return names.map((name, index) => ({
    name,
    status: index === 0 ? 'running' : 'pending',
    startedAt: index === 0 ? now : null,
    finishedAt: null,
    error: null,
  }));
}

export function applyTransition(op: Operation, transition: OperationTransition, now: Date): Operation {
  const state = transition.state ? { ...op.state, ...transition.state } : op.state;
  const base = { ...op, state, updatedAt: now };
  switch (transition.kind) {
    case 'advance': {
      requireStatus(op, 'running', 'advance');
      const next = op.currentStep + 1;
      const steps = op.steps.map((step, i): OperationStep => {
        if (i === op.currentStep) return { ...step, status: 'done', finishedAt: now };
        if (i === next) return { ...step, status: 'running', startedAt: now };
        return step;
      });
      if (next >= op.steps.length) return { ...base, steps, currentStep: op.steps.length, status: 'done', finishedAt: now };
      return { ...base, steps, currentStep: next };
    }
    case 'fail': {
      requireStatus(op, 'running', 'fail');
      checkNonEmpty('error', transition.error);
      const current = op.steps[op.currentStep]?.name ?? '';
      if (transition.atSteps && !transition.atSteps.includes(current)) {
        throw new StoreError('store.conflict', `cannot fail operation ${op.id} (${op.kind} of ${op.tenant}) at step ${current}: only at ${transition.atSteps.join(', ')}`);
      }
      const steps = op.steps.map((step, i): OperationStep => (i === op.currentStep ? { ...step, status: 'failed', finishedAt: now, error: transition.error } : step));
      return { ...base, steps, status: 'failed', error: transition.error };
    }
    case 'roll-back-step': {
      requireStatus(op, 'failed', 'roll back a step of');
      const index = op.steps.findIndex((s) => s.name === transition.step);
      const step = op.steps[index];
      if (!step) throw invalid(`operation ${op.id} has no step "${transition.step}" (steps: ${op.steps.map((s) => s.name).join(', ')})`);
      if (step.status !== 'done' && step.status !== 'failed') {
        throw new StoreError('store.conflict', `operation ${op.id}: step "${step.name}" is ${step.status}; only done or failed steps can be rolled back`);
      }
      const steps = op.steps.map((s, i): OperationStep => (i === index ? { ...s, status: 'rolled-back', finishedAt: now } : s));
      return { ...base, steps };
    }
    case 'finish': {
      requireStatus(op, 'failed', 'finish');
      return { ...base, status: transition.outcome, finishedAt: now };
    }
  }
}

function requireStatus(op: Operation, status: Operation['status'], verb: string): void {
  if (op.status !== status || op.finishedAt !== null) {
    const now = op.finishedAt !== null ? `finished (${op.status})` : op.status;
    throw new StoreError('store.conflict', `cannot ${verb} operation ${op.id} (${op.kind} of ${op.tenant}): it is ${now}, expected ${status}`);
  }
}

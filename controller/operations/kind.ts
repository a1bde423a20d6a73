// An operation kind is data: a name, a deadline and an ordered list of steps.
// Each step's run and undo are idempotent (they look before they act), so the
// engine may run either again after a crash. A kind's file lists its steps
// top to bottom; the engine (engine.ts) journals and drives them.
import type { Logger } from '../../kernel/log/logger.js';
import type { Operation } from '../store/types.js';

/** What a step sees: the journaled operation, the state earlier steps recorded, the kind's dependencies. */
export interface StepContext<D> {
  operation: Operation;
  /** The operation's journaled state (shallow-merged results of the steps so far). */
  state: Readonly<Record<string, unknown>>;
  deps: D;
  /** Aborted when the step's timeout or the operation's deadline passes. */
  signal: AbortSignal;
  log: Logger;
  /** Reports progress (phase, bytes) to whoever watches: a terminal, a status page. */
  progress(update: Omit<OperationProgress, 'operationId' | 'step'>): void;
}

export interface OperationProgress {
  operationId: string;
  step: string;
  phase?: string;
  bytes?: number;
}

export interface OperationStepSpec<D> {
  name: string;
  /** Seconds the step may take once; past it the step fails (operations.step-timeout). */
  timeoutSeconds: number;
  /** Does the step's work; returns state for later steps (merged into the journal). Idempotent. */
  run(ctx: StepContext<D>): Promise<Record<string, unknown> | void>;
  /** Reverses the step; idempotent; absent means "nothing to undo". What it returns is merged into the journal with the step's roll-back. */
  undo?(ctx: StepContext<D>): Promise<Record<string, unknown> | void>;
}

export interface OperationKind<D> {
  /** `backup`, `restore`, `drill`, `promotion`, ... (the journal's `kind`). */
  name: string;
  /** The whole operation's budget; past it the running step fails (operations.deadline-exceeded) and the undo path runs. */
  deadlineSeconds: number;
  /** Seconds added to deadlineSeconds for one operation, read from its journal (an upgrade that keeps green for hours). */
  deadlineExtensionSeconds?(op: Operation): number;
  steps: readonly OperationStepSpec<D>[];
  /** Called once when an operation of this kind finishes (done, rolled-back or given up): metrics, events. Errors are logged, not raised. */
  onFinished?(op: Operation, deps: D): Promise<void> | void;
}

/** A kind with its dependencies bound, as the engine's registry holds it. */
export interface BoundKind {
  kind: OperationKind<unknown>;
  deps: unknown;
}

export function bindKind<D>(kind: OperationKind<D>, deps: D): BoundKind {
  return { kind: kind as OperationKind<unknown>, deps };
}

export class OperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

/**
 * Thrown by a step that is not finished yet and wants to be called again on a
 * later pass (an upgrade's watch): the step stays running, nothing is
 * journaled, and the engine moves on to other operations instead of blocking.
 */
export class StepWaiting extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StepWaiting';
  }
}

// The operation engine: advances journaled operations one step at a time.
// The journal (store.operations) is the truth: the store marks a step running
// before it runs and done after, with the state later steps need. A pass
// advances each unfinished operation by at most one step; after a crash the
// next pass re-runs the running step (steps are idempotent). Failure has one
// path: the step fails (error, timeout, deadline or abort), then the engine
// undoes the failed and completed steps in reverse order, one per call, each
// journaled, and closes the operation as rolled-back.
import { hostname } from 'node:os';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import type { OperationsApi } from '../store/operations-repo.js';
import type { Operation } from '../store/types.js';
import { OperationError, StepWaiting, type BoundKind, type OperationProgress, type OperationStepSpec, type StepContext } from './kind.js';

/** Test hook: throw SimulatedCrash to stop as a kill -9 would (nothing journaled), or any error to fail the step. */
export interface FaultInjector {
  /** Before a step's run (after the journal says it is running). */
  beforeRun?(op: Operation, step: string): void | Promise<void>;
  /** After a step's run succeeded, before the journal records it done. */
  afterRun?(op: Operation, step: string): void | Promise<void>;
  /** Before a step's undo. */
  beforeUndo?(op: Operation, step: string): void | Promise<void>;
}

/** Thrown by a fault injector to leave the journal as a crash would; the engine does not catch it. */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'SimulatedCrash';
  }
}

export interface EngineOptions {
  operations: OperationsApi;
  /** Kinds by name, with their dependencies. */
  kinds: Readonly<Record<string, BoundKind>>;
  logger: Logger;
  /** Who drives the operations this engine starts: `controller`, or `cli:<user>` for a command that runs one to the end. */
  runner: string;
  metrics?: Pick<Metrics, 'operations' | 'operationStepDuration'>;
  faults?: FaultInjector;
  onProgress?(update: OperationProgress): void;
  now?(): Date;
  /** An operation another runner started is adopted once it has not moved for its step's timeout plus this (default 60 s). */
  adoptAfterSeconds?: number;
}

export interface OperationEngine {
  /** Journals a new operation (first step running). Throws store.operation-in-progress when the tenant has one. */
  start(kind: string, tenant: string, state?: Record<string, unknown>, id?: string): Promise<Operation>;
  /** Advances one operation by one step (run, or undo after a failure). Returns it as journaled after. */
  step(id: string): Promise<Operation>;
  /** Steps an operation until it finishes; bounded by twice its step count plus two. */
  runToEnd(id: string): Promise<Operation>;
  /** Marks a running operation failed (operations.aborted); its steps are then undone. */
  abort(id: string, reason: string): Promise<Operation>;
  /** One pass: each unfinished operation this runner drives (or may adopt) advances by one step. */
  pass(): Promise<Operation[]>;
}

export function createOperationEngine(options: EngineOptions): OperationEngine {
  const now = options.now ?? (() => new Date());
  const ops = options.operations;

  function boundKind(op: Operation): BoundKind {
    const bound = options.kinds[op.kind];
    if (!bound) throw new OperationError('operations.unknown-kind', `operation ${op.id} has kind "${op.kind}", which this rp9 does not know (known: ${Object.keys(options.kinds).join(', ')})`);
    return bound;
  }

  async function load(id: string): Promise<Operation> {
    const op = await ops.get(id);
    if (!op) throw new OperationError('operations.not-found', `no operation with id ${id}`);
    return op;
  }

  function context(op: Operation, bound: BoundKind, signal: AbortSignal, step: string): StepContext<unknown> {
    return {
      operation: op,
      state: op.state,
      deps: bound.deps,
      signal,
      log: options.logger.child({ operation_id: op.id, operation_kind: op.kind, tenant: op.tenant, step }),
      progress: (update) => options.onProgress?.({ ...update, operationId: op.id, step }),
    };
  }

  async function runStep(op: Operation, bound: BoundKind, spec: OperationStepSpec<unknown>): Promise<Operation> {
    const deadlineMs = op.startedAt.getTime() + (bound.kind.deadlineSeconds + Math.max(0, bound.kind.deadlineExtensionSeconds?.(op) ?? 0)) * 1000;
    const remainingMs = deadlineMs - now().getTime();
    if (remainingMs <= 0) {
      return fail(op, new OperationError('operations.deadline-exceeded', `${op.kind} ${op.id} of ${op.tenant} passed its deadline of ${bound.kind.deadlineSeconds} s at step ${spec.name}`));
    }
    const started = Date.now();
    let result: Record<string, unknown> | void;
    try {
      await options.faults?.beforeRun?.(op, spec.name);
      result = await withTimeout(Math.min(spec.timeoutSeconds * 1000, remainingMs), spec.name, op, (signal) => spec.run(context(op, bound, signal, spec.name)));
      await options.faults?.afterRun?.(op, spec.name);
    } catch (error) {
      if (error instanceof SimulatedCrash) throw error;
      // Not done yet (a watch): the step stays running and runs again next pass.
      if (error instanceof StepWaiting) return op;
      options.metrics?.operationStepDuration.observe({ kind: op.kind, step: spec.name }, (Date.now() - started) / 1000);
      return fail(op, error);
    }
    options.metrics?.operationStepDuration.observe({ kind: op.kind, step: spec.name }, (Date.now() - started) / 1000);
    const next = await ops.advance(op.id, result ?? undefined);
    if (next.status === 'done') {
      options.metrics?.operations.inc({ kind: op.kind, result: 'done' });
      options.logger.info('operation done', { ...opFields(op), duration_ms: tookMs(next) });
      await finished(next, bound);
    }
    return next;
  }

  /** An operation's log fields: its lines are the audit trail (audit: true) and its id is their correlation id. */
  function opFields(op: Pick<Operation, 'id' | 'kind' | 'tenant'>): Record<string, unknown> {
    return { audit: true, correlation_id: op.id, operation_id: op.id, operation_kind: op.kind, tenant: op.tenant };
  }

  /** Milliseconds from the start of the operation to its end (or now). */
  function tookMs(op: Pick<Operation, 'startedAt' | 'finishedAt'>): number {
    return (op.finishedAt ?? now()).getTime() - op.startedAt.getTime();
  }

  async function finished(op: Operation, bound: BoundKind): Promise<void> {
    try {
      await bound.kind.onFinished?.(op, bound.deps);
    } catch (error) {
      options.logger.warn('operation finish hook failed', { operation_id: op.id, operation_kind: op.kind, error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function fail(op: Operation, error: unknown): Promise<Operation> {
    const code = errorCode(error);
    const message = `[${code}] ${error instanceof Error ? error.message : String(error)}`;
    options.logger.warn('operation step failed', { ...opFields(op), step: op.steps[op.currentStep]?.name, error: message });
    return ops.fail(op.id, message, { errorCode: code });
  }

  async function undoOne(op: Operation, bound: BoundKind): Promise<Operation> {
    const index = lastUndoable(op);
    if (index === -1) {
      const closed = await ops.finish(op.id, 'rolled-back');
      options.metrics?.operations.inc({ kind: op.kind, result: 'rolled-back' });
      options.logger.info('operation rolled back', { ...opFields(op), error: op.error, duration_ms: tookMs(closed) });
      await finished(closed, bound);
      return closed;
    }
    const name = op.steps[index]?.name as string;
    const spec = bound.kind.steps.find((s) => s.name === name);
    let undone: Record<string, unknown> | void = undefined;
    try {
      await options.faults?.beforeUndo?.(op, name);
      if (spec?.undo) undone = await withTimeout(spec.timeoutSeconds * 1000, `undo ${name}`, op, (signal) => (spec.undo as NonNullable<typeof spec.undo>)(context(op, bound, signal, name)));
    } catch (error) {
      if (error instanceof SimulatedCrash) throw error;
      // A compensation that fails is not retried forever: the operation is given up and the tenant needs a human.
      const message = `[${errorCode(error)}] undo of ${name} failed: ${error instanceof Error ? error.message : String(error)}`;
      const closed = await ops.finish(op.id, 'failed', { undoError: message });
      options.logger.error('operation undo failed; giving up', { ...opFields(op), step: name, error: message, duration_ms: tookMs(closed) });
      options.metrics?.operations.inc({ kind: op.kind, result: 'failed' });
      await finished(closed, bound);
      return closed;
    }
    return ops.rollBackStep(op.id, name, undone ?? undefined);
  }

  async function step(id: string): Promise<Operation> {
    const op = await load(id);
    if (op.finishedAt !== null) return op;
    const bound = boundKind(op);
    if (op.status === 'failed') return undoOne(op, bound);
    const journaled = op.steps[op.currentStep];
    const spec = bound.kind.steps[op.currentStep];
    if (!journaled || !spec || spec.name !== journaled.name) {
      return fail(op, new OperationError('operations.kind-changed', `operation ${op.id}: journaled step "${journaled?.name ?? '?'}" is not step ${op.currentStep + 1} of kind ${op.kind} ("${spec?.name ?? 'none'}")`));
    }
    return runStep(op, bound, spec);
  }

  function mayDrive(op: Operation): boolean {
    if (op.state.runner === options.runner) return true;
    if (runnerIsDead(op.state.runner)) return true;
    const bound = options.kinds[op.kind];
    const spec = bound?.kind.steps[op.currentStep];
    const quietMs = ((spec?.timeoutSeconds ?? 0) + (options.adoptAfterSeconds ?? 60)) * 1000;
    return now().getTime() - op.updatedAt.getTime() > quietMs;
  }

  return {
    async start(kind, tenant, state = {}, id) {
      const bound = options.kinds[kind];
      if (!bound) throw new OperationError('operations.unknown-kind', `unknown operation kind "${kind}" (known: ${Object.keys(options.kinds).join(', ')})`);
      const op = await ops.start({ tenant, kind, steps: bound.kind.steps.map((s) => s.name), state: { ...state, runner: options.runner }, ...(id ? { id } : {}) });
      options.logger.info('operation started', opFields(op));
      return op;
    },
    step,
    async runToEnd(id) {
      let op = await load(id);
      const limit = op.steps.length * 2 + 2;
      for (let i = 0; i < limit && op.finishedAt === null; i += 1) op = await step(id);
      if (op.finishedAt === null) throw new OperationError('operations.stuck', `operation ${id} did not finish within ${limit} steps`);
      return op;
    },
    async abort(id, reason) {
      const op = await load(id);
      if (op.status !== 'running' || op.finishedAt !== null) return op;
      return fail(op, new OperationError('operations.aborted', reason));
    },
    async pass() {
      const out: Operation[] = [];
      for (const op of await ops.listUnfinished()) {
        if (!options.kinds[op.kind] || !mayDrive(op)) continue;
        try {
          out.push(await step(op.id));
        } catch (error) {
          if (error instanceof SimulatedCrash) throw error;
          options.logger.error('operation step crashed; retrying next pass', { operation_id: op.id, error: error instanceof Error ? error.message : String(error) });
        }
      }
      return out;
    },
  };
}

/** A runner name for a process that drives its own operations: `<who>@<host>:<pid>`, so another process on the host can tell when it died. */
export function processRunner(who: string): string {
  return `${who}@${hostname()}:${process.pid}`;
}

/** True for a `<who>@<host>:<pid>` runner on this host whose process is gone (killed, crashed). */
export function runnerIsDead(runner: unknown): boolean {
  if (typeof runner !== 'string') return false;
  const match = /@([^@:]+):(\d+)$/.exec(runner);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The index of the step to undo next: the last done or failed one. -1 when nothing is left. */
export function lastUndoable(op: Operation): number {
  for (let i = op.steps.length - 1; i >= 0; i -= 1) {
    const status = op.steps[i]?.status;
    if (status === 'done' || status === 'failed') return i;
  }
  return -1;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[a-z0-9]+\.[a-z0-9-]+$/.test(code) ? code : 'operations.step-failed';
}

async function withTimeout<T>(ms: number, what: string, op: Operation, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new OperationError('operations.step-timeout', `${op.kind} ${op.id} of ${op.tenant}: ${what} took longer than ${Math.round(ms / 1000)} s`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Starts an operation of a tenant, waiting (bounded) while another operation
// of that tenant runs: the one-operation-per-tenant rule of the journal makes
// `engine.start` refuse with store.operation-in-progress; this polls until the
// other one ends or the wait is over, telling the caller what it waits for.
import type { Operation } from '../store/types.js';
import type { OperationsApi } from '../store/operations-repo.js';
import type { OperationEngine } from './engine.js';
import { OperationError } from './kind.js';

export interface WaitOptions {
  /** How long to wait for the tenant's running operation; 0: do not wait. */
  timeoutMs: number;
  intervalMs?: number;
  /** Called on each poll while waiting: the operation in the way and how long it has been waited for. */
  onWait?(blocking: Operation | undefined, waitedMs: number): void;
  sleep?(ms: number): Promise<void>;
}

function stepOf(op: Operation): string {
  return op.steps.find((s) => s.status === 'running' || s.status === 'failed')?.name ?? op.status;
}

export function describeBlocking(op: Operation | undefined): string {
  return op ? `${op.kind} operation ${op.id} (step ${stepOf(op)}, started ${op.startedAt.toISOString()})` : 'another operation';
}

export async function startWhenFree(engine: Pick<OperationEngine, 'start'>, operations: Pick<OperationsApi, 'listUnfinished'>, kind: string, tenant: string, state: Record<string, unknown>, options: WaitOptions): Promise<Operation> {
  const interval = options.intervalMs ?? 2_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const began = Date.now();
  for (;;) {
    try {
      return await engine.start(kind, tenant, state);
    } catch (error) {
      if ((error as { code?: string }).code !== 'store.operation-in-progress') throw error;
      const blocking = (await operations.listUnfinished(tenant))[0];
      const waited = Date.now() - began;
      if (waited >= options.timeoutMs) {
        throw new OperationError('operations.wait-timeout', `tenant ${tenant} still has ${describeBlocking(blocking)} after waiting ${Math.round(waited / 1000)} s; try again when it ends (rp9 status ${tenant}), or wait longer with --wait`);
      }
      options.onWait?.(blocking, waited);
      await sleep(Math.min(interval, Math.max(1, options.timeoutMs - waited)));
    }
  }
}

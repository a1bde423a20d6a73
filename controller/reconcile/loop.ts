// The reconcile loop: one pass at a time, on an interval, at once on a
// trigger (webhook push, drift), sooner with capped backoff after a transient
// failure. Only the holder of the leader lease reconciles.
import type { Logger } from '../../kernel/log/logger.js';
import { backoffDelay } from '../apply/retry.js';
import type { ReconcileResult } from './reconciler.js';

export type Role = 'leader' | 'standby' | 'unknown';

export interface LeaderLease {
  /** Acquires or renews; true while this process leads. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

export interface LoopOptions {
  reconcile(): Promise<ReconcileResult>;
  intervalMs: number;
  backoff: { baseMs: number; maxMs: number };
  lease: LeaderLease;
  /** How often the lease is renewed (and a standby tries to take it). */
  leaseRenewMs: number;
  logger: Logger;
  onRole?(role: Role): void;
  onResult?(result: ReconcileResult): void;
}

export interface ReconcileLoop {
  trigger(reason: string): void;
  role(): Role;
  lastResult(): ReconcileResult | undefined;
  /** Pending triggers not yet served (0 or 1: triggers coalesce). */
  queueDepth(): number;
  /** Resolves when the pass in flight (if any) and every queued one are done. */
  idle(): Promise<void>;
  /** Resolves with the next finished pass's result (undefined if the loop stops first). */
  waitForResult(): Promise<ReconcileResult | undefined>;
  /** Stops after the pass in flight. `releaseLease: false` keeps the lease until it expires, as a crash would. */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

export function startReconcileLoop(options: LoopOptions): ReconcileLoop {
  let role: Role = 'unknown';
  let running: Promise<void> | undefined;
  let pending: string | undefined;
  let failures = 0;
  let last: ReconcileResult | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  const waiters: ((result: ReconcileResult | undefined) => void)[] = [];

  function setRole(next: Role): void {
    if (next === role) return;
    options.logger.info(next === 'leader' ? 'became leader' : 'not leader', { role: next, previous: role });
    role = next;
    options.onRole?.(next);
    if (next === 'leader') trigger('leader elected');
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => trigger('interval'), delayMs);
    timer.unref?.();
  }

  async function pass(reason: string): Promise<void> {
    if (role !== 'leader') return;
    options.logger.debug('reconcile triggered', { reason });
    try {
      last = await options.reconcile();
      options.onResult?.(last);
      for (const resolve of waiters.splice(0)) resolve(last);
      failures = last.retrySoon ? failures + 1 : 0;
    } catch (error) {
      failures += 1;
      options.logger.error('reconcile crashed; will retry', { error: error instanceof Error ? error.message : String(error) });
    }
    const delay = failures > 0 ? backoffDelay(failures, options.backoff.baseMs, Math.min(options.backoff.maxMs, options.intervalMs)) : options.intervalMs;
    schedule(delay);
  }

  function trigger(reason: string): void {
    if (stopped) return;
    if (running) {
      pending = reason;
      return;
    }
    running = (async () => {
      let next: string | undefined = reason;
      while (next !== undefined && !stopped) {
        pending = undefined;
        await pass(next);
        next = pending;
      }
    })().finally(() => {
      running = undefined;
    });
  }

  async function tickLease(): Promise<void> {
    try {
      setRole((await options.lease.hold()) ? 'leader' : 'standby');
    } catch (error) {
      options.logger.warn('leader lease check failed', { error: error instanceof Error ? error.message : String(error) });
      setRole('standby');
    }
    if (stopped) return;
    leaseTimer = setTimeout(() => void tickLease(), options.leaseRenewMs);
    leaseTimer.unref?.();
  }

  void tickLease();

  return {
    trigger,
    role: () => role,
    lastResult: () => last,
    queueDepth: () => (pending === undefined ? 0 : 1),
    waitForResult() {
      return new Promise((resolve) => {
        if (stopped) resolve(undefined);
        else waiters.push(resolve);
      });
    },
    async idle() {
      while (running) await running;
    },
    async stop(stopOptions = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (leaseTimer) clearTimeout(leaseTimer);
      while (running) await running;
      for (const resolve of waiters.splice(0)) resolve(undefined);
      if (role === 'leader' && stopOptions.releaseLease !== false) await options.lease.release().catch(() => undefined);
      role = 'standby';
    },
  };
}

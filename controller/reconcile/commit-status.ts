// The one-line summary the controller posts on each commit it reads: which
// state a pass's outcome maps to (pending while transient failures are
// retried, failure only for terminal ones), de-duplication so the same status
// is not posted twice, and retries with backoff of posts the forge refused.
import type { Forge } from '../../edges/forge/forge.js';
import { backoffDelay } from '../apply/retry.js';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  commit: string;
  state: CommitState;
  description: string;
}

export interface PassFailure {
  tenant: string;
  message: string;
  transient: boolean;
}

export function appliedSummary(applied: number, total: number, failures: { tenant: string; message: string }[]): CommitStatus['description'] {
  if (failures.length === 0) return `applied ${applied}/${total} tenants`;
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  return `${first.tenant}: ${first.message}${more}`;
}

/**
 * The status of a commit after an apply pass: success when every tenant applied;
 * failure when a failure is terminal (named first); pending while every failure
 * is transient, as the controller retries them with backoff.
 */
export function passStatus(applied: number, total: number, failures: readonly PassFailure[]): Pick<CommitStatus, 'state' | 'description'> {
  if (failures.length === 0) return { state: 'success', description: appliedSummary(applied, total, []) };
  const terminal = failures.filter((f) => !f.transient);
  if (terminal.length > 0) return { state: 'failure', description: appliedSummary(applied, total, [...terminal, ...failures.filter((f) => f.transient)]) };
  return { state: 'pending', description: `retrying ${failures.length === 1 ? '1 tenant' : `${failures.length} tenants`} with backoff: ${appliedSummary(applied, total, [...failures])}` };
}

export interface CommitStatusReporter {
  report(status: CommitStatus): Promise<void>;
  /** Stops pending retries (the controller is stopping). */
  close(): void;
}

export interface ReporterOptions {
  environment: () => string;
  targetUrl?: string;
  /** A post failed; `retryInMs` is set when it will be tried again, unset when the reporter gave up on it. */
  onError?(error: unknown, retryInMs?: number): void;
  /** Retries of a failed post (default 6 attempts, 2 s doubling up to 60 s). A newer status for the same commit replaces a pending retry. */
  retry?: { attempts: number; baseMs: number; maxMs: number };
}

/** Posts to the forge with context `rp9/<environment>`, one post at a time; skips a status identical to the last one posted for that commit. */
export function createCommitStatusReporter(forge: Forge | undefined, options: ReporterOptions): CommitStatusReporter {
  const retry = options.retry ?? { attempts: 6, baseMs: 2_000, maxMs: 60_000 };
  const posted = new Map<string, string>();
  /** The newest status asked for per commit: a retry of an older one is dropped. */
  const latest = new Map<string, CommitStatus>();
  const timers = new Set<NodeJS.Timeout>();
  let tail: Promise<void> = Promise.resolve();
  let closed = false;

  const keyOf = (status: CommitStatus) => `${status.state}\n${status.description}`;

  async function post(status: CommitStatus, attempt: number): Promise<void> {
    if (!forge || closed || latest.get(status.commit) !== status) return;
    if (posted.get(status.commit) === keyOf(status)) return;
    try {
      await forge.setCommitStatus({
        sha: status.commit,
        state: status.state,
        context: `rp9/${options.environment()}`,
        description: status.description,
        ...(options.targetUrl ? { targetUrl: options.targetUrl } : {}),
      });
      posted.set(status.commit, keyOf(status));
      if (posted.size > 100) posted.delete(posted.keys().next().value as string);
    } catch (error) {
      if (attempt >= retry.attempts || closed) {
        options.onError?.(error);
        return;
      }
      const delay = backoffDelay(attempt, retry.baseMs, retry.maxMs);
      options.onError?.(error, delay);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void enqueue(status, attempt + 1);
      }, delay);
      timer.unref?.();
      timers.add(timer);
    }
  }

  function enqueue(status: CommitStatus, attempt: number): Promise<void> {
    tail = tail.then(() => post(status, attempt)).catch((error: unknown) => options.onError?.(error));
    return tail;
  }

  return {
    report(status) {
      if (!forge) return Promise.resolve();
      latest.delete(status.commit);
      latest.set(status.commit, status);
      if (latest.size > 100) latest.delete(latest.keys().next().value as string);
      return enqueue(status, 1);
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

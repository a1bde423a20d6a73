// Capped exponential backoff for transient errors. Terminal errors and the
// last attempt's error are rethrown as they are.

export type ErrorClass = 'transient' | 'terminal';

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  classify(error: unknown): ErrorClass;
  sleep?(ms: number): Promise<void>;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

/** Delay before retry number `attempt` (1-based): base · 2^(attempt-1), capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || options.classify(error) === 'terminal') throw error;
      const delay = backoffDelay(attempt, options.baseMs, options.maxMs);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}

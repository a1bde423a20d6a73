// Bounded polling for tests: every wait has a deadline and says what it was
// waiting for (and what it last saw) when it runs out, failing the test.

export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `check` until it returns a value other than undefined/false, at most
 * until `timeoutMs` has passed. A throwing check counts as "not yet" (its
 * message is reported if the deadline passes).
 */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, options: UntilOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / intervalMs) + 1; attempt += 1) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = String(value);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

export interface NothingForOptions {
  forMs: number;
  intervalMs?: number;
}

/**
 * The negative of `until`: calls `check` for `forMs` and fails as soon as it
 * reports something (a description of what happened; undefined/false while
 * nothing did). A throwing check fails too. Use it to show that something
 * did not happen within a bounded time long enough for it to have happened.
 */
export async function nothingFor(what: string, check: () => Promise<string | undefined | false> | string | undefined | false, options: NothingForOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + options.forMs;
  for (let attempt = 0; attempt < Math.ceil(options.forMs / intervalMs) + 1; attempt += 1) {
    const seen = await check();
    if (seen !== undefined && seen !== false) throw new Error(`${what} happened within ${options.forMs} ms: ${seen}`);
    if (Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

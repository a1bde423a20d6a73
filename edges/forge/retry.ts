import { asHttpFailure, ForgeError, githubMessage, type HttpFailure } from './errors.js';

/** Bounded waiting on GitHub's primary and secondary rate limits. */
export interface RetryOptions {
  /** Tries per request, the first included (default 5). */
  maxAttempts?: number;
  /** Total time a single request may spend waiting (default 15 minutes). */
  maxTotalWaitMs?: number;
  /** Wait used for a secondary limit that gives no `retry-after` (default 60 s, doubled per attempt). */
  secondaryFallbackMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface RateLimitWait {
  kind: 'primary' | 'secondary';
  waitMs: number;
}

/**
 * Whether a failed response is a rate limit, and how long GitHub asks us to wait.
 * Primary: 403/429 with `x-ratelimit-remaining: 0` → until `x-ratelimit-reset` (+1 s).
 * Secondary: 403/429 with `retry-after`, or a "secondary rate limit" message → `retry-after` seconds,
 * else the fallback doubled per attempt. Any other 403 is a real permission error.
 */
export function rateLimitWait(failure: HttpFailure, input: { nowMs: number; attempt: number; secondaryFallbackMs: number }): RateLimitWait | undefined {
  if (failure.status !== 403 && failure.status !== 429) return undefined;
  const header = (name: string) => failure.headers[name] ?? failure.headers[name.toLowerCase()];
  const retryAfter = Number(header('retry-after'));
  if (header('retry-after') !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return { kind: 'secondary', waitMs: Math.ceil(retryAfter * 1000) };
  }
  if (header('x-ratelimit-remaining') === '0') {
    const reset = Number(header('x-ratelimit-reset'));
    const waitMs = Number.isFinite(reset) ? Math.max(0, reset * 1000 - input.nowMs) + 1000 : input.secondaryFallbackMs;
    return { kind: 'primary', waitMs };
  }
  if (failure.status === 429 || /secondary rate limit|abuse/i.test(githubMessage(failure))) {
    return { kind: 'secondary', waitMs: input.secondaryFallbackMs * 2 ** Math.max(0, input.attempt - 1) };
  }
  return undefined;
}

type RequestFn = (options: Record<string, unknown>) => Promise<unknown>;

export interface HookTarget {
  hook: { wrap(name: 'request', fn: (request: RequestFn, options: Record<string, unknown>) => Promise<unknown>): void };
}

/**
 * Wraps every Octokit request: on a rate limit, waits as GitHub asks and sends the same request again,
 * up to `maxAttempts` tries and `maxTotalWaitMs` of waiting; then fails with `forge.rate-limited`.
 * A rate-limited request was not processed by GitHub, so repeating it never duplicates work.
 */
export function installRateLimitRetry(octokit: HookTarget, options: RetryOptions = {}): void {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const maxTotalWaitMs = options.maxTotalWaitMs ?? 15 * 60_000;
  const secondaryFallbackMs = options.secondaryFallbackMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    let waited = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const failure = asHttpFailure(error);
        const wait = failure ? rateLimitWait(failure, { nowMs: now(), attempt, secondaryFallbackMs }) : undefined;
        if (!wait || !failure) throw error;
        const route = `${String(requestOptions.method)} ${String(requestOptions.url)}`;
        if (attempt >= maxAttempts || waited + wait.waitMs > maxTotalWaitMs) {
          throw new ForgeError(
            'forge.rate-limited',
            `${route}: GitHub ${wait.kind} rate limit still in force after ${attempt} attempt(s) and ${waited} ms of waiting (next wait ${wait.waitMs} ms; limits: ${maxAttempts} attempts, ${maxTotalWaitMs} ms)`,
            { operation: route, status: failure.status, cause: error },
          );
        }
        await sleep(wait.waitMs);
        waited += wait.waitMs;
      }
    }
  });
}

import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry, type ErrorClass } from './retry.js';

class Failure extends Error {
  constructor(readonly kind: ErrorClass) {
    super(kind);
  }
}

describe('backoffDelay', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [6, 3200],
    [7, 5000],
    [30, 5000],
  ])('retry %i waits %i ms (base 100, cap 5000)', (attempt, expected) => {
    expect(backoffDelay(attempt, 100, 5000)).toBe(expected);
  });
});

describe('withRetry', () => {
  const classify = (error: unknown): ErrorClass => (error instanceof Failure ? error.kind : 'terminal');

  it('retries transient errors with growing delays until it succeeds', async () => {
    // Arrange
    const slept: number[] = [];
    let calls = 0;
    const fn = async () => {
      calls += 1;
      if (calls < 3) throw new Failure('transient');
      return 'ok';
    };

    // Act
    const result = await withRetry(fn, { attempts: 5, baseMs: 10, maxMs: 1000, classify, sleep: async (ms) => void slept.push(ms) });

    // Assert
    expect(result).toBe('ok');
    expect(slept).toEqual([10, 20]);
  });

  it('gives up on a terminal error at once', async () => {
    let calls = 0;
    const fn = async () => {
      calls += 1;
      throw new Failure('terminal');
    };
    await expect(withRetry(fn, { attempts: 5, baseMs: 1, maxMs: 1, classify, sleep: async () => undefined })).rejects.toThrow('terminal');
    expect(calls).toBe(1);
  });

  it('rethrows the last transient error after the last attempt', async () => {
    let calls = 0;
    const fn = async () => {
      calls += 1;
      throw new Failure('transient');
    };
    await expect(withRetry(fn, { attempts: 3, baseMs: 1, maxMs: 1, classify, sleep: async () => undefined })).rejects.toThrow('transient');
    expect(calls).toBe(3);
  });
});

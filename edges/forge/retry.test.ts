import { describe, expect, it } from 'vitest';
import { rateLimitWait } from './retry.js';

const NOW = 1_700_000_000_000;
const failure = (status: number, headers: Record<string, string>, message = 'Forbidden') => ({ status, headers, message, data: { message } });

describe('rateLimitWait', () => {
  it.each([
    {
      name: 'primary: waits until x-ratelimit-reset plus one second',
      input: failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 30) }),
      attempt: 1,
      expected: { kind: 'primary', waitMs: 31_000 },
    },
    {
      name: 'primary with a reset already past waits one second',
      input: failure(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 5) }),
      attempt: 1,
      expected: { kind: 'primary', waitMs: 1_000 },
    },
    {
      name: 'secondary: retry-after in seconds',
      input: failure(403, { 'retry-after': '7' }, 'You have exceeded a secondary rate limit'),
      attempt: 1,
      expected: { kind: 'secondary', waitMs: 7_000 },
    },
    {
      name: 'retry-after wins over the primary headers',
      input: failure(403, { 'retry-after': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 300) }),
      attempt: 1,
      expected: { kind: 'secondary', waitMs: 2_000 },
    },
    {
      name: 'secondary without retry-after: fallback doubled per attempt',
      input: failure(403, {}, 'You have exceeded a secondary rate limit. Please wait a few minutes'),
      attempt: 3,
      expected: { kind: 'secondary', waitMs: 4 * 500 },
    },
    {
      name: '429 without headers is a secondary limit',
      input: failure(429, {}),
      attempt: 1,
      expected: { kind: 'secondary', waitMs: 500 },
    },
  ])('$name', ({ input, attempt, expected }) => {
    expect(rateLimitWait(input, { nowMs: NOW, attempt, secondaryFallbackMs: 500 })).toEqual(expected);
  });

  it.each([
    ['a plain 403 (permissions)', failure(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration')],
    ['a 404', failure(404, { 'retry-after': '1' })],
    ['a 500', failure(500, {})],
  ])('is not a rate limit: %s', (_name, input) => {
    expect(rateLimitWait(input, { nowMs: NOW, attempt: 1, secondaryFallbackMs: 500 })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { errorRateVerdict, type ExecutionCounts } from './error-rate.js';

const policy = { maxRise: 0.1, minExecutions: 10 };
const counts = (success: number, failed: number): ExecutionCounts => ({ success, failed });

describe('errorRateVerdict', () => {
  it.each<[string, ExecutionCounts | null, ExecutionCounts, 'steady' | 'rose' | 'unmeasured', RegExp]>([
    ['same rate', counts(90, 10), counts(45, 5), 'steady', /10\.0 % \(5 of 50 failed\) is within 10\.0 % of green's 10\.0 %/],
    ['a rise of exactly the threshold is accepted', counts(90, 10), counts(40, 10), 'steady', /20\.0 %/],
    ['a rise past the threshold', counts(90, 10), counts(35, 15), 'rose', /30\.0 % \(15 of 50 failed\) is more than 10\.0 % above green's 10\.0 % before the copy/],
    ['blue better than green', counts(50, 50), counts(20, 0), 'steady', /0\.0 %/],
    ['too few on blue: unmeasured, whatever the rate', counts(90, 10), counts(0, 9), 'unmeasured', /9 executions since the swap, fewer than the 10/],
    ['nothing on blue', counts(90, 10), counts(0, 0), 'unmeasured', /0 executions/],
    ['green unmeasured: a baseline of 0, blue within', counts(3, 0), counts(19, 1), 'steady', /green had too few executions/],
    ['green unmeasured: a baseline of 0, blue past it', null, counts(8, 4), 'rose', /33\.3 % .* above green's 0 %/],
  ])('%s', (_name, green, blue, verdict, reason) => {
    const result = errorRateVerdict(green, blue, policy);

    expect(result.verdict).toBe(verdict);
    expect(result.reason).toMatch(reason);
  });
});

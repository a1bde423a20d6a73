import { describe, expect, it } from 'vitest';
import { cronMatcher } from './cron.js';
import { SimError } from './errors.js';

const at = (iso: string) => new Date(iso);

describe('cronMatcher', () => {
  it.each([
    { expression: '*/15 * * * *', time: '2026-11-02T10:45:00Z', expected: true },
    { expression: '*/15 * * * *', time: '2026-11-02T10:46:00Z', expected: false },
    { expression: '0 */4 * * *', time: '2026-11-02T08:00:00Z', expected: true },
    { expression: '0 */4 * * *', time: '2026-11-02T09:00:00Z', expected: false },
    { expression: '30 2 * * 1-5', time: '2026-11-02T02:30:00Z', expected: true }, // Monday
    { expression: '30 2 * * 1-5', time: '2026-11-07T02:30:00Z', expected: false }, // Saturday
    { expression: '0 22 * * 0,6', time: '2026-11-08T22:00:00Z', expected: true }, // Sunday
    { expression: '0 22 * * 7', time: '2026-11-08T22:00:00Z', expected: true }, // 7 is Sunday too
    { expression: '5-10/5 * * * *', time: '2026-11-02T00:10:00Z', expected: true },
  ])('$expression at $time → $expected', ({ expression, time, expected }) => {
    expect(cronMatcher(expression, 'policies.autoscale.schedule')(at(time))).toBe(expected);
  });

  it.each(['*/15 * * *', '@hourly * * * *', '61 * * * *', 'MON * * * *'])('refuses %j naming the setting', (expression) => {
    const error = (() => {
      try {
        cronMatcher(expression, 'policies.autoscale.schedule');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).code).toBe('simulate.schedule-unsupported');
    expect((error as SimError).field).toBe('policies.autoscale.schedule');
  });
});

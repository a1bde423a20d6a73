import { describe, expect, it } from 'vitest';
import { billingPeriodAt, calendarPeriod } from './billing-period.js';

const at = (iso: string) => new Date(iso);
const period = (start: string, end: string) => ({ start: at(start), end: at(end) });

describe('billingPeriodAt', () => {
  it.each<[string, string, { start: string; end: string } | undefined, [start: string, end: string, key: string, source: string]]>([
    ['no subscription: the calendar month', '2026-12-06T01:30:00Z', undefined, ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-12', 'calendar']],
    ['the last instant of a month', '2026-12-31T23:59:59.999Z', undefined, ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-12', 'calendar']],
    ['inside the subscription period', '2026-12-06T01:30:00Z', { start: '2026-11-15T10:00:00Z', end: '2026-12-15T10:00:00Z' }, ['2026-11-15T10:00:00.000Z', '2026-12-15T10:00:00.000Z', '2026-11-15', 'stripe']],
    ['its first instant belongs to it', '2026-11-15T10:00:00Z', { start: '2026-11-15T10:00:00Z', end: '2026-12-15T10:00:00Z' }, ['2026-11-15T10:00:00.000Z', '2026-12-15T10:00:00.000Z', '2026-11-15', 'stripe']],
    ['its end belongs to the next: rolled a month on the same anchor', '2026-12-15T10:00:00Z', { start: '2026-11-15T10:00:00Z', end: '2026-12-15T10:00:00Z' }, ['2026-12-15T10:00:00.000Z', '2027-01-15T10:00:00.000Z', '2026-12-15', 'stripe']],
    ['ended three months ago and not read since', '2027-03-20T00:00:00Z', { start: '2026-11-15T10:00:00Z', end: '2026-12-15T10:00:00Z' }, ['2027-03-15T10:00:00.000Z', '2027-04-15T10:00:00.000Z', '2027-03-15', 'stripe']],
    ['anchored on the 31st: February is clamped to its last day', '2027-02-28T12:00:00Z', { start: '2026-12-31T00:00:00Z', end: '2027-01-31T00:00:00Z' }, ['2027-02-28T00:00:00.000Z', '2027-03-31T00:00:00.000Z', '2027-02-28', 'stripe']],
    ['anchored on the 31st, late January', '2027-02-27T12:00:00Z', { start: '2026-12-31T00:00:00Z', end: '2027-01-31T00:00:00Z' }, ['2027-01-31T00:00:00.000Z', '2027-02-28T00:00:00.000Z', '2027-01-31', 'stripe']],
    ['a yearly plan rolls by a year', '2028-02-01T00:00:00Z', { start: '2026-03-01T00:00:00Z', end: '2027-03-01T00:00:00Z' }, ['2027-03-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z', '2027-03-01', 'stripe']],
    ['a weekly plan rolls by seven days', '2026-12-20T00:00:00Z', { start: '2026-12-01T00:00:00Z', end: '2026-12-08T00:00:00Z' }, ['2026-12-15T00:00:00.000Z', '2026-12-22T00:00:00.000Z', '2026-12-15', 'stripe']],
    ['a period that has not begun: the calendar month', '2026-12-06T00:00:00Z', { start: '2026-12-10T00:00:00Z', end: '2027-01-10T00:00:00Z' }, ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-12', 'calendar']],
    ['a malformed period (end before start): the calendar month', '2026-12-06T00:00:00Z', { start: '2030-02-06T00:00:00Z', end: '2000-12-08T00:00:00Z' }, ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-12', 'calendar']],
  ])('%s', (_name, now, subscription, [start, end, key, source]) => {
    const found = billingPeriodAt(at(now), subscription ? period(subscription.start, subscription.end) : undefined);
    expect({ start: found.start.toISOString(), end: found.end.toISOString(), key: found.key, source: found.source }).toEqual({ start, end, key, source });
  });

  it('the calendar month of December ends on January 1st of the next year', () => {
    expect(calendarPeriod(at('2026-12-31T23:00:00Z')).end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

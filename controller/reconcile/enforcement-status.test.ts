import { describe, expect, it } from 'vitest';
import { enforcementStatus, type AppliedEnforcement, type EnforcementPrevious } from './enforcement-status.js';

const throttle = { limit: 'apiCallsHourly', reason: 'enforcement: apiCallsHourly at 96 %' };
const byBot = 'enforcement: executionsMonthly at 100 % of 1,000 in 2026-12';
const cond = (type: string, status: 'True' | 'False', reason: string, message = 'm') => ({ type: type as 'Throttled', status, reason, message });
const prev = (hash: string, ...conditions: ReturnType<typeof cond>[]): EnforcementPrevious => ({ appliedSpecHash: hash, conditions });

const cases: { name: string; previous: EnforcementPrevious | undefined; state: AppliedEnforcement; hash: string; counts: string[]; events: string[] }[] = [
  { name: 'nothing enforced, nothing before', previous: prev('h1'), state: { suspended: false }, hash: 'h2', counts: [], events: [] },
  { name: 'throttle applied', previous: prev('h1'), state: { suspended: false, throttle }, hash: 'h2', counts: ['throttle apiCallsHourly'], events: ['Throttled'] },
  { name: 'throttle already recorded', previous: prev('h2', cond('Throttled', 'True', 'ApiCallsHourly')), state: { suspended: false, throttle }, hash: 'h2', counts: [], events: [] },
  { name: 'throttle already applied before rp9 recorded it (same spec hash)', previous: prev('h2'), state: { suspended: false, throttle }, hash: 'h2', counts: [], events: ['Throttled'] },
  { name: 'throttle moves to another limit', previous: prev('h1', cond('Throttled', 'True', 'ExecutionsMonthly')), state: { suspended: false, throttle }, hash: 'h2', counts: ['throttle apiCallsHourly'], events: ['Throttled'] },
  { name: 'throttle lifted', previous: prev('h1', cond('Throttled', 'True', 'ApiCallsHourly')), state: { suspended: false }, hash: 'h2', counts: ['lift apiCallsHourly'], events: ['ThrottleLifted'] },
  { name: 'enforcement suspension', previous: prev('h1'), state: { suspended: true, suspendedReason: byBot }, hash: 'h2', counts: ['suspend executionsMonthly'], events: [] },
  { name: 'suspension by hand is not enforcement', previous: prev('h1'), state: { suspended: true }, hash: 'h2', counts: [], events: [] },
  { name: 'a suspension by hand taken over by the bot', previous: prev('h1', cond('Suspended', 'True', 'Manual')), state: { suspended: true, suspendedReason: byBot }, hash: 'h2', counts: ['suspend executionsMonthly'], events: [] },
  { name: 'enforcement suspension lifted', previous: prev('h1', cond('Suspended', 'True', 'ExecutionsMonthly')), state: { suspended: false }, hash: 'h2', counts: ['lift executionsMonthly'], events: [] },
  { name: 'a suspension by hand lifted by hand', previous: prev('h1', cond('Suspended', 'True', 'Manual')), state: { suspended: false }, hash: 'h2', counts: [], events: [] },
  { name: 'first status of a throttled tenant', previous: undefined, state: { suspended: false, throttle }, hash: 'h2', counts: ['throttle apiCallsHourly'], events: ['Throttled'] },
];

describe('enforcementStatus', () => {
  it.each(cases)('$name', ({ previous, state, hash, counts, events }) => {
    const status = enforcementStatus(previous, state, hash);
    expect(status.counts.map((c) => `${c.action} ${c.limitType}`)).toEqual(counts);
    expect(status.events.map((e) => e.reason)).toEqual(events);
  });

  it('writes no enforcement condition for a tenant never throttled nor suspended', () => {
    expect(enforcementStatus(prev('h1'), { suspended: false }, 'h1').conditions).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { examplePlatform, loadedTenant } from '../compile/fixtures.js';
import { MAINTENANCE_OVERRIDE_LABEL, parseOverride, pendingText, tenantMaintenance, windowDecision, type MaintenanceWindow, type WindowDecision } from './windows.js';

// 2026-12-06 is a Sunday (weekday 0).
const SAT_22 = { weekdays: [6], startHourUtc: 22, durationHours: 4 } satisfies MaintenanceWindow;
const WEEKNIGHTS_2 = { weekdays: [1, 2, 3, 4, 5], startHourUtc: 2, durationHours: 2 } satisfies MaintenanceWindow;

function show(decision: WindowDecision): string {
  switch (decision.at) {
    case 'window':
      return `window ${decision.opensAt.toISOString()}`;
    case 'now':
      return decision.why === 'in-window' ? `now in-window until ${decision.closesAt.toISOString()}` : decision.why === 'override' ? `now override until ${decision.until.toISOString()}` : 'now no-windows';
  }
}

describe('windowDecision', () => {
  it.each<[string, MaintenanceWindow[], string, string, string?]>([
    ['no windows: at once', [], '2026-12-06T12:00:00Z', 'now no-windows'],
    ['Sunday noon, Saturday 22:00 window: waits a week less 14 h', [SAT_22], '2026-12-06T12:00:00Z', 'window 2026-12-12T22:00:00.000Z'],
    ['inside the window', [SAT_22], '2026-12-12T23:30:00Z', 'now in-window until 2026-12-13T02:00:00.000Z'],
    ['past midnight, still the Saturday window', [SAT_22], '2026-12-13T01:59:59Z', 'now in-window until 2026-12-13T02:00:00.000Z'],
    ['the window has just closed', [SAT_22], '2026-12-13T02:00:00Z', 'window 2026-12-19T22:00:00.000Z'],
    ['the instant it opens', [SAT_22], '2026-12-12T22:00:00Z', 'now in-window until 2026-12-13T02:00:00.000Z'],
    ['one minute before it opens', [SAT_22], '2026-12-12T21:59:00Z', 'window 2026-12-12T22:00:00.000Z'],
    ['Sunday: the weeknight window opens Monday 02:00', [WEEKNIGHTS_2], '2026-12-06T12:00:00Z', 'window 2026-12-07T02:00:00.000Z'],
    ['Friday 05:00: next is Saturday 22:00 of the other window', [WEEKNIGHTS_2, SAT_22], '2026-12-11T05:00:00Z', 'window 2026-12-12T22:00:00.000Z'],
    ['Tuesday 03:00 inside the weeknight window', [WEEKNIGHTS_2, SAT_22], '2026-12-08T03:00:00Z', 'now in-window until 2026-12-08T04:00:00.000Z'],
    ['a 24 h window on every day is always open', [{ weekdays: [0, 1, 2, 3, 4, 5, 6], startHourUtc: 0, durationHours: 24 }], '2026-12-09T17:12:00Z', 'now in-window until 2026-12-10T00:00:00.000Z'],
    ['override in force', [SAT_22], '2026-12-06T12:00:00Z', 'now override until 2026-12-06T18:00:00.000Z', '2026-12-06T18:00:00Z'],
    ['override spent', [SAT_22], '2026-12-06T19:00:00Z', 'window 2026-12-12T22:00:00.000Z', '2026-12-06T18:00:00Z'],
  ])('%s', (_name, windows, now, expected, override) => {
    const overrideUntil = override ? new Date(override) : undefined;
    expect(show(windowDecision({ windows, ...(overrideUntil ? { overrideUntil } : {}) }, new Date(now)))).toBe(expected);
  });
});

describe('parseOverride', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['2026-12-06T18:00:00Z', '2026-12-06T18:00:00.000Z'],
    ['2026-12-06T18:00Z', '2026-12-06T18:00:00.000Z'],
    ['2026-12-06T19:00:00+01:00', '2026-12-06T18:00:00.000Z'],
    ['2026-12-06', 'invalid'],
    ['now', 'invalid'],
    ['2026-13-40T18:00:00Z', 'invalid'],
  ])('%s → %s', (value, expected) => {
    const parsed = parseOverride(value);
    expect(parsed instanceof Date ? parsed.toISOString() : parsed).toBe(expected);
  });
});

describe('tenantMaintenance', () => {
  const platform = examplePlatform();
  const withPlanWindows = { ...platform, spec: { ...platform.spec, plans: { ...platform.spec.plans, pro: { ...platform.spec.plans.pro!, maintenanceWindows: [SAT_22] as [MaintenanceWindow] } } } };
  it('takes the plan\'s windows', () => {
    expect(tenantMaintenance(withPlanWindows, loadedTenant('acme', { plan: 'pro', mode: 'dedicated' }).tenant)).toEqual({ windows: [SAT_22] });
  });
  it('the tenant\'s own windows replace the plan\'s', () => {
    const tenant = loadedTenant('acme', { plan: 'pro', mode: 'dedicated', maintenance: { windows: [WEEKNIGHTS_2] } }).tenant;
    expect(tenantMaintenance(withPlanWindows, tenant)).toEqual({ windows: [WEEKNIGHTS_2] });
  });
  it('a plan without windows: none', () => {
    expect(tenantMaintenance(platform, loadedTenant('acme', { plan: 'starter', mode: 'shared' }).tenant).windows).toEqual([]);
  });
  it('reads the override label', () => {
    const tenant = loadedTenant('acme', { plan: 'pro', mode: 'dedicated' }).tenant;
    const labelled = { ...tenant, metadata: { ...tenant.metadata, labels: { [MAINTENANCE_OVERRIDE_LABEL]: '2026-12-06T18:00:00Z' } } };
    expect(tenantMaintenance(withPlanWindows, labelled).overrideUntil?.toISOString()).toBe('2026-12-06T18:00:00.000Z');
  });
});

it('pendingText', () => {
  expect(pendingText(new Date('2026-12-12T22:00:00Z'))).toBe('Pending (window opens 2026-12-12 22:00 UTC)');
});

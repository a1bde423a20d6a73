import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedState, Plan } from '../model.js';
import { convergedObserved } from '../plan/fixtures.js';
import { plan as computePlan } from '../plan/plan.js';
import { renderPlanJson } from '../plan/render-json.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';
import { divertUpgrades } from '../upgrades/divert-upgrades.js';
import { maintenanceByTenant, pendingWindows, runnableNow, schedulePlan } from './schedule-plan.js';
import type { MaintenanceWindow } from './windows.js';

const SAT_22: [MaintenanceWindow] = [{ weekdays: [6], startHourUtc: 22, durationHours: 4 }];
const base = examplePlatform();
const platform = { ...base, spec: { ...base.spec, plans: { ...base.spec.plans, pro: { ...base.spec.plans.pro!, maintenanceWindows: SAT_22 } } } };
const context = exampleCompileContext(platform);
const SUNDAY_NOON = new Date('2026-12-06T12:00:00Z');
const SATURDAY_23 = new Date('2026-12-12T23:00:00Z');

const dedicated = (spec: Partial<LoadedTenant['tenant']['spec']> = {}) =>
  loadedTenant('acme', { mode: 'dedicated', plan: 'pro', n8n: { version: '2.41.1' }, resources: { cpu: 2, memoryMb: 2048, workers: 1 }, ...spec });
const resubdomained = dedicated({ subdomain: 'acme2' });
const desiredOf = (t: LoadedTenant) => compileDesired(platform, [t], context, {});
const observedOf = (t: LoadedTenant): ObservedState => convergedObserved(desiredOf(t));

function planned(from: LoadedTenant, to: LoadedTenant, now: Date, upgrade = false): Plan {
  let p = computePlan(desiredOf(to), observedOf(from), { maxDeletionPercent: 100 });
  if (upgrade) p = divertUpgrades(p, { running: new Map(), failed: new Map() }).plan;
  return schedulePlan(p, maintenanceByTenant(platform, [to]), now);
}
const marks = (p: Plan) => p.tenants.flatMap((t) => t.actions.filter((a) => a.op !== 'noop').map((a) => `${a.op} ${a.kind} ${a.name} @${a.at}`));

describe('schedulePlan', () => {
  it.each<[string, LoadedTenant, LoadedTenant, Date, string | undefined, string[]]>([
    [
      'a subdomain change (recreate of the running main) outside the window waits, whole',
      dedicated(), resubdomained, SUNDAY_NOON, '2026-12-12T22:00:00.000Z',
      ['recreate container rp9-acme-main @window', 'recreate container rp9-acme-worker-1 @window', 'update route acme @window'],
    ],
    [
      'the same change inside the window applies now',
      dedicated(), resubdomained, SATURDAY_23, undefined,
      ['recreate container rp9-acme-main @now', 'recreate container rp9-acme-worker-1 @now', 'update route acme @now'],
    ],
    [
      'a memory change (in place, no downtime) applies now outside the window',
      dedicated(), dedicated({ resources: { cpu: 2, memoryMb: 3072, workers: 1 } }), SUNDAY_NOON, undefined,
      ['update container rp9-acme-main @now', 'update container rp9-acme-worker-1 @now'],
    ],
    [
      'suspension (a stop with downtime) never waits',
      dedicated(), dedicated({ suspended: true }), SUNDAY_NOON, undefined,
      ['update route acme @now', 'stop container rp9-acme-worker-1 @now', 'stop container rp9-acme-main @now'],
    ],
  ])('%s', (_name, from, to, now, opensAt, expected) => {
    const p = planned(from, to, now);
    expect(p.tenants[0]?.windowOpensAt).toBe(opensAt);
    expect(marks(p)).toEqual(expected);
  });

  it('a tenant on a plan without windows applies at once', () => {
    const t = loadedTenant('acme', { mode: 'dedicated', plan: 'enterprise', resources: { cpu: 4, memoryMb: 4096, workers: 1 } });
    const to = loadedTenant('acme', { mode: 'dedicated', plan: 'enterprise', subdomain: 'acme2', resources: { cpu: 4, memoryMb: 4096, workers: 1 } });
    const p = schedulePlan(computePlan(desiredOf(to), observedOf(t), { maxDeletionPercent: 100 }), maintenanceByTenant(platform, [to]), SUNDAY_NOON);
    expect(p.tenants[0]?.windowOpensAt).toBeUndefined();
    expect(p.tenants[0]?.actions.some((a) => a.downtime)).toBe(true);
    expect(p.tenants[0]?.actions.every((a) => a.at === undefined)).toBe(true);
  });

  it('an upgrade starts at the window, not before', () => {
    const from = dedicated({ n8n: { version: '1.123.81' } });
    const outside = planned(from, dedicated(), SUNDAY_NOON, true);
    expect(outside.tenants[0]).toMatchObject({ windowOpensAt: '2026-12-12T22:00:00.000Z', operation: { kind: 'upgrade', status: 'start', at: 'window' } });
    const inside = planned(from, dedicated(), SATURDAY_23, true);
    expect(inside.tenants[0]).toMatchObject({ operation: { status: 'start', at: 'now' } });
    expect(inside.tenants[0]?.windowOpensAt).toBeUndefined();
  });

  it('the emergency label applies it at once', () => {
    const to = resubdomained;
    const labelled = { ...to, tenant: { ...to.tenant, metadata: { ...to.tenant.metadata, labels: { 'rp9.io/maintenance-override': '2026-12-06T13:00:00Z' } } } };
    const p = schedulePlan(computePlan(desiredOf(labelled), observedOf(dedicated()), { maxDeletionPercent: 100 }), maintenanceByTenant(platform, [labelled]), SUNDAY_NOON);
    expect(p.tenants[0]?.windowOpensAt).toBeUndefined();
  });
});

describe('runnableNow', () => {
  it('drops what waits, keeps the rest, recounts the summary', () => {
    const other = loadedTenant('beta', { mode: 'dedicated', plan: 'enterprise', resources: { cpu: 4, memoryMb: 4096, workers: 1 } });
    const otherTo = loadedTenant('beta', { mode: 'dedicated', plan: 'enterprise', subdomain: 'beta2', resources: { cpu: 4, memoryMb: 4096, workers: 1 } });
    const computed = computePlan(compileDesired(platform, [resubdomained, otherTo], context, {}), convergedObserved(compileDesired(platform, [dedicated(), other], context, {})), { maxDeletionPercent: 100 });
    const p = schedulePlan(computed, maintenanceByTenant(platform, [resubdomained, otherTo]), SUNDAY_NOON);
    expect(p.summary.downtime).toBe(2);
    const runnable = runnableNow(p);
    expect(marks(runnable)).toEqual(['recreate container rp9-beta-main @undefined', 'recreate container rp9-beta-worker-1 @undefined', 'update route beta @undefined']);
    expect(runnable.summary).toMatchObject({ recreate: 2, downtime: 1, update: 1 });
    expect([...pendingWindows(p)]).toEqual([['acme', new Date('2026-12-12T22:00:00Z')]]);
  });
  it('leaves a plan with nothing waiting as it is', () => {
    const p = planned(dedicated(), resubdomained, SATURDAY_23);
    expect(runnableNow(p)).toBe(p);
  });
});

describe('rendered plans mark each action now or at window', () => {
  it('text, markdown and JSON', () => {
    const p = planned(dedicated(), resubdomained, SUNDAY_NOON);
    const text = renderPlanText(p);
    expect(text).toContain('~ tenant acme (update): Pending (window opens 2026-12-12 22:00 UTC)');
    expect(text).toMatch(/rp9-acme-main .*\(.*downtime, at window\)/);
    expect(renderPlanMarkdown(p)).toContain('**Pending (window opens 2026-12-12 22:00 UTC)**');
    expect(renderPlanMarkdown(p)).toMatch(/rp9-acme-main`.*at window/);
    const json = JSON.parse(renderPlanJson(p)) as { tenants: { windowOpensAt: string; actions: { at: string }[] }[] };
    expect(json.tenants[0]?.windowOpensAt).toBe('2026-12-12T22:00:00.000Z');
    expect(json.tenants[0]?.actions.map((a) => a.at)).toEqual(['window', 'window', 'window']);
    const inside = renderPlanText(planned(dedicated(), resubdomained, SATURDAY_23));
    expect(inside).not.toContain('Pending');
    expect(inside).toMatch(/rp9-acme-main .*\(.*downtime, now\)/);
  });
});

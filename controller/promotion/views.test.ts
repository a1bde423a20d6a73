import { describe, expect, it } from 'vitest';
import { examplePlatform, exampleCompileContext, loadedTenant } from '../compile/fixtures.js';
import { compileTenant, compileTenantWith } from '../compile/compile-tenant.js';
import { containerTemplate } from '../compile/containers.js';
import type { DesiredContainer, DesiredRoute } from '../model.js';
import type { Operation, StepStatus } from '../store/types.js';
import { duePromotions, failedPromotions, promotionRoutes, promotionViews, routeOf } from './views.js';

const STEPS = ['backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch', 'finish'];
const now = new Date('2026-12-06T00:30:00Z');

function op(tenant: string, statuses: Partial<Record<string, StepStatus>>, extra: Partial<Operation> = {}): Operation {
  const steps = STEPS.map((name) => ({ name, status: statuses[name] ?? 'pending', startedAt: null, finishedAt: null, error: null }));
  const current = steps.findIndex((s) => s.status === 'running' || s.status === 'failed');
  return {
    id: `op-${tenant}`, tenant, kind: 'promotion', status: 'running', steps, currentStep: current === -1 ? steps.length : current,
    state: { ttlMinutes: 10, frozenAt: '2026-12-06T00:29:00Z', generation: 'g1' }, error: null,
    startedAt: now, updatedAt: now, finishedAt: null, ...extra,
  };
}

const done = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'done' as StepStatus]));

describe('routeOf', () => {
  it.each([
    ['before the freeze', op('a', { ...done('backup', 'dedicated-up'), record: 'running' }), 'shared'],
    ['while freezing', op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record'), freeze: 'running' }), 'frozen'],
    ['while importing', op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export'), import: 'running' }), 'frozen'],
    ['after the switch', op('a', { ...done(...STEPS.slice(0, 10)), finish: 'running' }), 'dedicated'],
    ['undoing after a failed verify', op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export', 'import'), activate: 'rolled-back', verify: 'rolled-back' }, { status: 'failed' }), 'frozen'],
    ['freeze undone', op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record'), freeze: 'rolled-back' }, { status: 'failed' }), 'shared'],
  ])('%s', (_name, operation, expected) => {
    expect(routeOf(operation)).toBe(expected);
  });
});

describe('promotionViews', () => {
  it('takes each tenant\'s newest promotion: migrating with its step and freeze, promoted, failed (stack stopped)', () => {
    const views = promotionViews([
      op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record', 'freeze'), export: 'running' }),
      op('b', done(...STEPS), { status: 'done', finishedAt: now, state: { freezeSeconds: 12.5 } }),
      op('c', {}, { status: 'rolled-back', finishedAt: now, error: '[promotion.freeze-expired] late' }),
      op('a', done(...STEPS), { id: 'older', status: 'done', finishedAt: now }),
    ], now);
    expect(views.get('a')).toMatchObject({ phase: 'migrating', step: 'export', route: 'frozen', stopped: false, freezeSeconds: 60 });
    expect(views.get('b')).toMatchObject({ phase: 'promoted', route: 'dedicated', freezeSeconds: 12.5 });
    expect(views.get('c')).toMatchObject({ phase: 'failed', route: 'shared', stopped: true, error: '[promotion.freeze-expired] late' });
  });
});

describe('duePromotions', () => {
  const promo = (window: string) => ({ window, ttlMinutes: 15 });
  const tenants = [
    { ...loadedTenant('due', { mode: 'dedicated', plan: 'pro', promotion: promo('2026-12-06T00:00:00Z') }), generation: 'g1' },
    { ...loadedTenant('ahead', { mode: 'dedicated', plan: 'pro', promotion: promo('2026-12-07T00:00:00Z') }), generation: 'g1' },
    { ...loadedTenant('sharedone', { mode: 'shared', plan: 'pro', promotion: promo('2026-12-06T00:00:00Z') }), generation: 'g1' },
    { ...loadedTenant('failedsame', { mode: 'dedicated', plan: 'pro', promotion: promo('2026-12-06T00:00:00Z') }), generation: 'g1' },
    { ...loadedTenant('failedchanged', { mode: 'dedicated', plan: 'pro', promotion: promo('2026-12-06T00:00:00Z') }), generation: 'g2' },
    { ...loadedTenant('moving', { mode: 'dedicated', plan: 'pro', promotion: promo('2026-12-06T00:00:00Z') }), generation: 'g1' },
  ];
  it('starts the open windows of dedicated tenants, not one moving, nor one that failed at the same generation', () => {
    const views = promotionViews([
      op('failedsame', {}, { status: 'rolled-back', finishedAt: now }),
      op('failedchanged', {}, { status: 'rolled-back', finishedAt: now }),
      op('moving', { backup: 'running' }),
    ], now);
    const due = duePromotions(tenants, views, now, 'abc123');
    expect(due.map((d) => d.tenant)).toEqual(['due', 'failedchanged']);
    expect(due[0]?.input).toEqual({ ttlMinutes: 15, window: '2026-12-06T00:00:00Z', commit: 'abc123', graceDays: 7, generation: 'g1' });
  });
});

describe('failedPromotions', () => {
  it('stalls a tenant whose promotion failed at the generation git still has, not once git changed, nor a moving or promoted one', () => {
    const g = (name: string, generation: string) => ({ ...loadedTenant(name, { mode: 'dedicated', plan: 'pro', promotion: { window: '2026-12-06T00:00:00Z', ttlMinutes: 10 } }), generation });
    const views = promotionViews([
      op('same', {}, { status: 'rolled-back', finishedAt: now, error: '[n8n.cli-failed] refused' }),
      op('changed', {}, { status: 'rolled-back', finishedAt: now }),
      op('moving', { backup: 'running' }),
      op('moved', done(...STEPS), { status: 'done', finishedAt: now }),
    ], now);
    const held = failedPromotions([g('same', 'g1'), g('changed', 'g2'), g('moving', 'g1'), g('moved', 'g1'), g('never', 'g1')], views);
    expect(held).toEqual([{ tenant: 'same', code: 'promotion.promotion-failed', message: expect.stringContaining('[n8n.cli-failed] refused'), transient: false }]);
  });
});

describe('compile follows the promotion journal', () => {
  const platform = examplePlatform();
  const context = exampleCompileContext(platform);
  const tenant = loadedTenant('mover', { mode: 'dedicated', plan: 'pro', promotion: { window: '2026-12-06T00:00:00Z', ttlMinutes: 10 } });
  const compile = (promotion: Parameters<typeof compileTenantWith>[4]) => compileTenantWith(platform, tenant, containerTemplate(context), now, promotion).resources;
  const route = (resources: ReturnType<typeof compile>) => (resources.find((r) => r.kind === 'route') as DesiredRoute).target.type;
  const running = (resources: ReturnType<typeof compile>) => resources.filter((r): r is DesiredContainer => r.kind === 'container').map((c) => c.running);
  it.each([
    ['no promotion yet', null, 'shared', [true, true, true]],
    ['frozen', { route: 'frozen', stopped: false }, 'suspended', [true, true, true]],
    ['switched', { route: 'dedicated', stopped: false }, 'dedicated', [true, true, true]],
    ['failed: back on shared, stack stopped', { route: 'shared', stopped: true }, 'shared', [false, false, false]],
  ] as const)('%s', (_name, promotion, target, containers) => {
    const resources = compile(promotion);
    expect(route(resources)).toBe(target);
    expect(running(resources)).toEqual(containers);
  });
  it('without a journal (offline plan) shows a due promotion as moved', () => {
    expect(route(compileTenant(platform, tenant, context, now).resources)).toBe('dedicated');
  });
  it('compile input: the views as routes', () => {
    const views = promotionViews([op('a', { ...done('backup', 'dedicated-up', 'precopy', 'record'), freeze: 'running' })], now);
    expect(promotionRoutes(views).get('a')).toEqual({ route: 'frozen', stopped: false });
  });
});

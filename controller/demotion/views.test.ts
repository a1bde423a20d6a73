import { describe, expect, it } from 'vitest';
import { examplePlatform, exampleCompileContext, loadedTenant } from '../compile/fixtures.js';
import { compileTenantWith } from '../compile/compile-tenant.js';
import { containerTemplate } from '../compile/containers.js';
import type { DesiredContainer, DesiredRoute, PromotionRoute } from '../model.js';
import type { Operation, StepStatus } from '../store/types.js';
import { dataOnDedicated, dedicatedStacksOf, demotionHolds, demotionRouteOf, demotionViews, dueDemotions, failedDemotions, journalRoutes, type DemotionFacts, type DemotionView } from './views.js';

const STEPS = ['backup', 'dedicated-up', 'member', 'record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch', 'stop-dedicated'];
const now = new Date('2026-12-06T12:00:00Z');
const t = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

function op(tenant: string, statuses: Partial<Record<string, StepStatus>>, extra: Partial<Operation> = {}): Operation {
  const steps = STEPS.map((name) => ({ name, status: statuses[name] ?? 'pending', startedAt: null, finishedAt: null, error: null }));
  const current = steps.findIndex((s) => s.status === 'running' || s.status === 'failed');
  return {
    id: `dem-${tenant}`, tenant, kind: 'demotion', status: 'running', steps, currentStep: current === -1 ? steps.length : current,
    state: { ttlMinutes: 10, frozenAt: '2026-12-06T11:59:00Z', generation: 'g1' }, error: null,
    startedAt: t(-5), updatedAt: now, finishedAt: null, ...extra,
  };
}
const done = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'done' as StepStatus]));
const view = (phase: DemotionView['phase'], minutes: number, extra: Partial<DemotionView> = {}): DemotionView => ({
  operationId: 'd', startedAt: t(minutes), phase, step: null, route: phase === 'demoted' ? 'shared' : 'dedicated', freezeSeconds: 0, generation: 'g1', keepStackUntil: null, error: null, ...extra,
});

describe('demotionRouteOf', () => {
  it.each([
    ['before the freeze', op('a', { ...done('backup', 'dedicated-up', 'member'), record: 'running' }), 'dedicated'],
    ['while freezing', op('a', { ...done(...STEPS.slice(0, 4)), freeze: 'running' }), 'frozen'],
    ['while importing', op('a', { ...done(...STEPS.slice(0, 6)), import: 'running' }), 'frozen'],
    ['after the switch', op('a', { ...done(...STEPS.slice(0, 10)), 'stop-dedicated': 'running' }), 'shared'],
    ['freeze undone', op('a', { ...done(...STEPS.slice(0, 4)), freeze: 'rolled-back' }, { status: 'failed' }), 'dedicated'],
  ])('%s', (_name, operation, expected) => {
    expect(demotionRouteOf(operation)).toBe(expected);
  });

  it('views: a rolled-back demotion is back on dedicated; one whose undo gave up stays where its journal left it', () => {
    const views = demotionViews([
      op('a', { ...done(...STEPS.slice(0, 4)), freeze: 'rolled-back', export: 'rolled-back' }, { status: 'rolled-back', finishedAt: now, error: '[demotion.freeze-expired] late' }),
      op('b', { ...done(...STEPS.slice(0, 7)), activate: 'failed' }, { status: 'failed', finishedAt: now, state: { generation: 'g1', undoError: 'x' } }),
      op('c', { ...done(...STEPS.slice(0, 5)), export: 'running' }),
      op('a', done(...STEPS), { id: 'older', status: 'done', finishedAt: now }),
    ], now);
    expect(views.get('a')).toMatchObject({ phase: 'failed', route: 'dedicated', operationId: 'dem-a', error: '[demotion.freeze-expired] late' });
    expect(views.get('b')).toMatchObject({ phase: 'failed', route: 'frozen' });
    expect(views.get('c')).toMatchObject({ phase: 'migrating', route: 'frozen', step: 'export', freezeSeconds: 60 });
  });
});

describe('dataOnDedicated', () => {
  it.each([
    ['a tenant created dedicated: its stack holds the data', undefined, undefined, true, true],
    ['no stack, no journal: nothing on dedicated', undefined, undefined, false, false],
    ['promoted', { phase: 'promoted', startedAt: t(-60) }, undefined, true, true],
    ['a failed promotion (git set back to shared): nothing moved', { phase: 'failed', startedAt: t(-60) }, undefined, true, false],
    ['a promotion still moving', { phase: 'migrating', startedAt: t(-60) }, undefined, true, false],
    ['demoted after its promotion', { phase: 'promoted', startedAt: t(-60) }, view('demoted', -30), true, false],
    ['a demotion rolled back after its promotion', { phase: 'promoted', startedAt: t(-60) }, view('failed', -30), true, true],
    ['a demotion moving', undefined, view('migrating', -1), true, true],
    ['promoted again after a demotion', { phase: 'promoted', startedAt: t(-10) }, view('demoted', -30), true, true],
    ['a promotion failed after a demotion', { phase: 'failed', startedAt: t(-10) }, view('demoted', -30), true, false],
  ] as const)('%s', (_name, promotion, demotion, stack, expected) => {
    expect(dataOnDedicated(promotion, demotion, stack)).toBe(expected);
  });
});

describe('dueDemotions', () => {
  const shared = (name: string, generation = 'g1', spec: Record<string, unknown> = {}) => ({ ...loadedTenant(name, { mode: 'shared', plan: 'pro', ...spec }), generation });
  const dedicated = { ...loadedTenant('stillded', { mode: 'dedicated', plan: 'pro' }), generation: 'g1' };
  const stacks = new Map(['fresh', 'moving', 'failedsame', 'failedchanged', 'demoted', 'paused', 'stillded', 'rolledbackpromo'].map((n) => [n, { n8nVersion: '2.41.1' }]));
  const facts: DemotionFacts = {
    promotions: new Map([['rolledbackpromo', { phase: 'failed', startedAt: t(-60) }]]),
    demotions: new Map([
      ['moving', view('migrating', -1)],
      ['failedsame', view('failed', -5, { generation: 'g1' })],
      ['failedchanged', view('failed', -5, { generation: 'g1' })],
      ['demoted', view('demoted', -5)],
    ]),
    stacks,
  };
  it('starts shared tenants whose data is on dedicated: not moving, not failed at the same generation, not suspended, not after a failed promotion', () => {
    const tenants = [shared('fresh'), shared('moving'), shared('failedsame'), shared('failedchanged', 'g2'), shared('demoted'), shared('paused', 'g1', { suspended: true }), dedicated, shared('rolledbackpromo'), shared('nostack')];
    const due = dueDemotions(tenants, facts, 'abc', 15);
    expect(due.map((d) => d.tenant)).toEqual(['fresh', 'failedchanged']);
    expect(due[0]?.input).toEqual({ ttlMinutes: 15, commit: 'abc', generation: 'g1', graceDays: 7, n8nVersion: '2.41.1' });
  });
});

describe('demotionHolds and journalRoutes', () => {
  const shared = (name: string) => ({ ...loadedTenant(name, { mode: 'shared', plan: 'pro' }), generation: 'g1' });
  it.each([
    ['data on dedicated, no demotion yet: stack runs, route dedicated', undefined, { route: 'dedicated', stopped: false, n8nVersion: '2.40.0' }],
    ['frozen while demoting', view('migrating', -1, { route: 'frozen' }), { route: 'frozen', stopped: false, n8nVersion: '2.40.0' }],
    ['rolled back: dedicated, running', view('failed', -1, { route: 'dedicated' }), { route: 'dedicated', stopped: false, n8nVersion: '2.40.0' }],
    ['demoted, in its grace period: stack kept stopped', view('demoted', -1, { keepStackUntil: t(60).toISOString() }), { route: 'shared', stopped: true, n8nVersion: '2.40.0' }],
    ['demoted, grace over: nothing held (containers go, database and volume stay)', view('demoted', -1, { keepStackUntil: t(-1).toISOString() }), undefined],
  ] as const)('%s', (_name, demotion, expected) => {
    const facts: DemotionFacts = { promotions: new Map(), demotions: new Map(demotion ? [['x', demotion]] : []), stacks: new Map([['x', { n8nVersion: '2.40.0' }]]) };
    expect(demotionHolds([shared('x')], facts, now).get('x')).toEqual(expected);
  });

  it('a shared tenant takes its hold, a dedicated one its promotion route; a shared tenant\'s stale promotion entry is dropped', () => {
    const tenants = [shared('s1'), shared('s2'), { ...loadedTenant('d1', { mode: 'dedicated', plan: 'pro' }), generation: 'g1' }];
    const promotions = new Map<string, PromotionRoute>([['s2', { route: 'shared', stopped: true }], ['d1', { route: 'frozen', stopped: false }]]);
    const holds = new Map([['s1', { route: 'dedicated' as const, stopped: false, n8nVersion: null }]]);
    expect(journalRoutes(tenants, promotions, holds)).toEqual(new Map<string, PromotionRoute | undefined>([['s1', holds.get('s1')], ['d1', { route: 'frozen', stopped: false }]]));
  });
});

describe('failedDemotions', () => {
  it('stalls a shared tenant whose demotion failed at the generation git still has', () => {
    const g = (name: string, generation: string, mode: 'shared' | 'dedicated' = 'shared') => ({ ...loadedTenant(name, { mode, plan: 'pro' }), generation });
    const views = new Map([['same', view('failed', -1, { error: '[n8n.cli-failed] no' })], ['changed', view('failed', -1)], ['backded', view('failed', -1)], ['moving', view('migrating', -1)]]);
    expect(failedDemotions([g('same', 'g1'), g('changed', 'g2'), g('backded', 'g1', 'dedicated'), g('moving', 'g1')], views)).toEqual([
      { tenant: 'same', code: 'demotion.demotion-failed', message: expect.stringContaining('[n8n.cli-failed] no'), transient: false },
    ]);
  });
});

describe('dedicatedStacksOf', () => {
  it('one stack per main container, the version from its image tag', () => {
    expect(dedicatedStacksOf([
      { tenant: 'a', role: 'worker', image: 'rp9/n8n:2.41.1' },
      { tenant: 'a', role: 'main', image: 'rp9/n8n:2.41.1' },
      { tenant: 'b', role: 'main', image: 'registry:5000/rp9/n8n:1.123.81' },
      { tenant: 'c', role: 'main', image: 'sha256abc' },
    ])).toEqual(new Map([['a', { n8nVersion: '2.41.1' }], ['b', { n8nVersion: '1.123.81' }], ['c', { n8nVersion: null }]]));
  });
});

describe('compile keeps a demoting tenant\'s dedicated stack', () => {
  const platform = examplePlatform();
  const context = exampleCompileContext(platform);
  const tenant = loadedTenant('mover', { mode: 'shared', plan: 'pro' });
  const compile = (hold: PromotionRoute | null) => compileTenantWith(platform, tenant, containerTemplate(context), now, hold).resources;
  it.each([
    ['no hold: a plain shared tenant', null, 'shared', [], []],
    ['before the demotion', { route: 'dedicated', stopped: false, n8nVersion: '2.40.0' }, 'dedicated', [true, true, true], ['rp9/n8n:2.40.0']],
    ['frozen', { route: 'frozen', stopped: false, n8nVersion: null }, 'suspended', [true, true, true], [`rp9/n8n:${platform.spec.dedicated.n8nVersion}`]],
    ['demoted: on shared, stack stopped', { route: 'shared', stopped: true, n8nVersion: '2.40.0' }, 'shared', [false, false, false], ['rp9/n8n:2.40.0']],
  ] as const)('%s', (_name, hold, target, running, images) => {
    const resources = compile(hold);
    expect((resources.find((r) => r.kind === 'route') as DesiredRoute).target.type).toBe(target);
    const containers = resources.filter((r): r is DesiredContainer => r.kind === 'container');
    expect(containers.map((c) => c.running)).toEqual(running);
    expect([...new Set(containers.map((c) => c.image))]).toEqual(images);
    expect(resources.filter((r) => r.kind === 'database' || r.kind === 'volume')).toHaveLength(hold ? 2 : 0);
  });
});

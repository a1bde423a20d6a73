import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedContainer, ObservedResource, ObservedState, Plan, TenantPlan } from '../model.js';
import { isForcedRecreate } from './diff-container.js';
import { ALL_AVAILABLE, convergedObserved, NOTHING_OBSERVED } from './fixtures.js';
import { plan } from './plan.js';

const platform = examplePlatform();
const context = exampleCompileContext(platform);
const options = { maxDeletionPercent: 25 };

const desiredOf = (tenants: LoadedTenant[]) => compileDesired(platform, tenants, context);
const observedOf = (tenants: LoadedTenant[]) => convergedObserved(desiredOf(tenants));
const nothingObserved = NOTHING_OBSERVED;

const dedicated = (name: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) =>
  loadedTenant(name, { mode: 'dedicated', plan: 'pro', resources: { cpu: 2, memoryMb: 2048, workers: 2 }, ...spec });
const shared = (name: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) => loadedTenant(name, { mode: 'shared', ...spec });
/** Three tenants that stay, so removing one stays under the 25% rail. */
const bystanders = [shared('b1'), shared('b2'), shared('b3')];

/** `op kind name`, with ` !` when the action causes downtime. */
function lines(tenant: TenantPlan | undefined): string[] {
  return (tenant?.actions ?? []).map((a) => `${a.op} ${a.kind} ${a.name}${a.downtime ? ' !' : ''}`);
}
function tenantPlan(result: Plan, name: string): TenantPlan | undefined {
  return result.tenants.find((t) => t.tenant === name);
}
function mapContainers(state: ObservedState, change: (c: ObservedContainer) => ObservedContainer): ObservedState {
  return { ...state, resources: state.resources.map((r) => (r.kind === 'container' ? change(r) : r)) };
}
function without(state: ObservedState, keep: (r: ObservedResource) => boolean): ObservedState {
  return { ...state, resources: state.resources.filter(keep) };
}

interface Case {
  name: string;
  desired: LoadedTenant[];
  observed: ObservedState;
  tenant: string;
  change: TenantPlan['change'];
  actions: string[];
}

const cases: Case[] = [
  {
    name: 'a new dedicated tenant is created in apply order',
    desired: [dedicated('acme')],
    observed: nothingObserved,
    tenant: 'acme',
    change: 'create',
    actions: ['create database rp9_acme', 'create volume rp9-acme-data', 'create container rp9-acme-main', 'create container rp9-acme-worker-1', 'create container rp9-acme-worker-2', 'create route acme'],
  },
  {
    name: 'a new shared tenant gets a route only',
    desired: [shared('hooli')],
    observed: nothingObserved,
    tenant: 'hooli',
    change: 'create',
    actions: ['create route hooli'],
  },
  {
    name: 'a new suspended dedicated tenant is created with its containers',
    desired: [dedicated('stark', { suspended: true, resources: { workers: 1 } })],
    observed: nothingObserved,
    tenant: 'stark',
    change: 'create',
    actions: ['create database rp9_stark', 'create volume rp9-stark-data', 'create container rp9-stark-main', 'create container rp9-stark-worker-1', 'create route stark'],
  },
  {
    name: 'nothing changes',
    desired: [dedicated('acme'), shared('hooli')],
    observed: observedOf([dedicated('acme'), shared('hooli')]),
    tenant: 'acme',
    change: 'noop',
    actions: [],
  },
  {
    name: 'suspension routes to the suspended page, then stops workers and main',
    desired: [dedicated('acme', { suspended: true })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['update route acme', 'stop container rp9-acme-worker-2', 'stop container rp9-acme-worker-1', 'stop container rp9-acme-main !'],
  },
  {
    name: 'a suspended shared tenant only changes its route',
    desired: [shared('hooli', { suspended: true })],
    observed: observedOf([shared('hooli')]),
    tenant: 'hooli',
    change: 'update',
    actions: ['update route hooli'],
  },
  {
    name: 'resuming starts main and workers before the route goes back',
    desired: [dedicated('acme')],
    observed: observedOf([dedicated('acme', { suspended: true })]),
    tenant: 'acme',
    change: 'update',
    actions: ['start container rp9-acme-main', 'start container rp9-acme-worker-1', 'start container rp9-acme-worker-2', 'update route acme'],
  },
  {
    name: 'cpu and memory change in place',
    desired: [dedicated('acme', { resources: { cpu: 3, memoryMb: 3072, workers: 2 } })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['update container rp9-acme-main', 'update container rp9-acme-worker-1', 'update container rp9-acme-worker-2'],
  },
  {
    name: 'a version change recreates every container, main with downtime',
    desired: [dedicated('acme', { n8n: { version: '1.124.0' } })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['recreate container rp9-acme-main !', 'recreate container rp9-acme-worker-1', 'recreate container rp9-acme-worker-2'],
  },
  {
    name: 'a version change of a suspended tenant recreates (stopped) without downtime, workers first',
    desired: [dedicated('acme', { suspended: true, n8n: { version: '1.124.0' } })],
    observed: observedOf([dedicated('acme', { suspended: true })]),
    tenant: 'acme',
    change: 'update',
    actions: ['recreate container rp9-acme-worker-2', 'recreate container rp9-acme-worker-1', 'recreate container rp9-acme-main'],
  },
  {
    name: 'suspension with a version change moves the route first, then recreates stopped',
    desired: [dedicated('acme', { suspended: true, n8n: { version: '1.124.0' } })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['update route acme', 'recreate container rp9-acme-worker-2', 'recreate container rp9-acme-worker-1', 'recreate container rp9-acme-main !'],
  },
  {
    name: 'more workers are created',
    desired: [dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: 4 } })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['create container rp9-acme-worker-3', 'create container rp9-acme-worker-4'],
  },
  {
    name: 'fewer workers deletes the highest first',
    desired: [dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: 1 } })],
    observed: observedOf([dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: 3 } })]),
    tenant: 'acme',
    change: 'update',
    actions: ['delete container rp9-acme-worker-3', 'delete container rp9-acme-worker-2'],
  },
  {
    name: 'a removed tenant loses route and containers, its data is retained',
    desired: bystanders,
    observed: observedOf([...bystanders, dedicated('old')]),
    tenant: 'old',
    change: 'delete',
    actions: ['delete route old', 'delete container rp9-old-worker-2', 'delete container rp9-old-worker-1', 'delete container rp9-old-main', 'retain database rp9_old', 'retain volume rp9-old-data'],
  },
  {
    name: 'a removed tenant whose data alone is left has nothing to do',
    desired: bystanders,
    observed: without(observedOf([...bystanders, dedicated('old')]), (r) => r.tenant !== 'old' || r.kind === 'database' || r.kind === 'volume'),
    tenant: 'old',
    change: 'noop',
    actions: ['retain database rp9_old', 'retain volume rp9-old-data'],
  },
  {
    name: 'a custom domain rewrites the route',
    desired: [dedicated('acme', { customDomains: ['automations.acme.com'] })],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['update route acme'],
  },
  {
    name: 'shared to dedicated builds the instance, then moves the route',
    desired: [dedicated('umbrella')],
    observed: observedOf([shared('umbrella')]),
    tenant: 'umbrella',
    change: 'update',
    actions: ['create database rp9_umbrella', 'create volume rp9-umbrella-data', 'create container rp9-umbrella-main', 'create container rp9-umbrella-worker-1', 'create container rp9-umbrella-worker-2', 'update route umbrella'],
  },
  {
    name: 'dedicated to shared moves the route, then removes the containers and keeps the data',
    desired: [shared('acme')],
    observed: observedOf([dedicated('acme')]),
    tenant: 'acme',
    change: 'update',
    actions: ['update route acme', 'delete container rp9-acme-worker-2', 'delete container rp9-acme-worker-1', 'delete container rp9-acme-main', 'retain database rp9_acme', 'retain volume rp9-acme-data'],
  },
  {
    name: 'docker unavailable: containers and volume count as missing',
    desired: [dedicated('acme')],
    observed: {
      availability: { ...ALL_AVAILABLE, docker: { available: false, reason: 'socket refused' } },
      resources: observedOf([dedicated('acme')]).resources.filter((r) => r.kind === 'database' || r.kind === 'route'),
    },
    tenant: 'acme',
    change: 'update',
    actions: ['create volume rp9-acme-data', 'create container rp9-acme-main', 'create container rp9-acme-worker-1', 'create container rp9-acme-worker-2'],
  },
  {
    name: 'a container stopped by hand is started',
    desired: [dedicated('acme')],
    observed: mapContainers(observedOf([dedicated('acme')]), (c) => (c.role === 'main' ? { ...c, state: 'exited' } : c)),
    tenant: 'acme',
    change: 'update',
    actions: ['start container rp9-acme-main'],
  },
  {
    name: 'a dead container is recreated',
    desired: [dedicated('acme')],
    observed: mapContainers(observedOf([dedicated('acme')]), (c) => (c.name === 'rp9-acme-worker-1' ? { ...c, state: 'dead' } : c)),
    tenant: 'acme',
    change: 'update',
    actions: ['recreate container rp9-acme-worker-1'],
  },
  {
    name: 'a main container missing from an existing tenant is created',
    desired: [dedicated('acme')],
    observed: without(observedOf([dedicated('acme')]), (r) => r.name !== 'rp9-acme-main'),
    tenant: 'acme',
    change: 'update',
    actions: ['create container rp9-acme-main'],
  },
];

describe('plan', () => {
  it.each(cases)('$name', ({ desired, observed, tenant, change, actions }) => {
    const result = plan(desiredOf(desired), observed, options);

    expect(result.refused).toBeUndefined();
    expect(tenantPlan(result, tenant)?.change).toBe(change);
    expect(lines(tenantPlan(result, tenant))).toEqual(actions);
  });

  it.each([
    ['a scale-up', 2, 3, [['create', 'rp9-acme-worker-3', 'workers 2 → 3']]],
    ['a scale-up by two', 1, 3, [['create', 'rp9-acme-worker-2', 'workers 1 → 3'], ['create', 'rp9-acme-worker-3', 'workers 1 → 3']]],
    ['a scale-down', 3, 2, [['delete', 'rp9-acme-worker-3', 'workers 3 → 2']]],
  ])('says why workers change on %s, both ways alike', (_name, from, to, expected) => {
    const result = plan(desiredOf([dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: to } })]), observedOf([dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: from } })]), options);

    expect(tenantPlan(result, 'acme')?.actions.map((a) => [a.op, a.name, a.reason])).toEqual(expected);
  });

  it('says a container removed by hand does not exist', () => {
    const observed = observedOf([dedicated('acme')]);
    const result = plan(desiredOf([dedicated('acme')]), { ...observed, resources: observed.resources.filter((r) => r.name !== 'rp9-acme-main') }, options);

    expect(tenantPlan(result, 'acme')?.actions.map((a) => [a.op, a.name, a.reason])).toEqual([['create', 'rp9-acme-main', 'container does not exist']]);
  });

  it('lists the fields a recreate changes', () => {
    const result = plan(desiredOf([dedicated('acme', { n8n: { version: '1.124.0' } })]), observedOf([dedicated('acme')]), options);
    const main = tenantPlan(result, 'acme')?.actions[0];

    expect(main).toMatchObject({ op: 'recreate', reason: 'configuration changed', changes: [{ field: 'image', from: 'rp9/n8n:1.123.4', to: 'rp9/n8n:1.124.0' }] });
  });

  it.each(['dead', 'removing'] as const)('forces the recreate of a %s container that carries the desired spec, and only that one', (state) => {
    const observed = mapContainers(observedOf([dedicated('acme')]), (c) => (c.name === 'rp9-acme-worker-1' ? { ...c, state } : c));
    const changed = plan(desiredOf([dedicated('acme', { n8n: { version: '1.124.0' } })]), observedOf([dedicated('acme')]), options);

    const broken = tenantPlan(plan(desiredOf([dedicated('acme')]), observed, options), 'acme')?.actions[0];

    expect(broken).toMatchObject({ op: 'recreate', reason: `container is ${state}`, changes: [{ field: 'state', from: state, to: 'running' }], force: true });
    expect(isForcedRecreate(broken!)).toBe(true);
    expect(tenantPlan(changed, 'acme')?.actions.filter((a) => a.op === 'recreate').map(isForcedRecreate)).toEqual([false, false, false]);
  });

  it('names the configuration hash when the change is not visible (env)', () => {
    const result = plan(desiredOf([dedicated('acme', { subdomain: 'acme2' })]), observedOf([dedicated('acme')]), options);
    const main = tenantPlan(result, 'acme')?.actions[0];

    expect(main?.changes).toEqual([{ field: 'config', from: expect.stringMatching(/^[0-9a-f]{16}$/), to: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
  });

  it('lists cpu and memory of an in-place update, without downtime', () => {
    const result = plan(desiredOf([dedicated('acme', { resources: { cpu: 3, memoryMb: 3072, workers: 2 } })]), observedOf([dedicated('acme')]), options);

    expect(tenantPlan(result, 'acme')?.actions[0]).toMatchObject({
      op: 'update',
      downtime: false,
      changes: [{ field: 'cpu', from: 2, to: 3 }, { field: 'memoryMb', from: 2048, to: 3072 }],
    });
  });

  it('shows the hosts of a route change', () => {
    const result = plan(desiredOf([dedicated('acme', { customDomains: ['automations.acme.com'] })]), observedOf([dedicated('acme')]), options);

    expect(tenantPlan(result, 'acme')?.actions[0]?.changes).toEqual([{ field: 'hosts', from: ['acme.rp9.example.com'], to: ['acme.rp9.example.com', 'automations.acme.com'] }]);
  });

  it('rewrites a route file edited by hand', () => {
    const observed: ObservedState = {
      ...observedOf([shared('hooli')]),
      resources: observedOf([shared('hooli')]).resources.map((r) => (r.kind === 'route' ? { ...r, hash: '' } : r)),
    };

    const result = plan(desiredOf([shared('hooli')]), observed, options);

    expect(tenantPlan(result, 'hooli')?.actions).toMatchObject([{ op: 'update', kind: 'route', changes: [{ field: 'config', from: '(edited by hand)' }] }]);
  });

  it('does a resize and a stop together', () => {
    const result = plan(desiredOf([dedicated('acme', { suspended: true, resources: { cpu: 1, memoryMb: 2048, workers: 1 } })]), observedOf([dedicated('acme', { resources: { cpu: 2, memoryMb: 2048, workers: 1 } })]), options);

    expect(lines(tenantPlan(result, 'acme'))).toEqual([
      'update container rp9-acme-main',
      'update container rp9-acme-worker-1',
      'update route acme',
      'stop container rp9-acme-worker-1',
      'stop container rp9-acme-main !',
    ]);
  });

  it('counts the summary; start and stop count as updates', () => {
    const desired = desiredOf([dedicated('acme', { suspended: true }), dedicated('wayne', { n8n: { version: '1.124.0' } }), shared('new'), ...bystanders]);
    const observed = observedOf([dedicated('acme'), dedicated('wayne'), dedicated('old'), ...bystanders]);

    const result = plan(desired, observed, options);

    // update: acme's route and 3 stops; unchanged: 3 bystander routes, acme's database and volume, wayne's database, volume and route.
    expect(result.summary).toEqual({ create: 1, update: 4, recreate: 3, delete: 4, retain: 2, unchanged: 3 + 2 + 3, downtime: 2 });
    expect(result.tenants.map((t) => `${t.tenant}:${t.change}`)).toEqual(['acme:update', 'b1:noop', 'b2:noop', 'b3:noop', 'new:create', 'old:delete', 'wayne:update']);
  });

  it('carries environment, commit, spec hash and generation', () => {
    const desired = { ...desiredOf([shared('hooli')]), commit: 'c0ffee' };

    const result = plan(desired, nothingObserved, options);

    expect(result).toMatchObject({ environment: 'test', commit: 'c0ffee' });
    expect(result.tenants[0]).toMatchObject({ specHash: desired.tenants[0]?.specHash, generation: desired.tenants[0]?.generation });
  });
});

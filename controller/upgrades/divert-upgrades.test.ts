import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedContainer, ObservedState, TenantPlan } from '../model.js';
import { convergedObserved } from '../plan/fixtures.js';
import { plan } from '../plan/plan.js';
import { renderPlanText } from '../plan/render-text.js';
import { divertUpgrades, imageVersion, versionChange } from './divert-upgrades.js';

const platform = examplePlatform();
const context = exampleCompileContext(platform);
const options = { maxDeletionPercent: 100 };
const dedicated = (version: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) =>
  loadedTenant('acme', { mode: 'dedicated', plan: 'pro', n8n: { version }, resources: { cpu: 2, memoryMb: 2048, workers: 1 }, ...spec });
const desiredOf = (t: LoadedTenant, colours?: Map<string, 'green' | 'blue'>) => compileDesired(platform, [t], context, colours ? { colours } : {});
const NONE = { running: new Map(), failed: new Map() };
const lines = (t: TenantPlan | undefined) => (t?.actions ?? []).map((a) => `${a.op} ${a.kind} ${a.name}`);

function observedAt(version: string, change: (c: ObservedContainer) => ObservedContainer = (c) => c, colours?: Map<string, 'green' | 'blue'>): ObservedState {
  const state = convergedObserved(desiredOf(dedicated(version), colours));
  return { ...state, resources: state.resources.map((r) => (r.kind === 'container' ? change(r) : r)) };
}

describe('imageVersion', () => {
  it.each([
    ['rp9/n8n:2.41.1', '2.41.1'],
    ['registry:5000/rp9/n8n:1.123.81', '1.123.81'],
    ['registry:5000/rp9/n8n', 'latest'],
  ])('%s → %s', (image, version) => expect(imageVersion(image)).toBe(version));
});

describe('divertUpgrades', () => {
  it('a version change of a running dedicated tenant is an upgrade operation, not a recreate', () => {
    const planned = plan(desiredOf(dedicated('2.41.1')), observedAt('1.123.81'), options);
    expect(lines(planned.tenants[0])).toEqual(['recreate container rp9-acme-main', 'recreate container rp9-acme-worker-1']);
    const { plan: diverted, start } = divertUpgrades(planned, NONE);
    expect(start).toEqual([{ tenant: 'acme', fromVersion: '1.123.81', toVersion: '2.41.1', greenContainers: ['rp9-acme-main', 'rp9-acme-worker-1'] }]);
    expect(diverted.tenants[0]).toMatchObject({ change: 'update', actions: [], operation: { kind: 'upgrade', status: 'start', from: '1.123.81', to: '2.41.1' } });
    expect(diverted.summary).toMatchObject({ recreate: 0, downtime: 0 });
    expect(renderPlanText(diverted)).toContain('» operation upgrade 1.123.81 → 2.41.1 (blue/green, no downtime)');
  });

  it('on a swarm a version change is a rolling update of the services, not a blue/green operation', () => {
    const swarmPlatform = { ...platform, spec: { ...platform.spec, runtime: 'swarm' as const } };
    const swarmDesired = (version: string) => compileDesired(swarmPlatform, [dedicated(version)], context);
    const planned = plan(swarmDesired('2.41.1'), convergedObserved(swarmDesired('1.123.81')), options);
    expect(planned.tenants[0]?.actions.map((a) => `${a.op} ${a.kind} ${a.name} [${a.changes.map((c) => c.field).join(',')}]`)).toEqual([
      'update service rp9-acme-main [image]',
      'update service rp9-acme-worker [image]',
    ]);
    const { plan: diverted, start } = divertUpgrades(planned, NONE);
    expect(start).toEqual([]);
    expect(diverted).toBe(planned);
  });

  it('a change that is not a version change still recreates (env, resources)', () => {
    const planned = plan(desiredOf(dedicated('2.41.1', { resources: { cpu: 2, memoryMb: 2048, workers: 2 } })), observedAt('2.41.1'), options);
    const { plan: diverted, start } = divertUpgrades(planned, NONE);
    expect(start).toEqual([]);
    expect(diverted).toBe(planned);
  });

  it('a stopped main (suspended or broken tenant) is recreated in place: nobody is served', () => {
    const planned = plan(desiredOf(dedicated('2.41.1')), observedAt('1.123.81', (c) => ({ ...c, state: 'exited' })), options);
    expect(versionChange(planned.tenants[0]!)).toBeUndefined();
    expect(divertUpgrades(planned, NONE).start).toEqual([]);
  });

  it('a tenant with an upgrade under way keeps its containers and route to the operation', () => {
    const planned = plan(desiredOf(dedicated('2.41.1')), observedAt('1.123.81'), options);
    const { plan: diverted, start } = divertUpgrades(planned, { running: new Map([['acme', { from: '1.123.81', to: '2.41.1' }]]), failed: new Map() });
    expect(start).toEqual([]);
    expect(diverted.tenants[0]).toMatchObject({ actions: [], operation: { status: 'running' } });
  });

  it('a tenant whose upgrade to this version failed is held (UpgradeFailed), not upgraded again', () => {
    const planned = plan(desiredOf(dedicated('2.41.1')), observedAt('1.123.81'), options);
    const { plan: diverted, start, held } = divertUpgrades(planned, { running: new Map(), failed: new Map([['acme', { to: '2.41.1', message: 'gate failed' }]]) });
    expect(start).toEqual([]);
    expect(held).toEqual([expect.objectContaining({ tenant: 'acme', code: 'upgrade.upgrade-failed', transient: false })]);
    expect(diverted.tenants[0]).toMatchObject({ actions: [], operation: { status: 'failed' } });
    // A different version (the revert, or a newer one) upgrades again.
    const other = divertUpgrades(planned, { running: new Map(), failed: new Map([['acme', { to: '2.40.0', message: 'x' }]]) });
    expect(other.start).toHaveLength(1);
  });

  it('after a swap to blue, the blue stack compiles to blue names and is converged', () => {
    const colours = new Map([['acme', 'blue' as const]]);
    const desired = desiredOf(dedicated('2.41.1'), colours);
    expect(desired.tenants[0]!.resources.map((r) => r.name)).toEqual(['rp9_acme_blue', 'rp9-acme-data', 'rp9-acme-blue-main', 'rp9-acme-blue-worker-1', 'acme']);
    const route = desired.tenants[0]!.resources.find((r) => r.kind === 'route');
    expect(route).toMatchObject({ target: { url: 'http://rp9-acme-blue-main:5678' } });
    const planned = plan(desired, observedAt('2.41.1', (c) => c, colours), options);
    expect(planned.tenants[0]?.change).toBe('noop');
  });
});

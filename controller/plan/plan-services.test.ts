// The pure plan over Swarm services (spec.runtime: swarm): the same plan(),
// observed services instead of containers.
import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedService, ObservedState, TenantPlan } from '../model.js';
import { convergedObserved, NOTHING_OBSERVED } from './fixtures.js';
import { plan } from './plan.js';

const base = examplePlatform();
const platform = { ...base, spec: { ...base.spec, runtime: 'swarm' as const } };
const context = exampleCompileContext(platform);
const options = { maxDeletionPercent: 100 };

const dedicated = (spec: Partial<LoadedTenant['tenant']['spec']> = {}) =>
  loadedTenant('acme', { mode: 'dedicated', plan: 'pro', resources: { cpu: 1, memoryMb: 1024, workers: 2 }, ...spec });
const desiredOf = (tenant: LoadedTenant) => compileDesired(platform, [tenant], context);
const running = convergedObserved(desiredOf(dedicated()));

function mapService(state: ObservedState, name: string, change: (s: ObservedService) => ObservedService): ObservedState {
  return { ...state, resources: state.resources.map((r) => (r.kind === 'service' && r.name === name ? change(r) : r)) };
}
/** `op kind name [field from→to, ...]`, ` !` for downtime. */
function lines(tenant: TenantPlan | undefined): string[] {
  return (tenant?.actions ?? []).map((a) => {
    const changes = a.changes.map((c) => `${c.field} ${String(c.from)}→${String(c.to)}`).join(', ');
    return `${a.op} ${a.kind} ${a.name}${changes ? ` [${changes}]` : ''}${a.downtime ? ' !' : ''}`;
  });
}

interface Case {
  name: string;
  desired: LoadedTenant;
  observed: ObservedState;
  actions: string[];
  reason?: string;
}

const serviceHash = (name: string) => (running.resources.find((r) => r.kind === 'service' && r.name === name) as ObservedService).hash;

const cases: Case[] = [
  { name: 'a converged tenant plans nothing', desired: dedicated(), observed: running, actions: [] },
  {
    name: 'a new tenant creates database, services and route in order',
    desired: dedicated(),
    observed: NOTHING_OBSERVED,
    actions: ['create database rp9_acme', 'create service rp9-acme-main', 'create service rp9-acme-worker', 'create route acme'],
  },
  {
    name: 'more workers are a replica change of the one worker service',
    desired: dedicated({ resources: { cpu: 1, memoryMb: 1024, workers: 4 } }),
    observed: running,
    actions: ['update service rp9-acme-worker [replicas 2→4]'],
    reason: 'workers 2 → 4',
  },
  {
    name: 'a resource change updates both services in place, no downtime (start-first)',
    desired: dedicated({ resources: { cpu: 2, memoryMb: 1536, workers: 2 } }),
    observed: running,
    actions: ['update service rp9-acme-main [cpu 1→2, memoryMb 1024→1536]', 'update service rp9-acme-worker [cpu 1→2, memoryMb 1024→1536]'],
    reason: 'resources change in place',
  },
  {
    name: 'a spec changed outside rp9 is repaired',
    desired: dedicated(),
    observed: mapService(running, 'rp9-acme-worker', (s) => ({ ...s, drifted: true })),
    actions: [`update service rp9-acme-worker [spec (changed outside rp9)→${serviceHash('rp9-acme-worker')}]`],
    reason: 'service spec changed outside rp9',
  },
  {
    name: 'replicas scaled by hand are scaled back',
    desired: dedicated(),
    observed: mapService(running, 'rp9-acme-worker', (s) => ({ ...s, replicas: 5 })),
    actions: ['update service rp9-acme-worker [replicas 5→2]'],
  },
  {
    name: 'a suspended tenant scales to zero after its route moved to the suspended page; main is downtime',
    desired: dedicated({ suspended: true }),
    observed: running,
    actions: ['update route acme [config ' + (running.resources.find((r) => r.kind === 'route') as { hash: string }).hash + '→' + (desiredOf(dedicated({ suspended: true })).tenants[0]!.resources.at(-1) as { hash: string }).hash + ']', 'update service rp9-acme-worker [replicas 2→0]', 'update service rp9-acme-main [replicas 1→0] !'],
  },
  {
    name: 'no workers any more: the worker service is deleted',
    desired: dedicated({ resources: { cpu: 1, memoryMb: 1024, workers: 0 } }),
    observed: running,
    actions: ['delete service rp9-acme-worker'],
    reason: 'workers 2 → 0',
  },
];

describe('plan over Swarm services', () => {
  it.each(cases)('$name', ({ desired, observed, actions, reason }) => {
    const result = plan(desiredOf(desired), observed, options);
    const acme = result.tenants.find((t) => t.tenant === desired.name);

    expect(lines(acme)).toEqual(actions);
    if (reason) expect(acme?.actions[0]?.reason).toBe(reason);
  });

  it('removes a tenant that left git: route, worker service, main service, then retains the database', () => {
    const result = plan(desiredOf(loadedTenant('other', { mode: 'shared' })), running, options);

    expect(lines(result.tenants.find((t) => t.tenant === 'acme'))).toEqual(['delete route acme', 'delete service rp9-acme-worker', 'delete service rp9-acme-main', 'retain database rp9_acme']);
  });

  it('an image change is one rolling update per service, downtime only with a fixed host port (stop-first)', () => {
    const desired = desiredOf(dedicated({ n8n: { version: '1.123.5' } }));
    const rolling = plan(desired, running, options).tenants[0];
    expect(rolling?.actions.map((a) => `${a.op} ${a.name} ${a.changes.map((c) => c.field).join(',')}${a.downtime ? ' !' : ''}`)).toEqual([
      'update rp9-acme-main image',
      'update rp9-acme-worker image',
    ]);

    const main = desired.tenants[0]!.resources.find((r) => r.kind === 'service' && r.role === 'main');
    if (main?.kind !== 'service') throw new Error('no main service');
    main.updateOrder = 'stop-first';
    expect(plan(desired, running, options).tenants[0]?.actions[0]?.downtime).toBe(true);
  });
});

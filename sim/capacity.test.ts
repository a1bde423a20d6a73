// What runs for a tenant after an apply, and the memo: the same capacity and plan outcome as compiling and planning afresh.
import { describe, expect, it } from 'vitest';
import { examplePlatform } from '../bots/core/fixtures.js';
import { compileTenant } from '../controller/compile/index.js';
import { plan as planOf } from '../controller/plan/index.js';
import { convergedObserved } from '../controller/plan/converged-observed.js';
import type { Tenant } from '../types/tenant.js';
import { applyTenant, createCapacity, createCompileMemo } from './capacity.js';
import { simulatedContext } from './context.js';
import { mergeEdits, tenantOf } from './tenant-files.js';

const platform = examplePlatform(new URL('../', import.meta.url));
const context = simulatedContext(platform);
const now = new Date('2026-11-02T00:00:00Z');
const pro = { name: 'acme', plan: 'pro', mode: 'dedicated' as const, serviceSeconds: 6, recorded: { cpu: 2, memoryMb: 2048, workers: 2 } };

function withResources(tenant: Tenant, resources: Record<string, number>): Tenant {
  return mergeEdits(tenant, Object.entries(resources).map(([field, value]) => ({ path: ['spec', 'resources', field], value })), platform).tenant;
}

/** Plan actions and downtime of going from `before` to `after`, compiled and planned afresh. */
function fresh(before: Tenant, after: Tenant, at: Date): { actions: number; restart: boolean } {
  const compile = (t: Tenant) => compileTenant(platform, { name: t.metadata.name, file: `tenants/${t.metadata.name}.yaml`, tenant: t, generation: '' }, context, at);
  const observed = convergedObserved({ environment: context.environment, tenants: [compile(before)] });
  const actions = planOf({ environment: context.environment, tenants: [compile(after)] }, observed, { maxDeletionPercent: 100 }).tenants.flatMap((t) => t.actions);
  return { actions: actions.length, restart: actions.some((action) => action.downtime) };
}

describe('applyTenant', () => {
  it.each([
    { name: 'a dedicated pro tenant', meta: pro, dedicated: 1, servers: 20, cores: 6, memoryMb: 6144 },
    { name: 'a shared starter tenant: the plan’s concurrent executions on the shared n8n, no containers', meta: { ...pro, plan: 'starter', mode: 'shared' as const, recorded: { cpu: 1, memoryMb: 1024, workers: 1 } }, dedicated: 0, servers: 2, cores: 0, memoryMb: 0 },
  ])('$name', ({ meta, dedicated, servers, cores, memoryMb }) => {
    const capacity = createCapacity(1);
    expect(applyTenant(capacity, platform, context, tenantOf(meta, platform), 0, 0, now)).toEqual({ actions: 0, restart: false });
    expect({ dedicated: capacity.dedicated[0], servers: capacity.servers[0], cores: capacity.cores[0], memoryMb: capacity.memoryMb[0] }).toEqual({ dedicated, servers, cores, memoryMb });
  });

  it('each step of a scale-up and back gives what a fresh compile and plan give, and going back compiles nothing new', () => {
    const capacity = createCapacity(1);
    const start = tenantOf(pro, platform);
    const steps = [start, withResources(start, { workers: 3 }), withResources(start, { workers: 3, cpu: 3 }), withResources(start, { workers: 2, cpu: 3 }), start, withResources(start, { workers: 3 })];
    applyTenant(capacity, platform, context, steps[0]!, 0, 0, now);
    for (let k = 1; k < steps.length; k++) {
      const applied = applyTenant(capacity, platform, context, steps[k]!, 0, k, now);
      expect(applied, `step ${k}`).toEqual(fresh(steps[k - 1]!, steps[k]!, now));
      expect(capacity.restartAt[0]).toBe(applied.restart ? k : capacity.restartAt[0]);
    }
    expect(capacity.servers[0]).toBe(30);
    expect(capacity.cores[0]).toBe(8);
    // Four distinct files, so four compiles; the last step is the first pair again, planned before.
    expect(capacity.memo.compiles[0]!.size).toBe(4);
    expect(capacity.memo.plans[0]!.size).toBe(4);
  });

  it('a promoted tenant has its containers before its window and is served by them from it (the memo tells the two apart)', () => {
    const memo = createCompileMemo(1);
    const capacity = createCapacity(1, memo);
    const shared = tenantOf({ ...pro, mode: 'shared' }, platform);
    applyTenant(capacity, platform, context, shared, 0, 0, now);
    const promoted = mergeEdits(shared, [
      { path: ['spec', 'mode'], value: 'dedicated' },
      { path: ['spec', 'promotion'], value: { window: '2026-11-07T22:00:00Z', ttlMinutes: 10, reason: 'test' } },
    ], platform).tenant;
    applyTenant(capacity, platform, context, promoted, 0, 10, now);
    expect({ dedicated: capacity.dedicated[0], servers: capacity.servers[0], cores: capacity.cores[0] }).toEqual({ dedicated: 0, servers: 10, cores: 6 });
    applyTenant(capacity, platform, context, promoted, 0, 20, new Date('2026-11-07T22:00:00Z'));
    expect({ dedicated: capacity.dedicated[0], servers: capacity.servers[0], cores: capacity.cores[0] }).toEqual({ dedicated: 1, servers: 20, cores: 6 });
    // Another run over the same tenants (the other policy) reuses the compiles.
    const other = createCapacity(1, memo);
    applyTenant(other, platform, context, shared, 0, 0, now);
    expect(other.current[0]).toBe(capacity.memo.compiles[0]!.values().next().value);
  });
});

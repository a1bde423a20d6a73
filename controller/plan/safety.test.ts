import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedResource, ObservedState } from '../model.js';
import { convergedObserved, NOTHING_OBSERVED } from './fixtures.js';
import { plan } from './plan.js';

const platform = examplePlatform();
const context = exampleCompileContext(platform);
const options = { maxDeletionPercent: 25 };
const desiredOf = (tenants: LoadedTenant[]) => compileDesired(platform, tenants, context);
const observedOf = (tenants: LoadedTenant[]) => convergedObserved(desiredOf(tenants));
const nothingObserved = NOTHING_OBSERVED;
const dedicated = (name: string) => loadedTenant(name, { mode: 'dedicated', resources: { workers: 1 } });
const shared = (name: string) => loadedTenant(name, { mode: 'shared' });
function without(state: ObservedState, keep: (r: ObservedResource) => boolean): ObservedState {
  return { ...state, resources: state.resources.filter(keep) };
}

describe('mass-deletion rail', () => {
  const four = [shared('t1'), shared('t2'), dedicated('t3'), shared('t4')];

  it.each([
    ['1 of 4 (25%) at a 25% limit', [shared('t1'), dedicated('t3'), shared('t4')], 25, false, undefined],
    ['2 of 4 (50%) at a 25% limit', [shared('t1'), shared('t2')], 25, false, 'plan.mass-deletion'],
    ['2 of 4 (50%) at a 25% limit, allowed', [shared('t1'), shared('t2')], 25, true, undefined],
    ['4 of 4 (an empty config) at a 25% limit', [], 25, false, 'plan.mass-deletion'],
    ['2 of 4 (50%) at a 50% limit', [shared('t1'), shared('t2')], 50, false, undefined],
    ['1 of 4 at a 0% limit', [shared('t1'), shared('t2'), dedicated('t3')], 0, false, 'plan.mass-deletion'],
    ['1 of 4 with a limit that is not a number', [shared('t1'), shared('t2'), dedicated('t3')], Number.NaN, false, 'plan.mass-deletion'],
  ])('%s', (_name, desired, maxDeletionPercent, allowMassDeletion, code) => {
    const result = plan(desiredOf(desired), observedOf(four), { maxDeletionPercent, allowMassDeletion });

    expect(result.refused?.code).toBe(code);
  });

  it('still returns the whole plan and says why it refused', () => {
    const result = plan(desiredOf([shared('t1')]), observedOf(four), options);

    expect(result.refused?.message).toContain('3 of 4 live tenants (75%) would be deleted, more than safety.maxDeletionPercent (25%)');
    expect(result.tenants.filter((t) => t.change === 'delete').map((t) => t.tenant)).toEqual(['t2', 't3', 't4']);
  });

  it('does not count removed tenants whose data alone is retained', () => {
    const gone = [dedicated('g1'), dedicated('g2'), dedicated('g3')];
    const observed = without(observedOf([shared('t1'), shared('t2'), ...gone]), (r) => !r.tenant.startsWith('g') || r.kind === 'database' || r.kind === 'volume');

    const result = plan(desiredOf([shared('t1'), shared('t2')]), observed, options);

    expect(result.refused).toBeUndefined();
    expect(result.summary).toMatchObject({ delete: 0, retain: 6 });
  });

  it('lets the first apply through on an empty platform', () => {
    expect(plan(desiredOf(four), nothingObserved, options).refused).toBeUndefined();
  });
});

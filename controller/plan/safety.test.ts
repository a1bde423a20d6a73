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
    ['1 of 4 (25%) at a 25% limit', [shared('t1'), dedicated('t3'), shared('t4')], 25, undefined],
    ['2 of 4 (50%) at a 25% limit', [shared('t1'), shared('t2')], 25, 'plan.mass-deletion'],
    ['4 of 4 (an empty config) at a 25% limit', [], 25, 'plan.mass-deletion'],
    ['2 of 4 (50%) at a 50% limit', [shared('t1'), shared('t2')], 50, undefined],
    ['1 of 4 at a 0% limit', [shared('t1'), shared('t2'), dedicated('t3')], 0, 'plan.mass-deletion'],
    ['1 of 4 with a limit that is not a number', [shared('t1'), shared('t2'), dedicated('t3')], Number.NaN, 'plan.mass-deletion'],
  ])('%s', (_name, desired, maxDeletionPercent, code) => {
    const result = plan(desiredOf(desired), observedOf(four), { maxDeletionPercent });

    expect(result.refused?.code).toBe(code);
  });

  it('still returns the whole plan, says why it refused and names the overrides', () => {
    const result = plan(desiredOf([shared('t1')]), observedOf(four), options);

    expect(result.refused?.message).toContain('3 of 4 live tenants (75%) would be deleted (t2, t3, t4), more than safety.maxDeletionPercent (25%)');
    expect(result.refused?.message).toContain('spec.safety.allowDeletion.tenants');
    expect(result.refused?.message).toContain('--allow-mass-deletion <commit>');
    expect(result.deletionOverride).toBeUndefined();
    expect(result.tenants.filter((t) => t.change === 'delete').map((t) => t.tenant)).toEqual(['t2', 't3', 't4']);
  });

  const commit = 'c0ffee0123456789abcdef0123456789abcdef01';
  const desiredAt = (tenants: LoadedTenant[]) => ({ ...desiredOf(tenants), commit });
  it.each([
    ['listed in spec.safety.allowDeletion', { allowDeletion: { tenants: ['t2', 't3', 't4'], reason: 'closed' } }, undefined, 'safety.allowDeletion', ['t2', 't3', 't4']],
    ['listed, and more names than removals', { allowDeletion: { tenants: ['t2', 't3', 't4', 'gone'], reason: 'closed' } }, undefined, 'safety.allowDeletion', ['t2', 't3', 't4']],
    ['only partly listed, the rest within the limit', { allowDeletion: { tenants: ['t2', 't3'], reason: 'closed' } }, undefined, 'safety.allowDeletion', ['t2', 't3']],
    ['only partly listed, the rest past the limit', { allowDeletion: { tenants: ['t2'], reason: 'closed' } }, 'plan.mass-deletion', undefined, undefined],
    ['listed under other names', { allowDeletion: { tenants: ['t5'], reason: 'closed' } }, 'plan.mass-deletion', undefined, undefined],
    ['the flag names this commit', { allowMassDeletionCommit: commit.slice(0, 7) }, undefined, '--allow-mass-deletion', ['t2', 't3', 't4']],
    ['the flag names this commit in full, upper case', { allowMassDeletionCommit: commit.toUpperCase() }, undefined, '--allow-mass-deletion', ['t2', 't3', 't4']],
    ['the flag names another commit', { allowMassDeletionCommit: 'deadbeef' }, 'plan.mass-deletion', undefined, undefined],
    ['the flag is too short a prefix to name one commit', { allowMassDeletionCommit: commit.slice(0, 6) }, 'plan.mass-deletion', undefined, undefined],
  ])('removing 3 of 4, %s', (_name, override, code, by, tenants) => {
    const result = plan(desiredAt([shared('t1')]), observedOf(four), { ...options, ...override });

    expect(result.refused?.code).toBe(code);
    expect(result.deletionOverride?.by).toBe(by);
    expect(result.deletionOverride?.tenants).toEqual(tenants);
  });

  it('does not report an override the plan does not need', () => {
    const result = plan(desiredAt(four), observedOf(four), { ...options, allowDeletion: { tenants: ['t2'], reason: 'closed' }, allowMassDeletionCommit: commit });

    expect(result.deletionOverride).toBeUndefined();
    expect(result.refused).toBeUndefined();
  });

  it('says when the flag names another commit', () => {
    const result = plan(desiredAt([shared('t1')]), observedOf(four), { ...options, allowMassDeletionCommit: 'deadbeef' });

    expect(result.refused?.message).toMatch(/\(--allow-mass-deletion deadbeef names another commit than c0ffee012345\.\)$/);
  });

  it('does not match the flag when the plan has no commit', () => {
    expect(plan(desiredOf([shared('t1')]), observedOf(four), { ...options, allowMassDeletionCommit: commit }).refused?.code).toBe('plan.mass-deletion');
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

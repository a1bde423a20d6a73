// Safety rail: refuse a plan that would take down too many tenants at once
// (a broken checkout, a wrong branch, an empty tenants/ folder).
import type { ObservedResource, PlanRefusal } from '../model.js';

export interface DeletionShare {
  /** Tenants being served now: they have a container or a route. */
  live: number;
  /** Live tenants the plan would take down. */
  deleted: number;
  percent: number;
}

/** Only tenants with something serving count: a removed tenant whose data alone is retained is already gone. */
export function deletionShare(observedByTenant: ReadonlyMap<string, readonly ObservedResource[]>, desiredTenants: ReadonlySet<string>): DeletionShare {
  let live = 0;
  let deleted = 0;
  for (const [tenant, resources] of observedByTenant) {
    if (!resources.some((r) => r.kind === 'container' || r.kind === 'route')) continue;
    live++;
    if (!desiredTenants.has(tenant)) deleted++;
  }
  return { live, deleted, percent: live === 0 ? 0 : (deleted * 100) / live };
}

/** A limit that is not a number (NaN, undefined from a careless caller) counts as 0: refuse any deletion rather than none. */
export function massDeletionRefusal(share: DeletionShare, maxDeletionPercent: number, allowMassDeletion: boolean): PlanRefusal | undefined {
  const limit = Number.isFinite(maxDeletionPercent) ? maxDeletionPercent : 0;
  if (allowMassDeletion || share.deleted === 0 || share.percent <= limit) return undefined;
  const percent = Math.round(share.percent * 10) / 10;
  return {
    code: 'plan.mass-deletion',
    message:
      `${share.deleted} of ${share.live} live tenants (${percent}%) would be deleted, more than safety.maxDeletionPercent (${limit}%). ` +
      'Nothing was applied. Check that the config checkout is complete; if the deletion is intended, allow mass deletion explicitly for this run.',
  };
}

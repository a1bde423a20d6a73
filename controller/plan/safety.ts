// Safety rail: refuse a plan that would take down too many tenants at once
// (a broken checkout, a wrong branch, an empty tenants/ folder), unless the
// removal was declared in git for those tenants (spec.safety.allowDeletion)
// or the operator let exactly one commit through (--allow-mass-deletion <commit>).
import type { DeletionOverride, ObservedResource, PlanRefusal } from '../model.js';

export interface DeletionShare {
  /** Tenants being served now: they have a container or a route. */
  live: number;
  /** Live tenants the plan would take down, sorted. */
  deletedTenants: string[];
}

/** Only tenants with something serving count: a removed tenant whose data alone is retained is already gone. */
export function deletionShare(observedByTenant: ReadonlyMap<string, readonly ObservedResource[]>, desiredTenants: ReadonlySet<string>): DeletionShare {
  let live = 0;
  const deletedTenants: string[] = [];
  for (const [tenant, resources] of observedByTenant) {
    if (!resources.some((r) => r.kind === 'container' || r.kind === 'route')) continue;
    live++;
    if (!desiredTenants.has(tenant)) deletedTenants.push(tenant);
  }
  return { live, deletedTenants: deletedTenants.sort() };
}

export interface MassDeletionPolicy {
  /** platform.spec.safety.maxDeletionPercent; a value that is not a number counts as 0. */
  maxDeletionPercent: number;
  /** platform.spec.safety.allowDeletion: removals of these tenants are intended and do not count. */
  allowDeletion?: { tenants: readonly string[]; reason: string } | undefined;
  /** `rp9 controller --allow-mass-deletion <commit>`: the one commit (full sha or a prefix of 7+) whose plan may delete past the limit. */
  allowCommit?: string | undefined;
  /** The commit being planned. */
  commit?: string | undefined;
}

export interface MassDeletionDecision {
  refused?: PlanRefusal;
  /** Set when an override let deletions through: which one, and the tenants it covered. */
  override?: DeletionOverride;
}

export const OVERRIDE_HINT =
  'If these removals are intended, list the tenants under spec.safety.allowDeletion.tenants in platform.yaml (with a reason) in the commit that removes them, ' +
  'or run the controller with --allow-mass-deletion <commit> for that one commit.';

const MIN_COMMIT_PREFIX = 7;

/** A commit flag matches only the commit it names: a forgotten flag does nothing for later commits. */
export function commitMatches(allowCommit: string | undefined, commit: string | undefined): boolean {
  if (!allowCommit || !commit) return false;
  const wanted = allowCommit.trim().toLowerCase();
  return wanted.length >= MIN_COMMIT_PREFIX && commit.toLowerCase().startsWith(wanted);
}

function listed(tenants: readonly string[], max = 5): string {
  const shown = tenants.slice(0, max).join(', ');
  return tenants.length > max ? `${shown} and ${tenants.length - max} more` : shown;
}

function round(percent: number): number {
  return Math.round(percent * 10) / 10;
}

export function massDeletionDecision(share: DeletionShare, policy: MassDeletionPolicy): MassDeletionDecision {
  const limit = Number.isFinite(policy.maxDeletionPercent) ? policy.maxDeletionPercent : 0;
  const allowed = new Set(policy.allowDeletion?.tenants ?? []);
  const covered = share.deletedTenants.filter((t) => allowed.has(t));
  const uncovered = share.deletedTenants.filter((t) => !allowed.has(t));
  const percent = share.live === 0 ? 0 : (uncovered.length * 100) / share.live;
  const declared: MassDeletionDecision = covered.length > 0 ? { override: { by: 'safety.allowDeletion', tenants: covered, reason: policy.allowDeletion!.reason } } : {};
  if (uncovered.length === 0 || percent <= limit) return declared;
  if (commitMatches(policy.allowCommit, policy.commit)) {
    return { override: { by: '--allow-mass-deletion', tenants: share.deletedTenants, reason: `flag --allow-mass-deletion ${policy.allowCommit!.trim()}` } };
  }
  const besides = covered.length > 0 ? `, besides ${covered.length} listed in spec.safety.allowDeletion` : '';
  const flag = policy.allowCommit ? ` (--allow-mass-deletion ${policy.allowCommit.trim()} names another commit than ${policy.commit ? policy.commit.slice(0, 12) : 'this plan\'s'}.)` : '';
  return {
    refused: {
      code: 'plan.mass-deletion',
      message:
        `${uncovered.length} of ${share.live} live tenants (${round(percent)}%) would be deleted (${listed(uncovered)})${besides}, more than safety.maxDeletionPercent (${limit}%). ` +
        `Nothing was applied. Check that the config checkout is complete. ${OVERRIDE_HINT}${flag}`,
    },
  };
}

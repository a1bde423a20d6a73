// One members pass: observe → plan → apply, run again at once when the first
// round invited someone (the new user's personal project is then known, so a
// suspended new tenant is handled in the same pass). At most two rounds.
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import { PROJECT_LABEL } from '../telemetry/project-attribution.js';
import { applyMembers, type MemberFailure } from './apply-members.js';
import { observeMembers, type SharedN8n } from './observe-members.js';
import { planMembers, type MemberAction, type MemberBlock, type WantedMember } from './plan-members.js';

export interface MembersPassResult {
  applied: MemberAction[];
  blocked: MemberBlock[];
  failures: MemberFailure[];
}

/** The shared tenants of a config: name, email, suspended, and the project label when set. */
export function wantedMembersOf(good: GoodConfig): (WantedMember & { projectLabel?: string })[] {
  return good.config.tenants
    .filter(({ tenant }) => tenant.spec.mode === 'shared')
    .map(({ name, tenant }) => {
      const label = tenant.metadata.labels[PROJECT_LABEL];
      return { tenant: name, email: tenant.metadata.email, suspended: tenant.spec.suspended === true, ...(label ? { projectLabel: label } : {}) };
    });
}

/** Tenants in git that are not shared (dedicated, being promoted) are left to the promotion. */
function nonShared(good: GoodConfig): Set<string> {
  return new Set(good.config.tenants.filter(({ tenant }) => tenant.spec.mode !== 'shared').map(({ name }) => name));
}

export function reconcileMembers(shared: SharedN8n, store: Store, good: GoodConfig): Promise<MembersPassResult> {
  return reconcileMemberList(shared, store, wantedMembersOf(good), nonShared(good));
}

/** The pass on a list of wanted members; `skip` names tenants in git that are not shared (their records are left alone). */
export async function reconcileMemberList(shared: SharedN8n, store: Store, wanted: readonly (WantedMember & { projectLabel?: string })[], skip: ReadonlySet<string> = new Set()): Promise<MembersPassResult> {
  const result: MembersPassResult = { applied: [], blocked: [], failures: [] };
  for (let round = 0; round < 2; round++) {
    const records = (await store.sharedMembers.list()).filter((record) => !skip.has(record.tenant));
    const observed = await observeMembers(shared, wanted, records);
    const plan = planMembers({ wanted, records, observed });
    const applied = await applyMembers(shared, store, plan.actions);
    result.applied.push(...applied.applied);
    result.failures.push(...applied.failures);
    result.blocked = plan.blocked;
    if (!applied.applied.some((action) => action.kind === 'invite-user')) break;
  }
  return result;
}

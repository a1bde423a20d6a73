// Shared tenants on the shared n8n, as a plan: from what git wants (each
// shared tenant, its email, whether suspended), what rp9 recorded (the store's
// shared_members) and what the shared n8n says (the user with that email, its
// personal project, the project's active workflows), the ordered actions that
// converge them. Pure and table-tested (plan-members.test.ts); observe-members.ts
// reads, apply-members.ts acts.
import type { SharedMember } from '../store/index.js';

/** A shared tenant in git. */
export interface WantedMember {
  tenant: string;
  email: string;
  suspended: boolean;
}

/** What the shared n8n says about one tenant's email. */
export interface ObservedMember {
  user?: { id: string; isPending: boolean };
  /** The personal project of that user (telemetry's lookup); absent when not found. */
  projectId?: string;
  /** The project's active workflow ids; absent when not read (no project, or not needed). */
  activeWorkflows?: readonly string[];
}

export type MemberAction =
  | { kind: 'invite-user'; tenant: string; email: string; reason: string }
  | { kind: 'record-user'; tenant: string; email: string; userId: string; projectId: string | null; inviteAccepted: boolean; reason: string }
  | { kind: 'enable-user'; tenant: string; userId: string; reason: string }
  | { kind: 'deactivate-workflows'; tenant: string; workflowIds: string[]; reason: string }
  | { kind: 'reactivate-workflows'; tenant: string; workflowIds: string[]; reason: string }
  | { kind: 'disable-user'; tenant: string; userId: string; reason: string };

/** A tenant whose membership cannot be converged this pass, and why (shown, retried next pass). */
export interface MemberBlock {
  tenant: string;
  code: 'members.no-project' | 'members.user-missing';
  message: string;
}

export interface MembersPlan {
  actions: MemberAction[];
  blocked: MemberBlock[];
}

export interface MembersInput {
  wanted: readonly WantedMember[];
  records: readonly SharedMember[];
  observed: ReadonlyMap<string, ObservedMember>;
}

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Workflows to switch off: active ones not already in the recorded list (a tenant can be suspended twice over). */
function toDeactivate(observed: ObservedMember, recorded: readonly string[] | null): string[] {
  const known = new Set(recorded ?? []);
  return [...(observed.activeWorkflows ?? [])].filter((id) => !known.has(id)).sort();
}

function planWanted(want: WantedMember, record: SharedMember | undefined, observed: ObservedMember, plan: MembersPlan): void {
  const { tenant } = want;
  const user = observed.user;
  if (!user) {
    if (record && sameEmail(record.email, want.email)) {
      plan.blocked.push({ tenant, code: 'members.user-missing', message: `shared tenant ${tenant}: n8n user ${record.userId} (${record.email}) recorded by rp9 is gone from the shared n8n; it is invited again` });
    }
    plan.actions.push({ kind: 'invite-user', tenant, email: want.email, reason: `no member ${want.email} on the shared n8n` });
    return;
  }
  const projectId = observed.projectId ?? null;
  const accepted = !user.isPending && record?.acceptUrl !== null;
  if (!record || record.userId !== user.id || !sameEmail(record.email, want.email) || (projectId !== null && record.projectId !== projectId) || accepted) {
    const reason = !record ? `member ${want.email} exists on the shared n8n` : accepted && record.userId === user.id ? 'the invitation was accepted' : 'the member on the shared n8n changed';
    plan.actions.push({ kind: 'record-user', tenant, email: want.email, userId: user.id, projectId, inviteAccepted: !user.isPending, reason });
  }
  if (record?.disabled && record.userId === user.id) {
    plan.actions.push({ kind: 'enable-user', tenant, userId: user.id, reason: 'the tenant is back in git' });
  }
  const recorded = record?.userId === user.id ? record.suspendedWorkflows : null;
  if (want.suspended) {
    if (projectId === null) {
      plan.blocked.push({ tenant, code: 'members.no-project', message: `shared tenant ${tenant} is suspended but its personal project on the shared n8n is not known (RP9_SHARED_N8N_DATABASE_URL set?)` });
      return;
    }
    const ids = toDeactivate(observed, recorded);
    if (ids.length > 0 || recorded === null) plan.actions.push({ kind: 'deactivate-workflows', tenant, workflowIds: ids, reason: 'spec.suspended is true' });
    return;
  }
  if (recorded !== null) plan.actions.push({ kind: 'reactivate-workflows', tenant, workflowIds: [...recorded].sort(), reason: 'spec.suspended is false' });
}

function planRemoved(record: SharedMember, observed: ObservedMember, plan: MembersPlan): void {
  const { tenant } = record;
  if (record.disabled) return;
  if (!observed.user || observed.user.id !== record.userId) return;
  const ids = toDeactivate(observed, record.suspendedWorkflows);
  if (ids.length > 0 || record.suspendedWorkflows === null) {
    plan.actions.push({ kind: 'deactivate-workflows', tenant, workflowIds: ids, reason: 'the tenant was removed from git' });
  }
  plan.actions.push({ kind: 'disable-user', tenant, userId: record.userId, reason: 'the tenant was removed from git (data retained until rp9 purge)' });
}

/** The actions, per tenant in name order, each tenant's in the order they must run. */
export function planMembers(input: MembersInput): MembersPlan {
  const plan: MembersPlan = { actions: [], blocked: [] };
  const records = new Map(input.records.map((record) => [record.tenant, record]));
  const wanted = new Map(input.wanted.map((want) => [want.tenant, want]));
  const tenants = [...new Set([...wanted.keys(), ...records.keys()])].sort();
  for (const tenant of tenants) {
    const observed = input.observed.get(tenant) ?? {};
    const want = wanted.get(tenant);
    if (want) planWanted(want, records.get(tenant), observed, plan);
    else planRemoved(records.get(tenant) as SharedMember, observed, plan);
  }
  return plan;
}

/** One line per action, for logs and `rp9 status`. */
export function describeMemberAction(action: MemberAction): string {
  switch (action.kind) {
    case 'invite-user': return `${action.tenant}: invite user ${action.email} (${action.reason})`;
    case 'record-user': return `${action.tenant}: record user ${action.userId}${action.projectId ? `, project ${action.projectId}` : ''} (${action.reason})`;
    case 'enable-user': return `${action.tenant}: enable user ${action.userId} (${action.reason})`;
    case 'deactivate-workflows': return `${action.tenant}: deactivate ${action.workflowIds.length} workflow(s) ${action.workflowIds.join(', ')} (${action.reason})`;
    case 'reactivate-workflows': return `${action.tenant}: reactivate ${action.workflowIds.length} workflow(s) ${action.workflowIds.join(', ')} (${action.reason})`;
    case 'disable-user': return `${action.tenant}: disable user ${action.userId} (${action.reason})`;
  }
}

/** Which tenants need their project's active workflows read this pass. */
export function needsWorkflows(want: WantedMember | undefined, record: SharedMember | undefined): boolean {
  if (want) return want.suspended;
  return record !== undefined && !record.disabled;
}

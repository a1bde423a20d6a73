// Applies a members plan to the shared n8n and records each step in the store
// (shared_members) and the event log. An action that fails stops that
// tenant's remaining actions for this pass (they depend on each other) and is
// retried next pass; the other tenants go on. Every action is idempotent.
import { inviteUser, isN8nError, setUserDisabled, setWorkflowActive } from '../../edges/n8n/index.js';
import type { Store } from '../store/index.js';
import type { SharedN8n } from './observe-members.js';
import { describeMemberAction, type MemberAction } from './plan-members.js';

export interface MemberFailure {
  tenant: string;
  action: MemberAction['kind'];
  message: string;
}

export interface ApplyMembersResult {
  applied: MemberAction[];
  failures: MemberFailure[];
}

const ACTOR = 'controller';

function databaseOf(shared: SharedN8n, action: string) {
  if (!shared.databaseUrl) throw new Error(`members.no-shared-database: ${action} needs the shared n8n's database (RP9_SHARED_N8N_DATABASE_URL)`);
  return { url: shared.databaseUrl };
}

/** Switches each workflow; one that n8n no longer has (404, deleted by the tenant) is skipped. */
async function switchWorkflows(shared: SharedN8n, ids: readonly string[], active: boolean): Promise<string[]> {
  const gone: string[] = [];
  for (const id of ids) {
    try {
      await setWorkflowActive(shared.api, shared.connection, id, active);
    } catch (error) {
      if (isN8nError(error, 'n8n.http-error') && error.details.status === 404) gone.push(id);
      else throw error;
    }
  }
  return gone;
}

async function applyOne(shared: SharedN8n, store: Store, action: MemberAction): Promise<void> {
  const { tenant } = action;
  switch (action.kind) {
    case 'invite-user': {
      const invited = await inviteUser(shared.connection, action.email);
      await store.sharedMembers.upsert(tenant, { email: action.email, userId: invited.id, acceptUrl: invited.acceptUrl, disabled: false });
      await store.events.record({ tenant, type: 'Normal', reason: 'MemberInvited', message: `invited ${action.email} to the shared n8n`, actor: ACTOR, data: { userId: invited.id } });
      return;
    }
    case 'record-user':
      await store.sharedMembers.upsert(tenant, { email: action.email, userId: action.userId, projectId: action.projectId, ...(action.inviteAccepted ? { acceptUrl: null } : {}) });
      return;
    case 'enable-user':
      await setUserDisabled(databaseOf(shared, 'enable-user'), action.userId, false);
      await store.sharedMembers.upsert(tenant, { disabled: false });
      await store.events.record({ tenant, type: 'Normal', reason: 'MemberEnabled', message: `enabled n8n user ${action.userId} again`, actor: ACTOR });
      return;
    case 'deactivate-workflows': {
      // The list is recorded before n8n is touched: a crash half-way leaves
      // every workflow that may have been switched off in the list.
      const before = (await store.sharedMembers.get(tenant))?.suspendedWorkflows ?? [];
      const list = [...new Set([...before, ...action.workflowIds])].sort();
      await store.sharedMembers.upsert(tenant, { suspendedWorkflows: list });
      await switchWorkflows(shared, action.workflowIds, false);
      await store.events.record({ tenant, type: 'Normal', reason: 'WorkflowsDeactivated', message: `deactivated ${action.workflowIds.length} workflow(s) on the shared n8n (${action.reason})`, actor: ACTOR, data: { workflowIds: action.workflowIds } });
      return;
    }
    case 'reactivate-workflows': {
      const gone = await switchWorkflows(shared, action.workflowIds, true);
      await store.sharedMembers.upsert(tenant, { suspendedWorkflows: null });
      await store.events.record({ tenant, type: 'Normal', reason: 'WorkflowsReactivated', message: `reactivated ${action.workflowIds.length - gone.length} workflow(s) on the shared n8n${gone.length ? `; ${gone.length} no longer exist` : ''}`, actor: ACTOR, data: { workflowIds: action.workflowIds, gone } });
      return;
    }
    case 'disable-user':
      await setUserDisabled(databaseOf(shared, 'disable-user'), action.userId, true);
      await store.sharedMembers.upsert(tenant, { disabled: true });
      await store.events.record({ tenant, type: 'Normal', reason: 'MemberDisabled', message: `disabled n8n user ${action.userId} on the shared n8n; its data is kept until rp9 purge`, actor: ACTOR });
      return;
  }
}

export async function applyMembers(shared: SharedN8n, store: Store, actions: readonly MemberAction[]): Promise<ApplyMembersResult> {
  const result: ApplyMembersResult = { applied: [], failures: [] };
  const failedTenants = new Set<string>();
  for (const action of actions) {
    if (failedTenants.has(action.tenant)) continue;
    try {
      await applyOne(shared, store, action);
      result.applied.push(action);
    } catch (error) {
      failedTenants.add(action.tenant);
      result.failures.push({ tenant: action.tenant, action: action.kind, message: `${describeMemberAction(action)}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return result;
}

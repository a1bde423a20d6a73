import { describe, expect, it } from 'vitest';
import type { SharedMember } from '../store/index.js';
import { planMembers, type MemberAction, type ObservedMember, type WantedMember } from './plan-members.js';

function record(tenant: string, fields: Partial<SharedMember> = {}): SharedMember {
  return { tenant, email: `${tenant}@example.com`, userId: `u-${tenant}`, projectId: `p-${tenant}`, acceptUrl: null, disabled: false, suspendedWorkflows: null, updatedAt: new Date(0), ...fields };
}

function want(tenant: string, suspended = false): WantedMember {
  return { tenant, email: `${tenant}@example.com`, suspended };
}

function seen(tenant: string, fields: Partial<ObservedMember> = {}): ObservedMember {
  return { user: { id: `u-${tenant}`, isPending: false }, projectId: `p-${tenant}`, ...fields };
}

type Row = { name: string; wanted: WantedMember[]; records: SharedMember[]; observed: Record<string, ObservedMember>; kinds: string[]; check?: (actions: MemberAction[]) => void };

const rows: Row[] = [
  { name: 'a new shared tenant gets an invitation', wanted: [want('acme')], records: [], observed: {}, kinds: ['invite-user'] },
  { name: 'a member already there is adopted, with its project', wanted: [want('acme')], records: [], observed: { acme: seen('acme') }, kinds: ['record-user'] },
  { name: 'a converged member needs nothing', wanted: [want('acme')], records: [record('acme')], observed: { acme: seen('acme') }, kinds: [] },
  { name: 'an invited member whose project appeared is recorded', wanted: [want('acme')], records: [record('acme', { projectId: null, acceptUrl: 'http://n8n/signup?token=t' })], observed: { acme: seen('acme', { user: { id: 'u-acme', isPending: true } }) }, kinds: ['record-user'] },
  { name: 'a pending member with its project recorded needs nothing', wanted: [want('acme')], records: [record('acme', { acceptUrl: 'http://n8n/signup?token=t' })], observed: { acme: seen('acme', { user: { id: 'u-acme', isPending: true } }) }, kinds: [] },
  {
    name: 'an accepted invitation clears the link', wanted: [want('acme')], records: [record('acme', { acceptUrl: 'http://n8n/signup?token=t' })], observed: { acme: seen('acme') }, kinds: ['record-user'],
    check: (actions) => expect(actions[0]).toMatchObject({ inviteAccepted: true }),
  },
  { name: 'a recorded user gone from n8n is invited again', wanted: [want('acme')], records: [record('acme')], observed: {}, kinds: ['invite-user'] },
  {
    name: 'suspending deactivates exactly the active workflows', wanted: [want('acme', true)], records: [record('acme')], observed: { acme: seen('acme', { activeWorkflows: ['w3', 'w1'] }) }, kinds: ['deactivate-workflows'],
    check: (actions) => expect(actions[0]).toMatchObject({ workflowIds: ['w1', 'w3'] }),
  },
  {
    name: 'suspending with nothing active records an empty list', wanted: [want('acme', true)], records: [record('acme')], observed: { acme: seen('acme', { activeWorkflows: [] }) }, kinds: ['deactivate-workflows'],
    check: (actions) => expect(actions[0]).toMatchObject({ workflowIds: [] }),
  },
  { name: 'a suspended tenant already deactivated needs nothing', wanted: [want('acme', true)], records: [record('acme', { suspendedWorkflows: ['w1'] })], observed: { acme: seen('acme', { activeWorkflows: [] }) }, kinds: [] },
  {
    name: 'a workflow activated while suspended is deactivated too', wanted: [want('acme', true)], records: [record('acme', { suspendedWorkflows: ['w1'] })], observed: { acme: seen('acme', { activeWorkflows: ['w1', 'w9'] }) }, kinds: ['deactivate-workflows'],
    check: (actions) => expect(actions[0]).toMatchObject({ workflowIds: ['w9'] }),
  },
  {
    name: 'unsuspending reactivates exactly the recorded list', wanted: [want('acme')], records: [record('acme', { suspendedWorkflows: ['w3', 'w1'] })], observed: { acme: seen('acme', { activeWorkflows: [] }) }, kinds: ['reactivate-workflows'],
    check: (actions) => expect(actions[0]).toMatchObject({ workflowIds: ['w1', 'w3'] }),
  },
  { name: 'a suspended tenant without a known project is blocked, not guessed', wanted: [want('acme', true)], records: [record('acme', { projectId: null })], observed: { acme: { user: { id: 'u-acme', isPending: false } } }, kinds: [] },
  { name: 'a tenant removed from git has its workflows deactivated and its user disabled', wanted: [], records: [record('acme')], observed: { acme: seen('acme', { activeWorkflows: ['w2'] }) }, kinds: ['deactivate-workflows', 'disable-user'] },
  { name: 'a removed, suspended tenant keeps its list and is disabled', wanted: [], records: [record('acme', { suspendedWorkflows: ['w2'] })], observed: { acme: seen('acme', { activeWorkflows: [] }) }, kinds: ['disable-user'] },
  { name: 'a disabled removed tenant needs nothing', wanted: [], records: [record('acme', { disabled: true, suspendedWorkflows: [] })], observed: { acme: seen('acme', { activeWorkflows: [] }) }, kinds: [] },
  { name: 'a removed tenant whose user is gone needs nothing', wanted: [], records: [record('acme')], observed: {}, kinds: [] },
  { name: 'a tenant back in git is enabled and its workflows reactivated', wanted: [want('acme')], records: [record('acme', { disabled: true, suspendedWorkflows: ['w2'] })], observed: { acme: seen('acme') }, kinds: ['enable-user', 'reactivate-workflows'] },
  { name: 'tenants come in name order', wanted: [want('zeta'), want('acme')], records: [], observed: {}, kinds: ['invite-user', 'invite-user'], check: (actions) => expect(actions.map((a) => a.tenant)).toEqual(['acme', 'zeta']) },
];

describe('planMembers', () => {
  it.each(rows)('$name', ({ wanted, records, observed, kinds, check }) => {
    const plan = planMembers({ wanted, records, observed: new Map(Object.entries(observed)) });
    expect(plan.actions.map((action) => action.kind)).toEqual(kinds);
    check?.(plan.actions);
  });

  it('says why a suspended tenant is blocked', () => {
    const plan = planMembers({ wanted: [want('acme', true)], records: [record('acme', { projectId: null })], observed: new Map([['acme', { user: { id: 'u-acme', isPending: false } }]]) });
    expect(plan.blocked).toEqual([expect.objectContaining({ tenant: 'acme', code: 'members.no-project' })]);
  });
});

// The shared-n8n lines of `rp9 status <tenant>` and of the tenant's status page:
// the member rp9 made for a shared tenant, with its invitation link until accepted.
import type { SharedMember } from '../store/shared-members-repo.js';

export function memberFields(member: SharedMember): [string, string][] {
  const fields: [string, string][] = [
    ['Shared n8n user', `${member.userId} (${member.email})${member.disabled ? ', disabled: tenant removed from git, data kept until rp9 purge' : ''}`],
    ['Personal project', member.projectId ?? '(not found yet)'],
    ['Invite link', member.acceptUrl ?? 'accepted: log in to the shared n8n with this email'],
  ];
  if (member.suspendedWorkflows !== null) fields.push(['Deactivated', `${member.suspendedWorkflows.length} workflow(s), reactivated on unsuspend: ${member.suspendedWorkflows.join(', ') || '-'}`]);
  return fields;
}

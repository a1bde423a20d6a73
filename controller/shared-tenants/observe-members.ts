// What the shared n8n says about each shared tenant: the user with its email
// (public API), its personal project (the telemetry lookup in the shared n8n's
// database, one query for all tenants) and, where the plan needs them, the
// project's active workflows (public API).
import { findUserByEmail, listProjectWorkflows, type N8nApi, type N8nConnection } from '../../edges/n8n/index.js';
import type { SharedMember } from '../store/index.js';
import { resolveSharedProjects } from '../telemetry/personal-projects.js';
import type { ProjectOwner } from '../telemetry/project-attribution.js';
import { needsWorkflows, type ObservedMember, type WantedMember } from './plan-members.js';

/** The shared n8n as rp9 reaches it. */
export interface SharedN8n {
  api: N8nApi;
  /** Base URL and an owner's API key. */
  connection: N8nConnection;
  /** Its database: personal projects, and the `disabled` flag of users. */
  databaseUrl: string | undefined;
}

const LOOKUP_TIMEOUT_MS = 10_000;

export async function observeMembers(shared: SharedN8n, wanted: readonly (WantedMember & { projectLabel?: string })[], records: readonly SharedMember[]): Promise<Map<string, ObservedMember>> {
  const wantedBy = new Map(wanted.map((want) => [want.tenant, want]));
  const recordBy = new Map(records.map((record) => [record.tenant, record]));
  const tenants = [...new Set([...wantedBy.keys(), ...recordBy.keys()])].sort();
  const owners: ProjectOwner[] = tenants.map((tenant) => {
    const want = wantedBy.get(tenant);
    return { tenant, email: want?.email ?? recordBy.get(tenant)?.email ?? '', ...(want?.projectLabel ? { label: want.projectLabel } : {}) };
  });
  const projects = await resolveSharedProjects(owners, { sharedDatabase: shared.databaseUrl, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS), statementTimeoutMs: LOOKUP_TIMEOUT_MS });
  const observed = new Map<string, ObservedMember>();
  for (const owner of owners) {
    const user = await findUserByEmail(shared.connection, owner.email);
    const attribution = projects.get(owner.tenant);
    const projectId = attribution?.kind === 'project' ? attribution.projectId : undefined;
    const member: ObservedMember = { ...(user ? { user: { id: user.id, isPending: user.isPending } } : {}), ...(projectId ? { projectId } : {}) };
    if (user && projectId && needsWorkflows(wantedBy.get(owner.tenant), recordBy.get(owner.tenant))) {
      member.activeWorkflows = (await listProjectWorkflows(shared.connection, projectId, { active: true })).map((workflow) => workflow.id);
    }
    observed.set(owner.tenant, member);
  }
  return observed;
}

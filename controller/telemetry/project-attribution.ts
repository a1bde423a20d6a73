// Which project on the shared n8n holds a shared tenant's workflows. Each
// tenant owns a personal project there: the one of the n8n user whose email is
// the tenant's owner email (metadata.email). The label `rp9.io/n8n-project`
// overrides it. Pure: the rows come from personal-projects.ts, read once per
// collection pass for all shared tenants.
import { TelemetryError, type TelemetryErrorCode } from './types.js';

/** The tenant label that names its project on the shared n8n explicitly (overrides the email). */
export const PROJECT_LABEL = 'rp9.io/n8n-project';

/** A shared tenant to attribute: its owner email and, when set, the override label. */
export interface ProjectOwner {
  tenant: string;
  email: string;
  label?: string;
}

/** One personal project on the shared n8n and its owner's email. */
export interface PersonalProjectRow {
  email: string;
  projectId: string;
}

/** The lookup's outcome: the rows for the emails asked, or why there are none. */
export type PersonalProjectLookup =
  | { kind: 'rows'; rows: readonly PersonalProjectRow[] }
  | { kind: 'failed'; message: string };

export type Attribution =
  | { kind: 'project'; projectId: string; via: 'label' | 'email' }
  | { kind: 'unattributed'; code: TelemetryErrorCode; message: string };

/** n8n stores emails lowercased; rp9 compares them the same way. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function labelOf(owner: ProjectOwner): string | undefined {
  const label = owner.label?.trim();
  return label ? label : undefined;
}

/** The emails to look up: owners without the label, normalized, once each, sorted. */
export function emailsToLookUp(owners: readonly ProjectOwner[]): string[] {
  const emails = new Set<string>();
  for (const owner of owners) {
    if (labelOf(owner) === undefined && normalizeEmail(owner.email) !== '') emails.add(normalizeEmail(owner.email));
  }
  return [...emails].sort();
}

function projectsByEmail(rows: readonly PersonalProjectRow[]): Map<string, Set<string>> {
  const byEmail = new Map<string, Set<string>>();
  for (const row of rows) {
    const email = normalizeEmail(row.email);
    const set = byEmail.get(email) ?? new Set<string>();
    set.add(row.projectId);
    byEmail.set(email, set);
  }
  return byEmail;
}

function byEmail(owner: ProjectOwner, projects: Map<string, Set<string>>): Attribution {
  const email = normalizeEmail(owner.email);
  if (email === '') return { kind: 'unattributed', code: 'telemetry.no-project', message: `shared tenant ${owner.tenant} has no owner email to find its personal project by (set label ${PROJECT_LABEL})` };
  const found = [...(projects.get(email) ?? [])].sort();
  if (found.length === 1) return { kind: 'project', projectId: found[0] as string, via: 'email' };
  if (found.length === 0) {
    return { kind: 'unattributed', code: 'telemetry.no-project', message: `shared tenant ${owner.tenant}: no n8n user with email ${email} owns a personal project on the shared instance (set label ${PROJECT_LABEL} to name it)` };
  }
  return { kind: 'unattributed', code: 'telemetry.no-project', message: `shared tenant ${owner.tenant}: email ${email} matches ${found.length} personal projects on the shared instance (${found.join(', ')}); set label ${PROJECT_LABEL}` };
}

/**
 * Each owner's project: the label when set, else the personal project of the
 * n8n user with the owner's email. A project claimed by two tenants (the same
 * owner email, or a label naming another tenant's project) is attributed to
 * neither: its executions would count twice.
 */
export function attributeProjects(owners: readonly ProjectOwner[], lookup: PersonalProjectLookup): Map<string, Attribution> {
  const projects = lookup.kind === 'rows' ? projectsByEmail(lookup.rows) : new Map<string, Set<string>>();
  const result = new Map<string, Attribution>();
  for (const owner of owners) {
    const label = labelOf(owner);
    if (label !== undefined) result.set(owner.tenant, { kind: 'project', projectId: label, via: 'label' });
    else if (lookup.kind === 'failed') result.set(owner.tenant, { kind: 'unattributed', code: 'telemetry.project-lookup-failed', message: `shared tenant ${owner.tenant}: looking up personal projects on the shared instance failed: ${lookup.message}` });
    else result.set(owner.tenant, byEmail(owner, projects));
  }
  const claims = new Map<string, string[]>();
  for (const [tenant, attribution] of result) {
    if (attribution.kind !== 'project') continue;
    claims.set(attribution.projectId, [...(claims.get(attribution.projectId) ?? []), tenant]);
  }
  for (const [projectId, tenants] of claims) {
    if (tenants.length < 2) continue;
    const names = [...tenants].sort().join(', ');
    for (const tenant of tenants) {
      result.set(tenant, { kind: 'unattributed', code: 'telemetry.project-conflict', message: `shared tenant ${tenant}: project ${projectId} is claimed by tenants ${names}; give each its own owner email or label ${PROJECT_LABEL}` });
    }
  }
  return result;
}

/** The tenant's project id for the execution source; throws the reason when it has none. */
export function projectIdOf(attributions: ReadonlyMap<string, Attribution>, tenant: string): string | undefined {
  const attribution = attributions.get(tenant);
  if (attribution?.kind === 'unattributed') throw new TelemetryError(attribution.code, attribution.message);
  return attribution?.projectId;
}

// PostgreSQL edge for attributing shared tenants: the personal projects of the
// shared n8n's users with the given emails, in one query for all of them.
// n8n 1.123's tables (migration CreateProject1714133768519): `user` (id uuid,
// email, lowercased by n8n), `project` (id, type 'personal' | 'team'),
// `project_relation` ("projectId", "userId", role 'project:personalOwner').
import type pg from 'pg';
import { attributeProjects, emailsToLookUp, type Attribution, type PersonalProjectRow, type ProjectOwner } from './project-attribution.js';
import { clientConfig, tableName, withClient, type ConnectionTarget } from './pg-connection.js';

export interface PersonalProjectOptions {
  /** n8n's DB_TABLE_PREFIX (default ''). */
  tablePrefix?: string;
}

/** The personal projects owned by users with these (lowercase) emails; one statement. */
export async function readPersonalProjects(client: pg.ClientBase, emails: readonly string[], options: PersonalProjectOptions = {}): Promise<PersonalProjectRow[]> {
  if (emails.length === 0) return [];
  const prefix = options.tablePrefix ?? '';
  const user = tableName(prefix, 'user');
  const relation = tableName(prefix, 'project_relation');
  const project = tableName(prefix, 'project');
  const result = await client.query<{ email: string; projectId: string }>(
    `select lower(u.email) as email, p.id as "projectId"
       from ${user} u
       join ${relation} r on r."userId" = u.id and r.role = 'project:personalOwner'
       join ${project} p on p.id = r."projectId" and p.type = 'personal'
      where lower(u.email) = any($1::text[])
      order by 1, 2`,
    [[...emails]],
  );
  return result.rows.map((row) => ({ email: row.email, projectId: row.projectId }));
}

export interface ResolveProjectsOptions extends PersonalProjectOptions {
  /** The shared n8n's database; without it only labelled tenants are attributed. */
  sharedDatabase: ConnectionTarget | undefined;
  signal: AbortSignal;
  /** Server-side cap on the statement (default 10 s). */
  statementTimeoutMs?: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every shared tenant's project for one collection pass: at most one
 * connection and one query, only when some tenant has no label. A failed
 * lookup is not thrown: the tenants that needed it are unattributed with
 * `telemetry.project-lookup-failed`.
 */
export async function resolveSharedProjects(owners: readonly ProjectOwner[], options: ResolveProjectsOptions): Promise<Map<string, Attribution>> {
  const emails = emailsToLookUp(owners);
  if (emails.length === 0) return attributeProjects(owners, { kind: 'rows', rows: [] });
  if (!options.sharedDatabase) return attributeProjects(owners, { kind: 'failed', message: 'no shared database configured' });
  const config = clientConfig(options.sharedDatabase, options.statementTimeoutMs ?? 10_000);
  try {
    const rows = await withClient(config, options.signal, (client) => readPersonalProjects(client, emails, options));
    return attributeProjects(owners, { kind: 'rows', rows });
  } catch (error) {
    // An abort ends the connection; its reason says more than "Connection terminated".
    return attributeProjects(owners, { kind: 'failed', message: message(options.signal.aborted ? options.signal.reason : error) });
  }
}

// What the upgrade's health gate compares between green and blue, read with
// SQL from each colour's n8n database: the workflows (id, name, active,
// nodes, connections) and the credentials (id, name, type, encrypted data),
// counted and hashed in id order, and how many migrations ran. The columns
// read exist in n8n 1.x and 2.x alike (2.x adds columns, it keeps these).
// A quiet blue (blue-quiet.ts) is read with its quieted workflows counted as
// active (`activeAs`): it holds what green holds, their activation deferred.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { N8nItemHashes } from './catch-up-plan.js';

export interface N8nDigest {
  workflows: number;
  workflowsSha256: string;
  credentials: number;
  credentialsSha256: string;
  migrations: number;
}

function hashRows(rows: readonly Record<string, unknown>[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(Object.values(row))).update('\n');
  return hash.digest('hex');
}

/** `activeAs`: workflow ids read as active whatever their flag says (a quiet blue's deferred ones). */
export async function n8nDigest(databaseUrl: string, options: { activeAs?: readonly string[] } = {}): Promise<N8nDigest> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const activeAs = options.activeAs ?? [];
    const workflows = activeAs.length > 0
      ? await client.query('select id, name, (active or id = any($1::text[])) as active, nodes::text as nodes, connections::text as connections from workflow_entity order by id', [activeAs])
      : await client.query('select id, name, active, nodes::text as nodes, connections::text as connections from workflow_entity order by id');
    const credentials = await client.query('select id, name, type, data from credentials_entity order by id');
    const migrations = await client.query<{ count: string }>('select count(*) as count from migrations');
    return {
      workflows: workflows.rowCount ?? 0,
      workflowsSha256: hashRows(workflows.rows),
      credentials: credentials.rowCount ?? 0,
      credentialsSha256: hashRows(credentials.rows),
      migrations: Number(migrations.rows[0]?.count ?? 0),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The differences that fail the gate, empty when blue holds what green holds. */
export function digestDifferences(green: N8nDigest, blue: N8nDigest): string[] {
  const out: string[] = [];
  if (green.workflows !== blue.workflows) out.push(`workflows ${green.workflows} on green, ${blue.workflows} on blue`);
  else if (green.workflowsSha256 !== blue.workflowsSha256) out.push('workflow contents differ');
  if (green.credentials !== blue.credentials) out.push(`credentials ${green.credentials} on green, ${blue.credentials} on blue`);
  else if (green.credentialsSha256 !== blue.credentialsSha256) out.push('credential contents differ');
  if (blue.migrations < green.migrations) out.push(`blue ran ${blue.migrations} migrations, fewer than green's ${green.migrations}`);
  return out;
}

/** One item's hash: the first 16 hex digits of sha256 over the columns the digest reads. */
function itemHash(row: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(Object.values(row))).digest('hex').slice(0, 16);
}

/**
 * Per-item hashes of the workflows and credentials (the digest's columns, id
 * → hash), journaled at the copy so the swap can tell which items green
 * changed, added or deleted since (catch-up-plan.ts itemChanges).
 */
export async function n8nItemHashes(databaseUrl: string): Promise<N8nItemHashes> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const workflows = await client.query<{ id: string }>('select id, name, active, nodes::text as nodes, connections::text as connections from workflow_entity order by id');
    const credentials = await client.query<{ id: string }>('select id, name, type, data from credentials_entity order by id');
    return {
      workflows: Object.fromEntries(workflows.rows.map((r) => [r.id, itemHash(r)])),
      credentials: Object.fromEntries(credentials.rows.map((r) => [r.id, itemHash(r)])),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Green's high-water mark at the copy: its largest execution id (0 when none); the catch-up copies the executions above it. */
export async function executionMark(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ mark: string | null }>('select max(id)::text as mark from execution_entity');
    return Number(rows[0]?.mark ?? 0);
  } finally {
    await client.end().catch(() => undefined);
  }
}

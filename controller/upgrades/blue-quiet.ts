// Blue is quiet until the swap: its database is a copy of green's, with the
// same workflows active, so a blue main started on it would run the tenant's
// schedule and polling triggers beside green's (every cron workflow twice).
// Right after the restore, before blue's main starts, the copy's active
// workflows that fire by themselves (blue-quiet-plan.ts) are marked inactive
// there as n8n itself deactivates (`active` false, `activeVersionId` null
// where the column exists: n8n 2.x activates by it, 1.123.x already has it;
// their webhook_entity rows deleted). Webhook-only workflows stay active: no
// request reaches blue before the route moves. The SQL reads the columns and
// tables it finds, so the 1.x and 2.x schemas (and the tests' minimal tables)
// take the same path.
import pg from 'pg';
import type { ActiveWorkflow } from './blue-quiet-plan.js';

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function columnsOf(client: pg.Client, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ column_name: string }>('select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]);
  return new Set(rows.map((r) => r.column_name));
}

/** An active workflow as n8n itself reads it: by activeVersionId where the column exists (2.x, and 1.123.x already), else by active. */
function activeWhere(columns: Set<string>): string {
  return columns.has('activeVersionId') ? 'w."activeVersionId" is not null' : 'w.active = true';
}

async function activeIds(client: pg.Client): Promise<string[]> {
  const columns = await columnsOf(client, 'workflow_entity');
  const { rows } = await client.query<{ id: string }>(`select w.id from workflow_entity w where ${activeWhere(columns)}`);
  // Sorted here, not by the database's collation: the journal and the pure decisions compare in code-unit order.
  return rows.map((r) => r.id).sort();
}

/** The ids of the workflows active in an n8n database, sorted. */
export async function activeWorkflowIds(databaseUrl: string): Promise<string[]> {
  return withClient(databaseUrl, activeIds);
}

/** The active workflows of an n8n database with their nodes: the draft's and, where workflow_history keeps it, the active version's. */
export async function activeWorkflows(databaseUrl: string): Promise<ActiveWorkflow[]> {
  return withClient(databaseUrl, async (client) => {
    const columns = await columnsOf(client, 'workflow_entity');
    const history = columns.has('activeVersionId') && (await columnsOf(client, 'workflow_history')).has('nodes');
    const sql = history
      ? `select w.id, w.nodes, h.nodes as "activeNodes" from workflow_entity w left join workflow_history h on h."versionId" = w."activeVersionId" where ${activeWhere(columns)}`
      : `select w.id, w.nodes from workflow_entity w where ${activeWhere(columns)}`;
    const { rows } = await client.query<ActiveWorkflow>(sql);
    return rows.map((r) => ({ id: r.id, nodes: r.nodes, ...(r.activeNodes !== undefined && r.activeNodes !== null ? { activeNodes: r.activeNodes } : {}) }));
  });
}

/** Marks the workflows `ids` inactive in one transaction, their registered webhooks deleted. Idempotent. */
export async function deactivateWorkflows(databaseUrl: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await withClient(databaseUrl, async (client) => {
    await client.query('begin');
    try {
      const columns = await columnsOf(client, 'workflow_entity');
      const set = columns.has('activeVersionId') ? 'active = false, "activeVersionId" = null' : 'active = false';
      await client.query(`update workflow_entity set ${set} where id = any($1::text[])`, [ids]);
      if ((await columnsOf(client, 'webhook_entity')).size > 0) await client.query('delete from webhook_entity where "workflowId" = any($1::text[])', [ids]);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

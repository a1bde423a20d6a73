// The canary's rows in blue's n8n database, read and removed with SQL: its
// newest execution (the smoke's proof), and everything the smoke left, so the
// tenant's data on blue is what was copied from green. One transaction:
// n8n's insights metadata (2.x, before the workflow, whose delete would only
// null its reference), the executions (their data and metadata cascade), the
// webhook registration, then the workflow (sharing, history, statistics and
// tag mappings cascade). A table that still references the workflow without a
// cascade makes the delete fail, and with it the gate: blue is discarded.
import pg from 'pg';

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

/** The workflow's newest execution in the database, if any. */
export async function newestExecution(databaseUrl: string, workflowId: string): Promise<{ id: string; status: string; mode: string } | undefined> {
  return withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ id: string; status: string; mode: string }>(
      'select id::text as id, coalesce(status, \'\') as status, mode from execution_entity where "workflowId" = $1 order by id desc limit 1',
      [workflowId],
    );
    return rows[0];
  });
}

/** Removes the workflow and everything of it; nothing when it is not there. Returns the rows deleted per table. */
export async function removeWorkflowRows(databaseUrl: string, workflowId: string): Promise<Record<string, number>> {
  return withClient(databaseUrl, async (c) => {
    const deleted: Record<string, number> = {};
    await c.query('begin');
    try {
      const insights = await c.query<{ present: boolean }>('select to_regclass(\'insights_metadata\') is not null as present');
      const tables = [...(insights.rows[0]?.present ? ['insights_metadata'] : []), 'execution_entity', 'webhook_entity'];
      for (const table of tables) deleted[table] = (await c.query(`delete from ${table} where "workflowId" = $1`, [workflowId])).rowCount ?? 0;
      deleted.workflow_entity = (await c.query('delete from workflow_entity where id = $1', [workflowId])).rowCount ?? 0;
      await c.query('commit');
      return deleted;
    } catch (error) {
      await c.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

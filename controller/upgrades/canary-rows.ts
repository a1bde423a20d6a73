// The canary's rows in blue's n8n database, read and removed with SQL: its
// newest execution (the smoke's proof), and everything the smoke left, so the
// tenant's data on blue is what was copied from green. One transaction: the
// tables whose rows a workflow's delete leaves (WITHOUT_CASCADE, and any
// table whose foreign key to workflows does not cascade), then the workflow
// (sharing, history, publish history, statistics and tag mappings cascade).
// A row that still blocks the delete makes it fail, and with it the gate:
// blue is discarded.
import { withClient } from '../postgres/short-connection.js';

/**
 * Tables naming a workflow that a workflow's delete does not clean (in this
 * order; each only where the n8n version has it): insights metadata (2.x; its
 * reference would be set to null), the publication outbox (2.x; no foreign
 * key), the workflow's statistics (2.41 keeps them: seen in the upgrade e2e),
 * the executions and the webhook registration.
 */
const WITHOUT_CASCADE = ['insights_metadata', 'workflow_publication_outbox', 'workflow_statistics', 'execution_entity', 'webhook_entity'] as const;

/**
 * Every other table whose foreign key to workflow_entity does not cascade
 * (restrict, no action, set null), found in the catalogue: 2.x has some (its
 * published-version table restricts), and later releases may add more.
 */
const NOT_CASCADING_REFERENCES = `select c.conrelid::regclass::text as table, quote_ident(a.attname) as column
  from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
  where c.contype = 'f' and c.confrelid = 'workflow_entity'::regclass and c.confdeltype <> 'c' and c.conrelid <> 'workflow_entity'::regclass
  order by 1`;

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
      for (const table of WITHOUT_CASCADE) {
        const present = await c.query<{ present: boolean }>('select to_regclass($1) is not null as present', [table]);
        if (!present.rows[0]?.present) continue;
        deleted[table] = (await c.query(`delete from ${table} where "workflowId" = $1`, [workflowId])).rowCount ?? 0;
      }
      for (const { table, column } of (await c.query<{ table: string; column: string }>(NOT_CASCADING_REFERENCES)).rows) {
        deleted[table] = (deleted[table] ?? 0) + ((await c.query(`delete from ${table} where ${column} = $1`, [workflowId])).rowCount ?? 0);
      }
      deleted.workflow_entity = (await c.query('delete from workflow_entity where id = $1', [workflowId])).rowCount ?? 0;
      await c.query('commit');
      return deleted;
    } catch (error) {
      await c.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

// What a move (promotion or demotion) reads from an n8n database, in
// milliseconds where n8n's CLI takes seconds: the workflows with whether each
// is active (the rows the CLI export exports), and a fingerprint of the
// workflows and credentials that changes when any of them is added, removed
// or changed in what the move compares. Two scopes: a personal project on the
// shared n8n (the rows `export:* --projectId` exports: every item shared with
// the project) and a whole instance (a dedicated tenant's own database:
// `export:* --all`). n8n's tables (1.x and 2.x): workflow_entity,
// shared_workflow ("workflowId", "projectId"), credentials_entity,
// shared_credentials ("credentialsId", "projectId").
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { tableName } from '../telemetry/pg-connection.js';
import type { WorkflowState } from '../operations/promotion.js';

/** Whose rows: one project's on a shared instance, or every row of the instance. */
export type RowScope = { projectId: string } | 'instance';

interface ScopedFrom {
  workflows: string;
  credentials: string;
  values: string[];
}

function scopedFrom(scope: RowScope, tablePrefix: string): ScopedFrom {
  const t = (name: string) => tableName(tablePrefix, name);
  if (scope === 'instance') return { workflows: `${t('workflow_entity')} w`, credentials: `${t('credentials_entity')} c`, values: [] };
  return {
    workflows: `${t('workflow_entity')} w join ${t('shared_workflow')} s on s."workflowId" = w.id where s."projectId" = $1`,
    credentials: `${t('credentials_entity')} c join ${t('shared_credentials')} s on s."credentialsId" = c.id where s."projectId" = $1`,
    values: [scope.projectId],
  };
}

/** The scope's workflows, sorted by id, with n8n's `active` (the column the CLI export prints). */
export async function readWorkflowStates(client: pg.ClientBase, scope: RowScope, tablePrefix = ''): Promise<WorkflowState[]> {
  const from = scopedFrom(scope, tablePrefix);
  const { rows } = await client.query<{ id: string; active: boolean }>(`select w.id, w.active from ${from.workflows} order by w.id`, from.values);
  return rows.map((row) => ({ id: String(row.id), active: row.active === true })).sort((a, b) => a.id.localeCompare(b.id));
}


export interface FingerprintRow {
  what: 'workflow' | 'credential';
  id: string;
  sum: string;
}

/**
 * One row per workflow and credential of the scope, with an md5 of what makes it the same item: a workflow's
 * name, nodes, connections, settings, static and pinned data and version; a credential's name, type and
 * (encrypted) data. Activation is left out: the freeze deactivates before the export.
 */
export async function readFingerprintRows(client: pg.ClientBase, scope: RowScope, tablePrefix = ''): Promise<FingerprintRow[]> {
  const from = scopedFrom(scope, tablePrefix);
  const text = (column: string) => `coalesce(${column}::text, '~null~')`;
  const { rows } = await client.query<FingerprintRow>(
    `select 'workflow' as what, w.id, md5(concat_ws('|', ${['w.name', 'w.nodes', 'w.connections', 'w.settings', 'w."staticData"', 'w."pinData"', 'w."versionId"'].map(text).join(', ')})) as sum
       from ${from.workflows}
     union all
     select 'credential' as what, c.id, md5(concat_ws('|', ${['c.name', 'c.type', 'c.data'].map(text).join(', ')})) as sum
       from ${from.credentials}`,
    from.values,
  );
  return rows.map((row) => ({ what: row.what, id: String(row.id), sum: row.sum }));
}


/** sha256 over the rows in a stable order: equal exactly when the same items hold the same content. Pure. */
export function fingerprintOf(rows: readonly FingerprintRow[]): string {
  const lines = rows.map((row) => `${row.what} ${row.id} ${row.sum}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

// What the promotion reads from the shared n8n's database about a tenant's
// personal project, in milliseconds where n8n's CLI takes seconds: its
// workflows with whether each is active (the rows `export:workflow
// --projectId` exports: every workflow shared with the project), and a
// fingerprint of the project's workflows and credentials that changes when
// any of them is added, removed or changed in what the promotion compares.
// n8n's tables (1.x and 2.x): workflow_entity, shared_workflow ("workflowId",
// "projectId"), credentials_entity, shared_credentials ("credentialsId",
// "projectId").
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { tableName } from '../telemetry/pg-connection.js';
import type { WorkflowState } from '../operations/promotion.js';

/** The project's workflows, sorted by id, with n8n's `active` (the column the CLI export prints). */
export async function readProjectWorkflows(client: pg.ClientBase, projectId: string, tablePrefix = ''): Promise<WorkflowState[]> {
  const workflow = tableName(tablePrefix, 'workflow_entity');
  const shared = tableName(tablePrefix, 'shared_workflow');
  const { rows } = await client.query<{ id: string; active: boolean }>(
    `select w.id, w.active from ${workflow} w join ${shared} s on s."workflowId" = w.id where s."projectId" = $1 order by w.id`,
    [projectId],
  );
  return rows.map((row) => ({ id: String(row.id), active: row.active === true })).sort((a, b) => a.id.localeCompare(b.id));
}

export interface FingerprintRow {
  what: 'workflow' | 'credential';
  id: string;
  sum: string;
}

/**
 * One row per workflow and credential of the project, with an md5 of what makes it the same item: a workflow's
 * name, nodes, connections, settings, static and pinned data and version; a credential's name, type and
 * (encrypted) data. Activation is left out: the freeze deactivates before the export.
 */
export async function readProjectFingerprintRows(client: pg.ClientBase, projectId: string, tablePrefix = ''): Promise<FingerprintRow[]> {
  const t = (name: string) => tableName(tablePrefix, name);
  const text = (column: string) => `coalesce(${column}::text, '~null~')`;
  const { rows } = await client.query<FingerprintRow>(
    `select 'workflow' as what, w.id, md5(concat_ws('|', ${['w.name', 'w.nodes', 'w.connections', 'w.settings', 'w."staticData"', 'w."pinData"', 'w."versionId"'].map(text).join(', ')})) as sum
       from ${t('workflow_entity')} w join ${t('shared_workflow')} s on s."workflowId" = w.id
      where s."projectId" = $1
     union all
     select 'credential' as what, c.id, md5(concat_ws('|', ${['c.name', 'c.type', 'c.data'].map(text).join(', ')})) as sum
       from ${t('credentials_entity')} c join ${t('shared_credentials')} s on s."credentialsId" = c.id
      where s."projectId" = $1`,
    [projectId],
  );
  return rows.map((row) => ({ what: row.what, id: String(row.id), sum: row.sum }));
}

/** sha256 over the rows in a stable order: equal exactly when the same items hold the same content. Pure. */
export function fingerprintOf(rows: readonly FingerprintRow[]): string {
  const lines = rows.map((row) => `${row.what} ${row.id} ${row.sum}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

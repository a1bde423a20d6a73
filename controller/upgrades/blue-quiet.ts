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
import type { ActiveWorkflow, VersionContent } from './blue-quiet-plan.js';
import { withClient } from '../postgres/short-connection.js';

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
      ? `select w.id, w.nodes, h.nodes as "activeNodes", w."versionId", w."activeVersionId" from workflow_entity w left join workflow_history h on h."versionId" = w."activeVersionId" where ${activeWhere(columns)}`
      : `select w.id, w.nodes from workflow_entity w where ${activeWhere(columns)}`;
    const { rows } = await client.query<ActiveWorkflow>(sql);
    return rows.map((r) => ({
      id: r.id,
      nodes: r.nodes,
      ...(r.activeNodes !== undefined && r.activeNodes !== null ? { activeNodes: r.activeNodes } : {}),
      ...(history ? { versionId: r.versionId ?? null, activeVersionId: r.activeVersionId ?? null } : {}),
    }));
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

/**
 * Green's `staticData` of the workflows `ids` written over blue's (where both have the column): a polling trigger
 * keeps its position there (the last item or time it saw), and green's moved on since the copy; read once green's
 * main stopped, so blue's activated trigger polls on from where green's left off. Returns how many rows it wrote.
 */
export async function carryStaticData(greenUrl: string, blueUrl: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const green = await withClient(greenUrl, async (client) => {
    if (!(await columnsOf(client, 'workflow_entity')).has('staticData')) return undefined;
    const { rows } = await client.query<{ id: string; staticData: string | null }>('select id, "staticData"::text as "staticData" from workflow_entity where id = any($1::text[])', [ids]);
    return rows;
  });
  if (!green || green.length === 0) return 0;
  return withClient(blueUrl, async (client) => {
    if (!(await columnsOf(client, 'workflow_entity')).has('staticData')) return 0;
    let written = 0;
    for (const row of green) written += (await client.query('update workflow_entity set "staticData" = $2::json where id = $1', [row.id, row.staticData])).rowCount ?? 0;
    return written;
  });
}

/** The content of the versions `ids` (workflow id → version id) from workflow_history; those it lacks are left out. */
export async function versionContents(databaseUrl: string, versions: Readonly<Record<string, string>>): Promise<Record<string, VersionContent>> {
  const wanted = Object.entries(versions);
  if (wanted.length === 0) return {};
  return withClient(databaseUrl, async (client) => {
    if (!(await columnsOf(client, 'workflow_history')).has('nodes')) return {};
    const { rows } = await client.query<{ versionId: string; nodes: unknown; connections: unknown }>('select "versionId", nodes, connections from workflow_history where "versionId" = any($1::text[])', [wanted.map(([, v]) => v)]);
    const byVersion = new Map(rows.map((r) => [r.versionId, { nodes: r.nodes, connections: r.connections }]));
    return Object.fromEntries(wanted.flatMap(([id, v]) => (byVersion.has(v) ? [[id, byVersion.get(v)!]] : [])));
  });
}

/** Writes the drafts back over the imported content (the active version stays as the import made it), in one transaction. */
export async function restoreDrafts(databaseUrl: string, drafts: readonly { id: string; nodes: unknown; connections: unknown; versionId: unknown }[]): Promise<void> {
  if (drafts.length === 0) return;
  await withClient(databaseUrl, async (client) => {
    await client.query('begin');
    try {
      for (const d of drafts) await client.query('update workflow_entity set nodes = $2::json, connections = $3::json, "versionId" = coalesce($4, "versionId") where id = $1', [d.id, JSON.stringify(d.nodes), JSON.stringify(d.connections), typeof d.versionId === 'string' ? d.versionId : null]);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

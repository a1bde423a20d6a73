// The swap's workflow and credential catch-up: what green changed, added or
// deleted since the copy (per-item hashes journaled at the copy against
// green's now) is carried to blue under the hold, instead of failing the swap.
// Changed and added items are exported from green's running main with n8n's
// CLI and imported into blue's main (ids kept; credentials first, then the
// workflows, activated as their JSON says: blue runs in queue mode, where
// `--activeState=fromJson` reaches blue's running main). Deleted items are
// deleted from blue's database (n8n's foreign keys cascade); a deleted
// workflow that was active on blue is still registered in blue's running main,
// so the caller restarts blue's main then (restartBlueMain). Idempotent: a
// re-run exports and imports the same items again.
import pg from 'pg';
import type { ExportWhat } from '../../edges/n8n/cli-export.js';
import { itemChanges, type N8nItemHashes } from './catch-up-plan.js';

export interface N8nCli {
  exportItems(container: string, what: ExportWhat): Promise<Record<string, unknown>[]>;
  importItems(container: string, what: ExportWhat, items: readonly Record<string, unknown>[], options?: { activeState?: 'fromJson' }): Promise<void>;
}

export interface ItemCatchUp {
  workflows: number;
  credentials: number;
  deleted: number;
  /** A deleted workflow was active on blue: blue's main must restart to drop its triggers. */
  restartBlueMain: boolean;
}

export const NO_ITEM_CHANGES: ItemCatchUp = { workflows: 0, credentials: 0, deleted: 0, restartBlueMain: false };

/** Whether anything changed since the copy (cheap: no CLI). */
export function anyItemChanges(atCopy: N8nItemHashes, now: N8nItemHashes): boolean {
  const w = itemChanges(atCopy.workflows, now.workflows);
  const c = itemChanges(atCopy.credentials, now.credentials);
  return w.changed.length + w.deleted.length + c.changed.length + c.deleted.length > 0;
}

async function deleteOnBlue(blueUrl: string, workflows: readonly string[], credentials: readonly string[]): Promise<boolean> {
  const client = new pg.Client({ connectionString: blueUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('begin');
    const active = workflows.length === 0 ? 0 : Number((await client.query<{ n: string }>('select count(*)::text as n from workflow_entity where id = any($1::text[]) and active', [workflows])).rows[0]?.n ?? 0);
    if (workflows.length > 0) await client.query('delete from workflow_entity where id = any($1::text[])', [workflows]);
    if (credentials.length > 0) await client.query('delete from credentials_entity where id = any($1::text[])', [credentials]);
    await client.query('commit');
    return active > 0;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Carries green's changes since the copy to blue: export from `greenMain`, import into `blueMain`, delete on blue's
 * database. `asImported` rewrites a workflow before its import (a quiet blue takes self-firing ones in inactive).
 */
export async function carryItems(cli: N8nCli, target: { greenMain: string; blueMain: string; blueUrl: string }, atCopy: N8nItemHashes, now: N8nItemHashes, options: { asImported?: (workflow: Record<string, unknown>) => Record<string, unknown> } = {}): Promise<ItemCatchUp> {
  const workflows = itemChanges(atCopy.workflows, now.workflows);
  const credentials = itemChanges(atCopy.credentials, now.credentials);
  const pick = async (what: ExportWhat, ids: readonly string[]) => {
    if (ids.length === 0) return [];
    const wanted = new Set(ids);
    return (await cli.exportItems(target.greenMain, what)).filter((item) => wanted.has(String(item.id)));
  };
  const changedCredentials = await pick('credentials', credentials.changed);
  const changedWorkflows = (await pick('workflows', workflows.changed)).map((w) => options.asImported?.(w) ?? w);
  // Credentials first: the workflows name them.
  if (changedCredentials.length > 0) await cli.importItems(target.blueMain, 'credentials', changedCredentials);
  if (changedWorkflows.length > 0) await cli.importItems(target.blueMain, 'workflows', changedWorkflows, { activeState: 'fromJson' });
  const deleted = workflows.deleted.length + credentials.deleted.length;
  const restartBlueMain = deleted > 0 ? await deleteOnBlue(target.blueUrl, workflows.deleted, credentials.deleted) : false;
  return { workflows: changedWorkflows.length, credentials: changedCredentials.length, deleted, restartBlueMain };
}

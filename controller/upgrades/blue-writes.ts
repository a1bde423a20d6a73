// What blue wrote between the swap and a rollback, read from blue's database
// before it is dropped: the executions it started since the swap (by status)
// and whether its workflows or credentials changed since the gate. A rollback
// returns to green's database as it was at the swap, so all of it is lost;
// the journal and the UpgradeFailed event say how much.
import pg from 'pg';
import type { ExecutionCounts } from './error-rate.js';
import { digestDifferences, n8nDigest, type N8nDigest } from './n8n-digest.js';

export interface BlueWrites {
  /** Executions blue created since the swap. */
  executions: number;
  /** Of those, the ones that ended in error or crashed. */
  failedExecutions: number;
  /** Workflow and credential changes on blue since the gate (empty: none). */
  changes: string[];
  /** When blue's database could not be read: why (the counts are then 0). */
  unreadable?: string;
}

/** `quiet`: a quiet blue's quieted workflows, read as active as the gate read them (their activation is no edit). */
export async function blueWritesSince(blueUrl: string, since: Date, atGate: N8nDigest | undefined, quiet: readonly string[] = []): Promise<BlueWrites> {
  const client = new pg.Client({ connectionString: blueUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ total: string; failed: string }>(
      `select count(*) as total, count(*) filter (where status in ('error', 'crashed')) as failed from execution_entity where "createdAt" >= $1`,
      [since],
    );
    const changes = atGate ? digestDifferences(atGate, await n8nDigest(blueUrl, { activeAs: quiet })).map((d) => d.replace(/on green/g, 'at the gate').replace(/on blue/g, 'at the rollback')) : [];
    return { executions: Number(rows[0]?.total ?? 0), failedExecutions: Number(rows[0]?.failed ?? 0), changes };
  } catch (error) {
    return { executions: 0, failedExecutions: 0, changes: [], unreadable: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One sentence for the event and the docs' promise: what blue wrote since the swap and that it is lost. Pure. */
export function describeLostWrites(swapped: boolean, writes: BlueWrites | undefined): string {
  if (!swapped) return 'blue never served the tenant: nothing was lost';
  const head = 'blue served the tenant between the swap and the rollback; green\'s database is as it was at the swap, so what blue wrote is lost with blue\'s database';
  if (!writes) return `${head} (not measured)`;
  if (writes.unreadable) return `${head} (blue's database could not be read to count it: ${writes.unreadable})`;
  const executions = `${writes.executions} execution${writes.executions === 1 ? '' : 's'}${writes.failedExecutions > 0 ? ` (${writes.failedExecutions} failed)` : ''}`;
  const edits = writes.changes.length > 0 ? `workflow or credential edits (${writes.changes.join('; ')})` : 'no workflow or credential edits';
  return `${head}: ${executions} and ${edits}`;
}

/** Finished executions created in [from, to) (to: open), by outcome: what the watch's error rate is computed from. */
export async function executionCounts(databaseUrl: string, from: Date, to?: Date): Promise<ExecutionCounts> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ success: string; failed: string }>(
      `select count(*) filter (where status = 'success') as success, count(*) filter (where status in ('error', 'crashed')) as failed
         from execution_entity where "createdAt" >= $1 and ($2::timestamptz is null or "createdAt" < $2)`,
      [from, to ?? null],
    );
    return { success: Number(rows[0]?.success ?? 0), failed: Number(rows[0]?.failed ?? 0) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

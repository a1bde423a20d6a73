// The swap's execution catch-up: the executions green wrote after the copy,
// copied from green's database into blue's with their ids, once green has
// stopped (nothing writes green any more) and before the route moves to blue
// (nothing writes blue's executions yet). What is copied:
//   - green's executions above the high-water mark journaled at the copy;
//   - blue's copies of green's executions whose outcome may not be green's
//     now (catch-up-plan.ts blueCopies): not over at the copy (new,
//     running, waiting, unknown), or marked crashed by blue's main when it
//     started on a row the dump caught running; green finished or resumed
//     them since, so blue's stale rows are replaced by green's.
// Three tables, each with the columns both schemas have (catch-up-plan.ts
// copyColumns): execution_entity, execution_data, execution_metadata. Rows go
// through json_agg on green and json_populate_recordset on blue, in batches,
// ON CONFLICT DO NOTHING; all of blue's writes in one transaction with the id
// sequences set past the copied ids, so a re-run after a kill -9 starts over
// from the same place and ends the same.
import pg from 'pg';
import { batches, blueCopies, copyColumns, STALE_ON_BLUE_STATUSES, type ColumnInfo, type ExecutionStamp } from './catch-up-plan.js';

export const EXECUTION_TABLES = ['execution_entity', 'execution_data', 'execution_metadata'] as const;
type ExecutionTable = (typeof EXECUTION_TABLES)[number];

/** Executions a batch: execution_data rows can be megabytes each. */
const BATCH = 50;

export interface ExecutionCatchUp {
  /** Executions inserted into blue (new since the copy, or stale on blue and replaced). */
  executions: number;
  /** Of those, blue's stale copies (unfinished, or crashed by blue's start) replaced by green's. */
  replaced: number;
  /** Executions selected on green but not inserted: an id blue already used, or a workflow blue does not hold. */
  skipped: number;
  /** Green's executions above the mark that blue already holds as green has them (the dump carried them finished; or a re-run). */
  alreadyOnBlue: number;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function columnsOf(client: pg.Client, table: ExecutionTable): Promise<ColumnInfo[]> {
  const { rows } = await client.query<{ name: string; required: boolean }>(
    `select column_name as name, (is_nullable = 'NO' and column_default is null and is_identity = 'NO') as required
       from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows;
}

/** Which column ties a table's rows to their execution. */
const EXECUTION_KEY: Record<ExecutionTable, string> = { execution_entity: 'id', execution_data: 'executionId', execution_metadata: 'executionId' };

const MS = (column: string) => `(extract(epoch from ${ident(column)}) * 1000)::bigint::text`;

/** The identity and outcome of the executions `where` selects, in id order. */
async function stampsOf(client: pg.Client, where: string, values: unknown[]): Promise<ExecutionStamp[]> {
  const { rows } = await client.query<Omit<ExecutionStamp, 'id'> & { id: string }>(
    `select id::text, "workflowId", mode, ${MS('createdAt')} as "createdAt", status, ${MS('stoppedAt')} as "stoppedAt" from execution_entity where ${where} order by id`,
    values,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Copies the executions green wrote after `mark` (and those stale on blue) from green's database into blue's. */
export async function copyExecutionsSince(greenUrl: string, blueUrl: string, mark: number): Promise<ExecutionCatchUp> {
  const green = await connect(greenUrl);
  try {
    const blue = await connect(blueUrl);
    try {
      const columns = {} as Record<ExecutionTable, string[]>;
      for (const table of EXECUTION_TABLES) columns[table] = copyColumns(table, await columnsOf(green, table), await columnsOf(blue, table));
      // Blue's rows green may have moved on from: every one above the mark (copies the dump caught after the mark
      // was read, or blue's own), and those at or below it in a status that is not green's final word.
      const onBlue = await stampsOf(blue, 'id > $1 or status = any($2::text[])', [mark, [...STALE_ON_BLUE_STATUSES]]);
      const onGreen = await stampsOf(green, 'id > $1 or id = any($2::int[])', [mark, onBlue.map((s) => s.id)]);
      const { replace: replaceable, unchanged } = blueCopies(onBlue, onGreen);
      const equal = new Set(unchanged);
      const stale = new Set(replaceable);
      const ids = onGreen.filter((g) => (g.id > mark && !equal.has(g.id)) || stale.has(g.id)).map((g) => g.id);
      let inserted = 0;
      await blue.query('begin');
      try {
        // Blue's stale copies go first (their data and metadata with them: n8n's foreign keys cascade).
        if (replaceable.length > 0) await blue.query('delete from execution_entity where id = any($1::int[])', [replaceable]);
        for (const batch of batches(ids, BATCH)) {
          // The executions first; their data and metadata only for the ones inserted now, never onto a row blue made itself.
          let copied = batch;
          for (const table of EXECUTION_TABLES) {
            if (copied.length === 0) break;
            const list = columns[table].map(ident).join(', ');
            const key = ident(EXECUTION_KEY[table]);
            const read = await green.query<{ rows: string | null }>(`select json_agg(t)::text as rows from (select ${list} from ${table} where ${key} = any($1::int[]) order by ${key}) t`, [copied]);
            const json = read.rows[0]?.rows;
            if (!json) continue;
            if (table === 'execution_entity') {
              // An execution whose workflow blue does not hold is skipped (n8n's foreign key would refuse it).
              const done = await blue.query<{ id: string }>(`insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, $1::json) where "workflowId" in (select id from workflow_entity) on conflict do nothing returning id::text`, [json]);
              copied = done.rows.map((r) => Number(r.id));
              inserted += copied.length;
              continue;
            }
            await blue.query(`insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, $1::json) on conflict do nothing`, [json]);
          }
        }
        for (const table of ['execution_entity', 'execution_metadata'] as const) {
          // The id sequence past every id now on blue, so blue's next execution does not collide with a copied one.
          await blue.query(`select setval(s, greatest((select coalesce(max(id), 0) from ${table}), 1)) from pg_get_serial_sequence($1, 'id') as s where s is not null`, [table]);
        }
        await blue.query('commit');
      } catch (error) {
        await blue.query('rollback').catch(() => undefined);
        throw error;
      }
      return { executions: inserted, replaced: replaceable.length, skipped: ids.length - inserted, alreadyOnBlue: unchanged.filter((id) => id > mark).length };
    } finally {
      await blue.end().catch(() => undefined);
    }
  } finally {
    await green.end().catch(() => undefined);
  }
}

/**
 * Green's executions not over yet (queued or running) but those of `exceptModes`: what the drain waits for. The
 * swap passes `manual`: an editor's run executes on main (n8n 1.x in queue mode), which the hold has killed, so it
 * never ends; where a worker runs it (offloaded), the worker's graceful stop waits for it.
 */
export async function runningExecutions(databaseUrl: string, statuses: readonly string[], exceptModes: readonly string[] = []): Promise<number> {
  const client = await connect(databaseUrl);
  try {
    const { rows } = await client.query<{ n: string }>('select count(*)::text as n from execution_entity where status = any($1::text[]) and "deletedAt" is null and not (mode = any($2::text[]))', [statuses, exceptModes]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end().catch(() => undefined);
  }
}

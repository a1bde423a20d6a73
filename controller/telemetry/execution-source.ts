// PostgreSQL edge of the collector: a tenant's executions read straight from
// n8n's `execution_entity` table. rp9 owns these databases (one per dedicated
// tenant, plus the shared instance's), and only the table has `createdAt`:
// the public API's execution objects lack it (no queue wait), cannot filter
// by date (a month's count would page through every execution) and cap pages
// at 250. Shared tenants are told apart by the personal project that owns the
// workflow (`shared_workflow`, role 'workflow:owner').
import type pg from 'pg';
import type { ExecutionActivity, ExecutionRow } from './executions.js';
import { clientConfig, tableName, withClient, type ConnectionTarget } from './pg-connection.js';
import { TelemetryError, type ExecutionQuery, type TelemetryTarget } from './types.js';

/** Which executions of a database: all of them, or those of one project's workflows. */
export type ExecutionScope = { kind: 'all' } | { kind: 'project'; projectId: string };

export interface ReadOptions {
  /** Cap on the rows of the window (default 20,000); beyond it `truncated` is set. */
  maxRows?: number;
  /** Rows not stopped are read back this far (default 24 h), so a row a crash left "running" ages out. */
  openLookbackMs?: number;
  /** n8n's DB_TABLE_PREFIX (default ''). */
  tablePrefix?: string;
}

const DEFAULT_MAX_ROWS = 20_000;
const DEFAULT_OPEN_LOOKBACK_MS = 24 * 3600_000;

function tables(prefix = ''): { executions: string; shared: string } {
  return { executions: tableName(prefix, 'execution_entity'), shared: tableName(prefix, 'shared_workflow') };
}

function scopeJoin(scope: ExecutionScope, shared: string, param: string): string {
  if (scope.kind === 'all') return '';
  return ` join ${shared} s on s."workflowId" = e."workflowId" and s.role = 'workflow:owner' and s."projectId" = ${param}`;
}

/**
 * One read of a tenant's executions on an open connection: the rows started in
 * the window (from `startedSince` when earlier) or not stopped yet (running or
 * queued), with their ids, newest first and capped,
 * and the number created since `periodStart` (the tenant's billing period) (soft-deleted ones included: they ran).
 */
export async function readExecutionActivity(client: pg.ClientBase, scope: ExecutionScope, query: ExecutionQuery, options: ReadOptions = {}): Promise<ExecutionActivity> {
  const { executions, shared } = tables(options.tablePrefix);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const openSince = new Date(query.now.getTime() - (options.openLookbackMs ?? DEFAULT_OPEN_LOOKBACK_MS));
  const projectParams = scope.kind === 'project' ? [scope.projectId] : [];
  const startedFrom = query.startedSince && query.startedSince < query.windowStart ? query.startedSince : query.windowStart;
  const rows = await client.query<{ id: number | string; createdAt: Date; startedAt: Date | null; stoppedAt: Date | null; status: string | null }>(
    `select e.id, e."createdAt", e."startedAt", e."stoppedAt", e.status
       from ${executions} e${scopeJoin(scope, shared, '$4')}
      where e."startedAt" >= $1 or (e."stoppedAt" is null and e."createdAt" >= $2)
      order by e."createdAt" desc
      limit $3`,
    [startedFrom, openSince, maxRows + 1, ...projectParams],
  );
  const month = await client.query<{ count: string }>(
    `select count(*) as count from ${executions} e${scopeJoin(scope, shared, '$2')} where e."createdAt" >= $1`,
    [query.periodStart, ...projectParams],
  );
  const truncated = rows.rows.length > maxRows;
  const list: ExecutionRow[] = rows.rows.slice(0, maxRows).map((r) => ({ id: String(r.id), createdAt: r.createdAt, startedAt: r.startedAt, stoppedAt: r.stoppedAt, status: r.status }));
  return { rows: list, periodCount: Number(month.rows[0]?.count ?? 0), ...(truncated ? { truncated } : {}) };
}

export interface SqlExecutionSourceOptions extends ReadOptions {
  /** Connection to a dedicated tenant's own n8n database. */
  dedicatedDatabase(tenant: string): ConnectionTarget;
  /** Connection to the shared instance's database; without it shared tenants are not measured. */
  sharedDatabase?: ConnectionTarget;
  /**
   * The shared tenant's personal project id on the shared instance (see
   * project-attribution.ts); it may throw a TelemetryError that says why there is none.
   */
  projectIdFor?(tenant: string): string | undefined | Promise<string | undefined>;
  /** Server-side cap on each statement (default 10 s). */
  statementTimeoutMs?: number;
}

/** The `executions` edge for TelemetrySources, one short connection per tenant read. */
export function createSqlExecutionSource(options: SqlExecutionSourceOptions) {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  return async function executions(target: TelemetryTarget, query: ExecutionQuery, signal: AbortSignal): Promise<ExecutionActivity> {
    if (target.mode === 'dedicated') {
      const config = clientConfig(options.dedicatedDatabase(target.tenant), statementTimeoutMs);
      return withClient(config, signal, (client) => readExecutionActivity(client, { kind: 'all' }, query, options));
    }
    if (!options.sharedDatabase) throw new TelemetryError('telemetry.no-project', `shared tenant ${target.tenant}: no shared database configured`);
    const projectId = await options.projectIdFor?.(target.tenant);
    if (!projectId) throw new TelemetryError('telemetry.no-project', `shared tenant ${target.tenant} has no personal project on the shared instance`);
    const config = clientConfig(options.sharedDatabase, statementTimeoutMs);
    return withClient(config, signal, (client) => readExecutionActivity(client, { kind: 'project', projectId }, query, options));
  };
}

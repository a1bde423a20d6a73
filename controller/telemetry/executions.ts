// Pure arithmetic over a tenant's n8n executions (rows of n8n's
// `execution_entity`): executions per minute, running now, and the p95 of the
// time executions waited in the queue (startedAt − createdAt).

/** The columns of `execution_entity` the collector reads. */
export interface ExecutionRow {
  /** n8n's execution id (a serial number), as text; orders rows started in the same millisecond. */
  id?: string;
  createdAt: Date;
  /** Null while the execution waits in the queue (queue mode, status 'new'). */
  startedAt: Date | null;
  /** Null while it runs, waits in the queue or (status 'waiting') sleeps in a Wait node. */
  stoppedAt: Date | null;
  status: string | null;
}

/** What the execution source returns: the rows of the window and the billing period's count. */
export interface ExecutionActivity {
  /** Rows started in [windowStart, now], plus the ones not stopped yet (running or queued). */
  rows: ExecutionRow[];
  /** Executions created since the start of the tenant's billing period (ExecutionQuery.periodStart). */
  periodCount: number;
  /** True when the source hit its row cap: the window's figures undercount. */
  truncated?: boolean;
}

export interface ExecutionWindow {
  now: Date;
  windowStart: Date;
}

export interface ExecutionSummary {
  executionsPerMinute: number;
  executionsMonth: number;
  concurrentExecutions: number;
  queueWaitP95Seconds: number;
  /** success / (success + error + crashed) over the executions started in the window that have finished; absent when none has. */
  executionSuccessRatio?: number;
}

// Statuses that are not "running" even with stoppedAt null: finished ones, and
// 'waiting' (a Wait node: the execution sleeps, it holds no worker).
const NOT_RUNNING: ReadonlySet<string> = new Set(['success', 'error', 'crashed', 'canceled', 'waiting']);
const QUEUED: ReadonlySet<string> = new Set(['new']);
// Finished statuses that count for the success rate ('canceled' is a person's choice, not a failure).
const FAILED: ReadonlySet<string> = new Set(['error', 'crashed']);

/** Nearest-rank p95 (the smallest value with at least 95 % of the values at or below it); 0 for none. */
export function p95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(0.95 * sorted.length);
  return sorted[Math.max(0, rank - 1)] as number;
}

/** Started and not stopped, and not in a status that holds no worker. */
export function isRunning(row: ExecutionRow, now: Date): boolean {
  if (row.startedAt === null || row.stoppedAt !== null) return false;
  if (row.startedAt.getTime() > now.getTime()) return false;
  return row.status === null || !NOT_RUNNING.has(row.status);
}

/** Created, not started yet, still waiting for a worker. */
export function isQueued(row: ExecutionRow): boolean {
  return row.startedAt === null && row.stoppedAt === null && (row.status === null || QUEUED.has(row.status));
}

function startedIn(row: ExecutionRow, window: ExecutionWindow): row is ExecutionRow & { startedAt: Date } {
  if (row.startedAt === null) return false;
  const t = row.startedAt.getTime();
  return t >= window.windowStart.getTime() && t <= window.now.getTime();
}

/**
 * The tenant's execution figures at `window.now`:
 * - executionsPerMinute: executions started in the window / its length in minutes;
 * - concurrentExecutions: rows running now (see isRunning);
 * - queueWaitP95Seconds: p95 of startedAt − createdAt over the executions started
 *   in the window, where the ones still queued count with their wait so far
 *   (now − createdAt), so a stalled queue shows as a growing wait, not as none;
 * - executionsMonth: the source's count, as is;
 * - executionSuccessRatio: of the executions started in the window that ended
 *   in success, error or crashed, the share that succeeded (absent when none did).
 */
export function summarizeExecutions(activity: ExecutionActivity, window: ExecutionWindow): ExecutionSummary {
  const minutes = (window.now.getTime() - window.windowStart.getTime()) / 60_000;
  if (!(minutes > 0)) throw new RangeError(`execution window must end after it starts (${window.windowStart.toISOString()} .. ${window.now.toISOString()})`);
  let started = 0;
  let running = 0;
  let succeeded = 0;
  let failed = 0;
  const waits: number[] = [];
  for (const row of activity.rows) {
    if (startedIn(row, window)) {
      started += 1;
      waits.push(Math.max(0, row.startedAt.getTime() - row.createdAt.getTime()) / 1000);
      if (row.status === 'success') succeeded += 1;
      else if (row.status !== null && FAILED.has(row.status)) failed += 1;
    } else if (isQueued(row) && row.createdAt.getTime() <= window.now.getTime()) {
      waits.push(Math.max(0, window.now.getTime() - row.createdAt.getTime()) / 1000);
    }
    if (isRunning(row, window.now)) running += 1;
  }
  return {
    executionsPerMinute: started / minutes,
    executionsMonth: activity.periodCount,
    concurrentExecutions: running,
    queueWaitP95Seconds: p95(waits),
    ...(succeeded + failed > 0 ? { executionSuccessRatio: succeeded / (succeeded + failed) } : {}),
  };
}

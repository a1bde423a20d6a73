// Which executions' queue waits are new to the histogram. Each pass reads the
// rows of a window that overlaps the previous pass's, so the collector keeps,
// per series (tenant, mode, plan), a high-water mark: the greatest
// (startedAt, id) it has accounted for. A pass observes the started rows above
// the mark and moves the mark to the greatest of them. Pure.
import type { ExecutionRow } from './executions.js';
import type { TelemetryTarget } from './types.js';

/** The greatest (startedAt, id) accounted for; `id` '' sorts below every id. */
export interface WaitMark {
  startedAtMs: number;
  id: string;
}

export interface MarkBounds {
  /**
   * Rows started after this instant (the pass's now − settle) are left to a
   * later pass, so a row whose start is committed a little after a later
   * one's is not skipped.
   */
  cutoff: Date;
  /** The read's lower bound on startedAt: a first pass that sees no started row puts its mark there. */
  readFrom: Date;
}

export interface NewQueueWaits {
  /** startedAt − createdAt of the rows above the previous mark, seconds (negative clock skew counts as 0). */
  waitsSeconds: number[];
  mark: WaitMark;
  /** No previous mark: nothing is observed, the mark is only set (the rows may be counted already by a previous process). */
  baseline: boolean;
}

/** The key of a tenant's series: its marks and histogram series follow its labels. */
export function seriesKey(target: Pick<TelemetryTarget, 'tenant' | 'mode' | 'plan'>): string {
  return JSON.stringify([target.tenant, target.mode, target.plan]);
}

/** Ids as n8n's serial numbers sort (numerically), other strings as strings. */
export function compareIds(a: string, b: string): number {
  let x = a;
  let y = b;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    x = a.replace(/^0+(?=\d)/, '');
    y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareMarks(a: WaitMark, b: WaitMark): number {
  return a.startedAtMs - b.startedAtMs || compareIds(a.id, b.id);
}

function markOf(row: ExecutionRow & { startedAt: Date }): WaitMark {
  return { startedAtMs: row.startedAt.getTime(), id: row.id ?? '' };
}

/**
 * The rows of this pass to observe, and the next mark. Only rows with a
 * startedAt at or before `cutoff` count. With a previous mark, those strictly
 * above it are observed (queued rows have no startedAt: they are observed once
 * they start); without one (baseline), none is.
 */
export function newQueueWaits(rows: readonly ExecutionRow[], previous: WaitMark | undefined, bounds: MarkBounds): NewQueueWaits {
  const cutoff = bounds.cutoff.getTime();
  let mark = previous ?? { startedAtMs: bounds.readFrom.getTime(), id: '' };
  const waitsSeconds: number[] = [];
  for (const row of rows) {
    if (row.startedAt === null || row.startedAt.getTime() > cutoff) continue;
    const at = markOf(row as ExecutionRow & { startedAt: Date });
    if (previous && compareMarks(at, previous) > 0) {
      waitsSeconds.push(Math.max(0, row.startedAt.getTime() - row.createdAt.getTime()) / 1000);
    }
    if (compareMarks(at, mark) > 0) mark = at;
  }
  return { waitsSeconds, mark, baseline: previous === undefined };
}

/**
 * Where a pass's read of started rows begins: the window's start, or earlier
 * down to the mark (so a pass after failed ones still sees every row since
 * the last one it accounted for), but never more than `maxReadBackMs` before now.
 */
export function readFromFor(windowStart: Date, previous: WaitMark | undefined, now: Date, maxReadBackMs: number): Date {
  if (!previous) return windowStart;
  const floor = now.getTime() - maxReadBackMs;
  return new Date(Math.min(windowStart.getTime(), Math.max(previous.startedAtMs, floor)));
}

/**
 * The marks to keep after a pass: the updated ones of the series read, the
 * unchanged ones of series whose read failed, none for series that are no
 * longer targets (deleted, suspended, or with another mode or plan).
 */
export function nextMarks(
  previous: ReadonlyMap<string, WaitMark>,
  passed: readonly { key: string; mark: WaitMark }[],
  targets: readonly Pick<TelemetryTarget, 'tenant' | 'mode' | 'plan'>[],
): Map<string, WaitMark> {
  const wanted = new Set(targets.map(seriesKey));
  const next = new Map<string, WaitMark>();
  for (const [key, mark] of previous) if (wanted.has(key)) next.set(key, mark);
  for (const { key, mark } of passed) if (wanted.has(key)) next.set(key, mark);
  return next;
}

// The pure decisions of the swap's catch-up (what green wrote between the copy
// and the swap, carried to blue under the hold): which workflows and
// credentials changed since the copy (per-item hashes journaled at the copy
// against green's now), and which execution columns can be copied between
// green's schema (the old n8n) and blue's (the new one, after its migrations).
import { OperationError } from '../operations/kind.js';

/** Per-item hashes of one kind (workflows or credentials): id → a short hash of what the gate compares. */
export type ItemHashes = Record<string, string>;

export interface N8nItemHashes {
  workflows: ItemHashes;
  credentials: ItemHashes;
}

export interface ItemChanges {
  /** Ids added or changed on green since the copy: exported from green and imported into blue. */
  changed: string[];
  /** Ids green no longer has: deleted on blue. */
  deleted: string[];
}

/** What changed between the hashes journaled at the copy and green's now, in id order. */
export function itemChanges(atCopy: ItemHashes, now: ItemHashes): ItemChanges {
  const changed = Object.keys(now).filter((id) => atCopy[id] !== now[id]).sort();
  const deleted = Object.keys(atCopy).filter((id) => !(id in now)).sort();
  return { changed, deleted };
}

/** Execution statuses that are not over: an execution still queued or running on green. */
export const RUNNING_STATUSES = ['new', 'running'] as const;
/** Statuses a row copied into blue at the copy may have become stale in: green finished (or resumed) it since. */
export const UNFINISHED_STATUSES = ['new', 'running', 'waiting', 'unknown'] as const;

/**
 * Statuses of blue's rows at or below the mark the catch-up looks at: the
 * unfinished ones, and `crashed`, which blue's own main sets on startup on a
 * row the dump caught running (green has finished it since).
 */
export const STALE_ON_BLUE_STATUSES = [...UNFINISHED_STATUSES, 'crashed'] as const;

/** One execution's identity and outcome, as the catch-up compares them between green and blue. */
export interface ExecutionStamp {
  id: number;
  workflowId: string;
  mode: string;
  /** `createdAt` in epoch milliseconds, as text: the moment green's n8n made the row (a copy keeps it; blue's own row has its own). */
  createdAt: string;
  status: string;
  /** `stoppedAt` in epoch milliseconds, as text. */
  stoppedAt: string | null;
}

/**
 * Blue's copies of green's executions (same id, workflow, mode and creation time: made by green, carried by the
 * dump), in id order, in two lists. `replace`: those whose outcome may not be green's now — in a status that is not
 * over (green may have gone on with it, even to the same status, as a second Wait node does), or with another
 * status or stop time than green's (blue marked it crashed; green finished it). `unchanged`: finished copies equal
 * to green's (carried by the dump above the mark, or a re-run after a kill -9): nothing to copy, not skipped either.
 * A row blue made itself (another creation time or mode) is in neither.
 */
export function blueCopies(blue: readonly ExecutionStamp[], green: readonly ExecutionStamp[]): { replace: number[]; unchanged: number[] } {
  const greenById = new Map(green.map((g) => [g.id, g]));
  const stale = new Set<string>(UNFINISHED_STATUSES);
  const replace: number[] = [];
  const unchanged: number[] = [];
  for (const b of [...blue].sort((x, y) => x.id - y.id)) {
    const g = greenById.get(b.id);
    if (!g || g.workflowId !== b.workflowId || g.mode !== b.mode || g.createdAt !== b.createdAt) continue;
    if (stale.has(b.status) || g.status !== b.status || g.stoppedAt !== b.stoppedAt) replace.push(b.id);
    else unchanged.push(b.id);
  }
  return { replace, unchanged };
}

export interface ColumnInfo {
  name: string;
  /** NOT NULL without a default (and not an identity/serial): a row without it cannot be inserted. */
  required: boolean;
}

/**
 * The columns copied from green's `table` into blue's: those both have, in
 * blue's order. A column only blue has is left to its default, unless it is
 * required (NOT NULL, no default): then no row can be copied and the
 * catch-up fails (upgrade.catch-up-schema) rather than half-copy.
 */
export function copyColumns(table: string, green: readonly ColumnInfo[], blue: readonly ColumnInfo[]): string[] {
  if (green.length === 0) throw new OperationError('upgrade.catch-up-schema', `green has no table ${table}`);
  if (blue.length === 0) throw new OperationError('upgrade.catch-up-schema', `blue has no table ${table}`);
  const onGreen = new Set(green.map((c) => c.name));
  const missing = blue.filter((c) => c.required && !onGreen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new OperationError('upgrade.catch-up-schema', `blue's ${table} requires ${missing.join(', ')}, which green's has not: its rows cannot be copied`);
  return blue.map((c) => c.name).filter((name) => onGreen.has(name));
}

/** Splits `ids` into batches of at most `size` (execution data can be megabytes a row). */
export function batches<T>(ids: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`batch size must be at least 1 (got ${size})`);
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

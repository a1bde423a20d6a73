// The simulated forge and controller queue: open pull requests (one per bot
// and tenant), and the events due at each minute (a merge after the merge or
// review delay, an apply after the apply delay, a promotion's switch). Counts
// PRs opened, waiting for review and closed. See docs/simulate.md#what-runs.
import type { FieldEdit } from '../bots/core/types.js';

export type Bot = 'autoscale' | 'promotion';

export interface Pr {
  bot: Bot;
  tenant: number;
  edits: FieldEdit[];
  mergeAt: number;
  /** A beyond-ceiling autoscale proposal (labelled `risk:beyondCeiling`), which a run may keep open. */
  beyondCeiling: boolean;
}

export type SimEvent = { kind: 'merge'; pr: Pr } | { kind: 'apply'; tenant: number } | { kind: 'switch'; tenant: number };

export interface PullRequests {
  open: Record<Bot, Map<number, Pr>>;
  events: Map<number, SimEvent[]>;
  mergeDelayMinutes: number;
  /** Infinity: never merged. */
  reviewDelayMinutes: number;
  opened: number;
  review: number;
  merged: number;
  closed: number;
}

export function createPullRequests(mergeDelayMinutes: number, reviewDelayMinutes: number): PullRequests {
  return { open: { autoscale: new Map(), promotion: new Map() }, events: new Map(), mergeDelayMinutes, reviewDelayMinutes, opened: 0, review: 0, merged: 0, closed: 0 };
}

export function schedule(prs: PullRequests, minute: number, event: SimEvent): void {
  const list = prs.events.get(minute);
  if (list) list.push(event);
  else prs.events.set(minute, [event]);
}

/** The events due at `minute`, in the order they were scheduled, removed from the queue. */
export function takeEvents(prs: PullRequests, minute: number): SimEvent[] | undefined {
  const due = prs.events.get(minute);
  if (due) prs.events.delete(minute);
  return due;
}

export function sameEdits(a: readonly FieldEdit[], b: readonly FieldEdit[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.path.length !== y.path.length) return false;
    for (let j = 0; j < x.path.length; j++) if (x.path[j] !== y.path[j]) return false;
    if (x.value !== y.value && JSON.stringify(x.value) !== JSON.stringify(y.value)) return false;
  }
  return true;
}

/**
 * A bot's proposal for tenant `i`: opens a PR, or updates the open one when the edits differ (its merge
 * moves to the new delay), or leaves it when they are the same.
 */
export function propose(prs: PullRequests, bot: Bot, i: number, edits: FieldEdit[], autoMerge: boolean, minute: number, beyondCeiling = false): void {
  const map = prs.open[bot];
  const existing = map.get(i);
  if (existing && sameEdits(existing.edits, edits)) return;
  if (!existing) {
    prs.opened += 1;
    if (!autoMerge) prs.review += 1;
  }
  const mergeAt = minute + (autoMerge ? prs.mergeDelayMinutes : prs.reviewDelayMinutes);
  const pr: Pr = { bot, tenant: i, edits, mergeAt, beyondCeiling };
  map.set(i, pr);
  if (Number.isFinite(mergeAt)) schedule(prs, Math.max(minute + 1, Math.ceil(mergeAt)), { kind: 'merge', pr });
}

/**
 * Closes the bot's open PRs of tenants the run no longer wants (`wanted` undefined: the run could not
 * tell, nothing closes), except beyond-ceiling ones of tenants `keepBeyondCeiling` names.
 */
export function closeUnwanted(prs: PullRequests, bot: Bot, names: readonly string[], wanted: Set<string> | undefined, keepBeyondCeiling?: Set<string>): void {
  if (!wanted) return;
  const map = prs.open[bot];
  for (const [i, pr] of map) {
    if (wanted.has(names[i]!)) continue;
    if (pr.beyondCeiling && keepBeyondCeiling?.has(names[i]!)) continue;
    map.delete(i);
    prs.closed += 1;
  }
}

/** Takes `pr` off the open list for its merge; false when it was closed or replaced meanwhile. */
export function claimMerge(prs: PullRequests, pr: Pr): boolean {
  const map = prs.open[pr.bot];
  if (map.get(pr.tenant) !== pr) return false;
  map.delete(pr.tenant);
  prs.merged += 1;
  return true;
}

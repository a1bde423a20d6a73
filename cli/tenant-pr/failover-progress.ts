// What `rp9 tenant failover` waits for after it opened the demotion pull
// request, as a pure verdict over what it observed: the pull request (open,
// merged, closed) and what the controller recorded for the tenant in the
// state store (phase, applied commit).
export interface FailoverObservation {
  pr: { state: 'open' | 'closed'; merged: boolean };
  /** undefined when no state store could be read. */
  status: { phase: string; appliedCommit: string | null } | undefined;
  /** The applied commit when the command started (before the merge). */
  appliedAtStart: string | null;
}

/**
 * done: merged and the controller applied a newer commit with the tenant active;
 * closed: closed without merging; merged-unobserved: merged, but no store to see the controller;
 * pending: keep waiting.
 */
export type FailoverVerdict = 'done' | 'closed' | 'merged-unobserved' | 'pending';

export function failoverVerdict(o: FailoverObservation): FailoverVerdict {
  if (o.pr.state === 'closed' && !o.pr.merged) return 'closed';
  if (!o.pr.merged) return 'pending';
  if (!o.status) return 'merged-unobserved';
  if (o.status.appliedCommit !== null && o.status.appliedCommit !== o.appliedAtStart && o.status.phase === 'active') return 'done';
  return 'pending';
}

// Pure status derivation: from a tenant's previous status and what happened
// in this reconcile, the status update (phase + conditions) and the events
// to record. Events are written only when something changed.
import type { TenantPhase } from '../model.js';
import type { Condition, ConditionInput } from '../store/types.js';
import { enforcementStatus, type AppliedEnforcement, type EnforcementCount } from './enforcement-status.js';

export type { ConditionInput };

export interface PreviousStatus {
  phase: TenantPhase;
  conditions: Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[];
  appliedSpecHash: string | null;
}

export type TenantOutcome =
  | { kind: 'applied'; commit: string; generation: string; specHash: string; suspended: boolean; actions: string[]; enforcement?: Omit<AppliedEnforcement, 'suspended'> }
  | { kind: 'failed'; commit: string; generation: string; code: string; message: string; transient: boolean; actions: string[] }
  /** Held until a dependency comes (Docker): not a failure; Ready False with reason `reason`, Reconciling True. */
  | { kind: 'waiting'; commit: string; generation: string; reason: string; message: string }
  /** The tenant's file in the newest commit is invalid; the last good config stays applied. */
  | { kind: 'invalid'; commit: string; message: string }
  /** The whole plan was refused by a safety rail. */
  | { kind: 'blocked'; commit: string; code: string; message: string };

export interface StatusUpdate {
  phase?: TenantPhase;
  conditions: ConditionInput[];
  observedCommit: string;
  observedGeneration?: string;
  appliedSpecHash?: string;
  appliedCommit?: string;
}

export interface StatusEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  data?: Record<string, unknown>;
}

/** `docker.image-missing` → `ImageMissing`; `apply.failed` → `Failed`. */
export function reasonFromCode(code: string): string {
  const tail = code.includes('.') ? code.slice(code.lastIndexOf('.') + 1) : code;
  const words = tail.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const reason = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return reason.length > 0 ? reason : 'Unknown';
}

function short(commit: string): string {
  return commit.slice(0, 12);
}

function ready(previous: PreviousStatus | undefined): ConditionInput | undefined {
  return previous?.conditions.find((c) => c.type === 'Ready');
}

/** `enforcement`: the throttle, suspend and lift actions an applied outcome carried out (rp9_enforcement_events_total). */
export function deriveTenantStatus(previous: PreviousStatus | undefined, outcome: TenantOutcome): { update: StatusUpdate; events: StatusEvent[]; enforcement: EnforcementCount[] } {
  const before = ready(previous);
  switch (outcome.kind) {
    case 'applied': {
      const message = `Applied revision ${short(outcome.commit)}`;
      const phase: TenantPhase = outcome.suspended ? 'suspended' : 'active';
      const events: StatusEvent[] = [];
      if (outcome.actions.length > 0) {
        events.push({ type: 'Normal', reason: 'Applied', message: `${message}: ${outcome.actions.join(', ')}`, data: { actions: outcome.actions } });
      } else if (before && before.status !== 'True') {
        events.push({ type: 'Normal', reason: 'Recovered', message });
      }
      if (previous && previous.phase !== phase) {
        events.push({ type: 'Normal', reason: phase === 'suspended' ? 'Suspended' : 'Activated', message: `Phase ${previous.phase} → ${phase}` });
      }
      const enforced = enforcementStatus(previous, { suspended: outcome.suspended, ...outcome.enforcement }, outcome.specHash);
      events.push(...enforced.events);
      return {
        enforcement: enforced.counts,
        update: {
          phase,
          conditions: [
            { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message },
            { type: 'Reconciling', status: 'False', reason: 'ReconciliationSucceeded', message },
            { type: 'Stalled', status: 'False', reason: 'ReconciliationSucceeded', message },
            ...enforced.conditions,
          ],
          observedCommit: outcome.commit,
          observedGeneration: outcome.generation,
          appliedSpecHash: outcome.specHash,
          appliedCommit: outcome.commit,
        },
        events,
      };
    }
    case 'failed': {
      const reason = reasonFromCode(outcome.code);
      const changed = !before || before.status !== 'False' || before.reason !== reason || before.message !== outcome.message;
      const phase: TenantPhase = outcome.transient ? (previous?.phase ?? 'provisioning') : 'failed';
      return {
        enforcement: [],
        update: {
          phase,
          conditions: outcome.transient
            ? [
                { type: 'Ready', status: 'False', reason, message: outcome.message },
                { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: `Retrying: ${outcome.message}` },
                { type: 'Stalled', status: 'False', reason: 'ProgressingWithRetry', message: 'Transient error; retrying with backoff' },
              ]
            : [
                { type: 'Ready', status: 'False', reason, message: outcome.message },
                { type: 'Reconciling', status: 'False', reason, message: outcome.message },
                { type: 'Stalled', status: 'True', reason, message: outcome.message },
              ],
          observedCommit: outcome.commit,
          observedGeneration: outcome.generation,
        },
        events: changed ? [{ type: 'Warning', reason, message: outcome.message, data: { transient: outcome.transient, code: outcome.code, done: outcome.actions } }] : [],
      };
    }
    case 'waiting': {
      const changed = !before || before.reason !== outcome.reason || before.message !== outcome.message;
      return {
        enforcement: [],
        update: {
          phase: previous?.phase ?? 'provisioning',
          conditions: [
            { type: 'Ready', status: 'False', reason: outcome.reason, message: outcome.message },
            { type: 'Reconciling', status: 'True', reason: outcome.reason, message: outcome.message },
            { type: 'Stalled', status: 'False', reason: outcome.reason, message: 'Applied as soon as the dependency is reachable' },
          ],
          observedCommit: outcome.commit,
          observedGeneration: outcome.generation,
        },
        events: changed ? [{ type: 'Normal', reason: outcome.reason, message: outcome.message }] : [],
      };
    }
    case 'invalid':
    case 'blocked': {
      const reason = outcome.kind === 'invalid' ? 'ValidationFailed' : reasonFromCode(outcome.code);
      const changed = !before || before.reason !== reason || before.message !== outcome.message;
      return {
        enforcement: [],
        update: {
          conditions: [
            { type: 'Ready', status: 'False', reason, message: outcome.message },
            { type: 'Reconciling', status: 'False', reason, message: outcome.message },
            { type: 'Stalled', status: 'True', reason, message: outcome.message },
          ],
          observedCommit: outcome.commit,
        },
        events: changed ? [{ type: 'Warning', reason, message: outcome.message }] : [],
      };
    }
  }
}

// What an applied tenant's enforcement state changes in its status, pure:
// the conditions Throttled (spec.throttle) and Suspended (spec.suspended with
// its reason), the events of a throttle being set or lifted (suspension has
// its phase events already), and the enforcement actions the controller
// carried out, which rp9_enforcement_events_total counts. An action counts
// only when the applied spec hash changed (a throttle changes the route, a
// suspension its target), so a restart or the first pass after an upgrade
// of rp9 never counts a state that was already applied.
import type { Condition, ConditionInput } from '../store/types.js';
import type { StatusEvent } from './tenant-status.js';

export const ENFORCEMENT_PREFIX = 'enforcement:';
/** The Suspended condition's reason of a suspension set by hand (never lifted by a bot). */
export const MANUAL_SUSPENSION = 'Manual';

export interface AppliedEnforcement {
  suspended: boolean;
  suspendedReason?: string;
  throttle?: { limit: string; reason: string };
}

export type EnforcementAction = 'throttle' | 'suspend' | 'lift';

export interface EnforcementCount {
  action: EnforcementAction;
  /** The limit concerned: executionsMonthly, concurrentExecutions, apiCallsHourly, storageGb (or `unknown`). */
  limitType: string;
}

export interface EnforcementPrevious {
  conditions: readonly Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[];
  appliedSpecHash: string | null;
}

export interface EnforcementStatus {
  conditions: ConditionInput[];
  events: StatusEvent[];
  counts: EnforcementCount[];
}

/** `executionsMonthly` → `ExecutionsMonthly` (a condition reason is PascalCase). */
function pascal(limit: string): string {
  const word = limit.replace(/[^A-Za-z0-9]/g, '');
  return word.length > 0 ? word[0]!.toUpperCase() + word.slice(1) : 'Unknown';
}

function camel(reason: string): string {
  return reason.length > 0 ? reason[0]!.toLowerCase() + reason.slice(1) : 'unknown';
}

/** The limit an enforcement suspension names (`enforcement: executionsMonthly at 100 % …`); undefined for one by hand. */
export function suspensionLimit(reason: string | undefined): string | undefined {
  if (!reason?.startsWith(ENFORCEMENT_PREFIX)) return undefined;
  return /^enforcement:\s*([A-Za-z]+)/.exec(reason)?.[1] ?? 'unknown';
}

export function enforcementStatus(previous: EnforcementPrevious | undefined, state: AppliedEnforcement, specHash: string): EnforcementStatus {
  const before = (type: string) => previous?.conditions.find((c) => c.type === type);
  const changed = previous?.appliedSpecHash !== specHash;
  const out: EnforcementStatus = { conditions: [], events: [], counts: [] };

  const wasThrottled = before('Throttled');
  if (state.throttle) {
    const reason = pascal(state.throttle.limit);
    out.conditions.push({ type: 'Throttled', status: 'True', reason, message: state.throttle.reason });
    if (wasThrottled?.status !== 'True' || wasThrottled.reason !== reason) {
      out.events.push({ type: 'Warning', reason: 'Throttled', message: `Rate limited: ${state.throttle.reason}`, data: { limit: state.throttle.limit } });
      if (changed) out.counts.push({ action: 'throttle', limitType: state.throttle.limit });
    }
  } else if (wasThrottled) {
    out.conditions.push({ type: 'Throttled', status: 'False', reason: 'NotThrottled', message: 'No spec.throttle' });
    if (wasThrottled.status === 'True') {
      out.events.push({ type: 'Normal', reason: 'ThrottleLifted', message: `Throttle lifted (was: ${wasThrottled.message})` });
      if (changed) out.counts.push({ action: 'lift', limitType: camel(wasThrottled.reason) });
    }
  }

  const wasSuspended = before('Suspended');
  if (state.suspended) {
    const limit = suspensionLimit(state.suspendedReason);
    const reason = limit ? pascal(limit) : MANUAL_SUSPENSION;
    out.conditions.push({ type: 'Suspended', status: 'True', reason, message: state.suspendedReason ?? 'spec.suspended: true' });
    const newly = wasSuspended?.status !== 'True' || wasSuspended.reason === MANUAL_SUSPENSION;
    if (limit && newly && changed) out.counts.push({ action: 'suspend', limitType: limit });
  } else if (wasSuspended) {
    out.conditions.push({ type: 'Suspended', status: 'False', reason: 'NotSuspended', message: 'spec.suspended is not set' });
    if (wasSuspended.status === 'True' && wasSuspended.reason !== MANUAL_SUSPENSION && changed) out.counts.push({ action: 'lift', limitType: camel(wasSuspended.reason) });
  }
  return out;
}

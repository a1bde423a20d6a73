// Status conditions, k8s style: setting a condition keeps its
// lastTransitionTime unless its status changes (meta.SetStatusCondition).
import { checkOneOf, checkReason } from './validate.js';
import type { Condition, ConditionInput, ConditionStatus, ConditionType } from './types.js';

export const CONDITION_TYPES: readonly ConditionType[] = ['Ready', 'Reconciling', 'Stalled', 'Restorable', 'Throttled', 'Suspended'];
export const CONDITION_STATUSES: readonly ConditionStatus[] = ['True', 'False', 'Unknown'];

/**
 * Returns a new list with `input` set. A new condition gets
 * `input.lastTransitionTime ?? now`; an existing one keeps its time unless
 * the status changes. Reason and message always take the new values.
 * Throws store.invalid-input for an unknown type or status or a non-PascalCase reason.
 */
export function setCondition(conditions: readonly Condition[], input: ConditionInput, now: Date): Condition[] {
  checkOneOf('condition type', input.type, CONDITION_TYPES);
  checkOneOf(`condition ${input.type} status`, input.status, CONDITION_STATUSES);
  checkReason(`condition ${input.type} reason`, input.reason);
  const index = conditions.findIndex((c) => c.type === input.type);
  const existing = conditions[index];
  if (!existing) {
    return [...conditions, { type: input.type, status: input.status, reason: input.reason, message: input.message, lastTransitionTime: input.lastTransitionTime ?? now }];
  }
  const changed = existing.status !== input.status;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime: changed ? (input.lastTransitionTime ?? now) : existing.lastTransitionTime,
  };
  return conditions.map((c, i) => (i === index ? next : c));
}

export function findCondition(conditions: readonly Condition[], type: ConditionType): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[], type: ConditionType): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Conditions beyond the reconcile's own (Ready, Reconciling, Stalled) and enforcement's (Throttled, Suspended: False is fine) that are False, as `Reason: message`: a failed restore drill. */
export function conditionWarnings(conditions: readonly Condition[]): string[] {
  return conditions.filter((c) => !['Ready', 'Reconciling', 'Stalled', 'Throttled', 'Suspended'].includes(c.type) && c.status === 'False').map((c) => `${c.reason}: ${c.message}`);
}

// The PlanRefused event: written when a refusal starts or changes, not on
// every pass that meets the same refusal (the loop retries on an interval).
// PlanAccepted closes it once a pass is no longer refused, so a refusal that
// comes back later is recorded again. DeletionAllowed records removals an
// override let through the rail, once per commit.
import type { DeletionOverride, PlanRefusal } from '../model.js';
import type { Store } from '../store/index.js';
import type { StoreEvent } from '../store/types.js';

export const PLAN_REFUSED = 'PlanRefused';
export const PLAN_ACCEPTED = 'PlanAccepted';
export const DELETION_ALLOWED = 'DeletionAllowed';

export interface RefusalInput {
  commit: string;
  refusal: PlanRefusal;
  actor: string;
  correlationId: string;
}

/** True when `last` (the newest platform event) already records this refusal for this commit. */
export function sameRefusal(last: StoreEvent | undefined, input: Pick<RefusalInput, 'commit' | 'refusal'>): boolean {
  return last !== undefined && last.reason === PLAN_REFUSED && last.commit === input.commit && last.message === input.refusal.message;
}

async function newestPlatformEvent(store: Store): Promise<StoreEvent | undefined> {
  const [last] = await store.events.recent({ tenant: null, limit: 1 });
  return last;
}

/** Records the refusal unless it is already the newest platform event; returns whether it wrote one. */
export async function recordRefusal(store: Store, input: RefusalInput): Promise<boolean> {
  const last = await newestPlatformEvent(store);
  if (sameRefusal(last, input)) return false;
  await store.events.record({
    type: 'Warning',
    reason: PLAN_REFUSED,
    message: input.refusal.message,
    actor: input.actor,
    commit: input.commit,
    correlationId: input.correlationId,
    data: { code: input.refusal.code },
  });
  return true;
}

/** After a pass that was not refused: closes an open refusal (the newest platform event) with PlanAccepted; returns whether it wrote one. */
export async function recordRefusalCleared(store: Store, input: Omit<RefusalInput, 'refusal'>): Promise<boolean> {
  const last = await newestPlatformEvent(store);
  if (last?.reason !== PLAN_REFUSED) return false;
  await store.events.record({
    type: 'Normal',
    reason: PLAN_ACCEPTED,
    message: `The plan is no longer refused (was: ${last.message.split('. ')[0] ?? last.message})`,
    actor: input.actor,
    commit: input.commit,
    correlationId: input.correlationId,
  });
  return true;
}

/** A pass whose removals went through the rail by an override: an audit event naming it, once per commit and message. */
export async function recordOverride(store: Store, input: Omit<RefusalInput, 'refusal'> & { override: DeletionOverride }): Promise<boolean> {
  const { by, tenants, reason } = input.override;
  const message = `Removal of ${tenants.join(', ')} allowed by ${by}: ${reason}`;
  const last = await newestPlatformEvent(store);
  if (last?.reason === DELETION_ALLOWED && last.commit === input.commit && last.message === message) return false;
  await store.events.record({
    type: 'Warning',
    reason: DELETION_ALLOWED,
    message,
    actor: input.actor,
    commit: input.commit,
    correlationId: input.correlationId,
    data: { override: by, tenants },
  });
  return true;
}

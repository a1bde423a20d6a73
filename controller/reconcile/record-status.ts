// Writes what a reconcile learned about each tenant into the store: status
// only when it changed, events only when something happened.
import type { Metrics } from '../../kernel/metrics/registry.js';
import { recordEnforcementEvents } from '../metrics/record.js';
import type { Store } from '../store/index.js';
import type { TenantStatus } from '../store/types.js';
import { deriveTenantStatus, type StatusUpdate, type TenantOutcome } from './tenant-status.js';

/** True when writing `update` would change nothing a reader can see. */
export function statusUnchanged(previous: TenantStatus | undefined, update: StatusUpdate): boolean {
  if (!previous) return false;
  if (update.phase !== undefined && update.phase !== previous.phase) return false;
  if (update.observedCommit !== previous.observedCommit) return false;
  if (update.observedGeneration !== undefined && update.observedGeneration !== previous.observedGeneration) return false;
  if (update.appliedSpecHash !== undefined && update.appliedSpecHash !== previous.appliedSpecHash) return false;
  if (update.appliedCommit !== undefined && update.appliedCommit !== previous.appliedCommit) return false;
  return update.conditions.every((next) => {
    const current = previous.conditions.find((c) => c.type === next.type);
    return current !== undefined && current.status === next.status && current.reason === next.reason && current.message === next.message;
  });
}

export interface RecordContext {
  store: Store;
  actor: string;
  correlationId: string;
  /** rp9_enforcement_events_total counts the throttles, suspensions and liftings applied. */
  metrics?: Pick<Metrics, 'enforcementEvents'>;
}

export async function recordOutcome(ctx: RecordContext, tenant: string, previous: TenantStatus | undefined, outcome: TenantOutcome): Promise<{ written: boolean; events: number }> {
  const { update, events, enforcement } = deriveTenantStatus(previous, outcome);
  const commit = 'commit' in outcome ? outcome.commit : null;
  const written = !statusUnchanged(previous, update);
  if (written) await ctx.store.status.update(tenant, update);
  // Counted once the status says so: the next pass compares with it and does not count again.
  if (ctx.metrics) recordEnforcementEvents(ctx.metrics, tenant, enforcement);
  for (const event of events) {
    await ctx.store.events.record({ ...event, tenant, actor: ctx.actor, commit, correlationId: ctx.correlationId });
  }
  return { written, events: events.length };
}

/** A tenant that left git and whose containers and route are gone: its status row goes, an event stays. */
export async function recordRemoval(ctx: RecordContext, tenant: string, commit: string, actions: string[]): Promise<void> {
  await ctx.store.status.remove(tenant);
  await ctx.store.events.record({
    tenant,
    type: 'Normal',
    reason: 'Removed',
    message: `Tenant removed from git at ${commit.slice(0, 12)}; database and volume retained until an explicit purge`,
    actor: ctx.actor,
    commit,
    correlationId: ctx.correlationId,
    data: { actions },
  });
}

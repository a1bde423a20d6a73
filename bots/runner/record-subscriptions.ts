// The Stripe subscriptions a run listed, written to the controller's store
// (DATABASE_URL) for the tenants' customers: the collector counts each
// tenant's executions from its subscription's current period start
// (controller/runtime/telemetry-loop.ts). The selection is pure; a failed
// write is logged and the run goes on (the webhooks and the next run write
// again).
import type { Logger } from '../../kernel/log/logger.js';
import type { Tenant } from '../../types/tenant.js';
import type { SubscriptionView } from '../stripe-sync/decide.js';

export interface RecordedSubscription {
  id: string;
  customer: string;
  status: string;
  created: Date;
  currentPeriod?: { start: Date; end: Date };
}

export interface SubscriptionSink {
  record(subscriptions: readonly RecordedSubscription[], seenAt: Date): Promise<void>;
}

type Listing = ReadonlyMap<string, readonly SubscriptionView[]>;

/** The subscriptions of the customers some tenant names in spec.billing.stripeCustomerId (all statuses: a cancelation is news too). */
export function subscriptionsOfTenants(tenants: readonly Tenant[], listing: Listing): RecordedSubscription[] {
  const customers = new Set(tenants.flatMap((t) => (t.spec.billing?.stripeCustomerId ? [t.spec.billing.stripeCustomerId] : [])));
  const out: RecordedSubscription[] = [];
  for (const customer of customers) {
    for (const s of listing.get(customer) ?? []) {
      out.push({ id: s.id, customer, status: s.status, created: s.created ?? new Date(0), ...(s.currentPeriod ? { currentPeriod: s.currentPeriod } : {}) });
    }
  }
  return out;
}

/** `list`, recording what it returns into `sink` before handing it on. */
export function recordingSubscriptions(list: () => Promise<Listing>, sink: SubscriptionSink, tenants: () => readonly Tenant[], now: () => Date, logger: Logger): () => Promise<Listing> {
  return async () => {
    const listing = await list();
    try {
      await sink.record(subscriptionsOfTenants(tenants(), listing), now());
    } catch (error) {
      logger.warn('Stripe subscriptions not recorded in the store: the collector keeps the periods it has', { code: 'bots.subscriptions-unrecorded', error: (error as Error).message });
    }
    return listing;
  };
}

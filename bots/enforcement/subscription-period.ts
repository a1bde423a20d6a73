// Which billing period a tenant is billed over, pure: the current period of
// the live subscription of its spec.billing.stripeCustomerId (the one
// spec.billing.stripeSubscriptionId names wins, as in stripe-sync), else the
// calendar month in UTC. The enforcement bot reads the subscriptions from its
// hourly listing, the controller's collector from the store (what the
// listings and the webhooks recorded); both decide through tenantBillingPeriod,
// so the executions counted and the period decided over are the same.
import { billingPeriodAt, type BillingPeriod, type SubscriptionPeriod } from '../../kernel/billing/billing-period.js';
import type { Tenant } from '../../types/tenant.js';
import { LIVE_STATUSES, type SubscriptionView } from '../stripe-sync/decide.js';

/** What the period choice needs of a subscription. */
export type PeriodSubscription = Pick<SubscriptionView, 'id' | 'status' | 'currentPeriod'>;

export function subscriptionPeriodOf(tenant: Tenant, subscriptions: ReadonlyMap<string, readonly PeriodSubscription[]>): SubscriptionPeriod | undefined {
  const customer = tenant.spec.billing?.stripeCustomerId;
  if (!customer) return undefined;
  const live = (subscriptions.get(customer) ?? []).filter((s) => LIVE_STATUSES.includes(s.status));
  const named = tenant.spec.billing?.stripeSubscriptionId;
  const chosen = live.find((s) => s.id === named) ?? live[0];
  return chosen?.currentPeriod;
}

/** The period `now` falls in for `tenant`: its Stripe subscription's (rolled forward once it ended), else the calendar month. */
export function tenantBillingPeriod(tenant: Tenant, subscriptions: ReadonlyMap<string, readonly PeriodSubscription[]>, now: Date): BillingPeriod {
  return billingPeriodAt(now, subscriptionPeriodOf(tenant, subscriptions));
}

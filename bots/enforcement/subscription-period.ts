// Which Stripe period a tenant is billed over, pure: the current period of
// the live subscription of its spec.billing.stripeCustomerId (the one
// spec.billing.stripeSubscriptionId names wins, as in stripe-sync), read from
// the hourly listing of every subscription.
import type { SubscriptionPeriod } from '../../kernel/billing/billing-period.js';
import type { Tenant } from '../../types/tenant.js';
import { LIVE_STATUSES, type SubscriptionView } from '../stripe-sync/decide.js';

export function subscriptionPeriodOf(tenant: Tenant, subscriptions: ReadonlyMap<string, readonly SubscriptionView[]>): SubscriptionPeriod | undefined {
  const customer = tenant.spec.billing?.stripeCustomerId;
  if (!customer) return undefined;
  const live = (subscriptions.get(customer) ?? []).filter((s) => LIVE_STATUSES.includes(s.status));
  const named = tenant.spec.billing?.stripeSubscriptionId;
  const chosen = live.find((s) => s.id === named) ?? live[0];
  return chosen?.currentPeriod;
}

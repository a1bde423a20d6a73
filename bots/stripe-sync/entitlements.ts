// Entitlements, pure: a customer's active entitlements derived from its live
// subscriptions (the features attached to their products), and the plan a
// set of entitlements names through platform.yaml spec.billing.stripeFeatures
// (feature lookup_key → plan). The hourly reconcile derives them; the
// entitlements.active_entitlement_summary.updated webhook carries them; both
// name the plan through planOfEntitlements.
import { LIVE_STATUSES, type SubscriptionView } from './decide.js';

/** The lookup keys of the features of the products of the customer's live subscriptions, sorted, without repeats. */
export function entitlementsOf(subscriptions: readonly SubscriptionView[], featuresByProduct: ReadonlyMap<string, readonly string[]>): string[] {
  const keys = new Set<string>();
  for (const subscription of subscriptions) {
    if (!LIVE_STATUSES.includes(subscription.status)) continue;
    for (const item of subscription.items) for (const key of featuresByProduct.get(item.product) ?? []) keys.add(key);
  }
  return [...keys].sort();
}

/** The products whose features the reconcile needs: those of the live subscriptions of `customers`. */
export function productsOf(customers: Iterable<string>, subscriptions: ReadonlyMap<string, readonly SubscriptionView[]>): string[] {
  const products = new Set<string>();
  for (const customer of customers) {
    for (const s of subscriptions.get(customer) ?? []) if (LIVE_STATUSES.includes(s.status)) for (const item of s.items) if (item.product) products.add(item.product);
  }
  return [...products].sort();
}

export type EntitlementPlan =
  | { kind: 'none' }
  | { kind: 'plan'; plan: string; features: string[] }
  | { kind: 'ambiguous'; plans: string[] };

/** The plan the entitlements name: none of them in the table, one plan (by one or more features), or several. */
export function planOfEntitlements(lookupKeys: readonly string[], table: Readonly<Record<string, string>>): EntitlementPlan {
  const byPlan = new Map<string, string[]>();
  for (const key of lookupKeys) {
    const plan = table[key];
    if (plan) byPlan.set(plan, [...(byPlan.get(plan) ?? []), key]);
  }
  if (byPlan.size === 0) return { kind: 'none' };
  if (byPlan.size > 1) return { kind: 'ambiguous', plans: [...byPlan.keys()].sort() };
  const [plan, features] = [...byPlan][0]!;
  return { kind: 'plan', plan, features };
}

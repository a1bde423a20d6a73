// The hourly reconcile's read of Stripe: every subscription of the account
// (all statuses), 100 a page through the list endpoint, grouped by customer.
// The number of requests grows with subscriptions / 100, never with the
// number of customers (Stripe's active-entitlements list needs a customer per
// call, so the reconcile does not read it; see docs/bots.md#stripe).
import type { StripeClient } from './client.js';

export interface StripeSubscription {
  id: string;
  customer: string;
  status: string;
  items: { price: string; product: string }[];
}

export interface SubscriptionListing {
  byCustomer: Map<string, StripeSubscription[]>;
  subscriptions: number;
  /** List pages requested. */
  pages: number;
}

export async function listSubscriptionsByCustomer(stripe: StripeClient): Promise<SubscriptionListing> {
  const byCustomer = new Map<string, StripeSubscription[]>();
  let subscriptions = 0;
  let pages = 0;
  let startingAfter: string | undefined;
  for (;;) {
    const page = await stripe.subscriptions.list({ status: 'all', limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) });
    pages += 1;
    for (const subscription of page.data) {
      const customer = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
      const items = subscription.items.data.map((item) => ({ price: item.price.id, product: typeof item.price.product === 'string' ? item.price.product : item.price.product.id }));
      const list = byCustomer.get(customer) ?? [];
      list.push({ id: subscription.id, customer, status: subscription.status, items });
      byCustomer.set(customer, list);
      subscriptions += 1;
    }
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1]!.id;
  }
  return { byCustomer, subscriptions, pages };
}

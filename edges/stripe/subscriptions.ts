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
  /**
   * The current billing period: the items' `current_period_start`/`_end`
   * (where Stripe keeps it since API version 2025-03-31; the earliest end of
   * the items), undefined when the items carry none.
   */
  currentPeriod?: { start: Date; end: Date };
}

interface PeriodFields {
  current_period_start?: number | null;
  current_period_end?: number | null;
}

/** The period the items share (the latest start, the earliest end), from their epoch seconds. */
export function currentPeriodOf(items: readonly PeriodFields[]): { start: Date; end: Date } | undefined {
  let start: number | undefined;
  let end: number | undefined;
  for (const item of items) {
    if (typeof item.current_period_start !== 'number' || typeof item.current_period_end !== 'number') continue;
    start = start === undefined ? item.current_period_start : Math.max(start, item.current_period_start);
    end = end === undefined ? item.current_period_end : Math.min(end, item.current_period_end);
  }
  return start === undefined || end === undefined ? undefined : { start: new Date(start * 1000), end: new Date(end * 1000) };
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
      const currentPeriod = currentPeriodOf(subscription.items.data as PeriodFields[]);
      list.push({ id: subscription.id, customer, status: subscription.status, items, ...(currentPeriod ? { currentPeriod } : {}) });
      byCustomer.set(customer, list);
      subscriptions += 1;
    }
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1]!.id;
  }
  return { byCustomer, subscriptions, pages };
}

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
  /** When Stripe created it (lists are newest first). */
  created?: Date;
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

/** The fields rp9 reads of a Stripe subscription object (a list page's, or a customer.subscription.* webhook's). */
export interface SubscriptionObject {
  id: string;
  customer: string | { id: string };
  status: string;
  created?: number;
  items?: { data?: ({ price?: { id?: string; product?: string | { id: string } } } & PeriodFields)[] };
}

/** A subscription object as rp9 keeps it. */
export function subscriptionOf(object: SubscriptionObject): StripeSubscription {
  const customer = typeof object.customer === 'string' ? object.customer : object.customer.id;
  const data = object.items?.data ?? [];
  const items = data.map((item) => ({ price: item.price?.id ?? '', product: typeof item.price?.product === 'string' ? item.price.product : item.price?.product?.id ?? '' }));
  const currentPeriod = currentPeriodOf(data);
  return { id: object.id, customer, status: object.status, items, ...(typeof object.created === 'number' ? { created: new Date(object.created * 1000) } : {}), ...(currentPeriod ? { currentPeriod } : {}) };
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
    for (const object of page.data) {
      const subscription = subscriptionOf(object as unknown as SubscriptionObject);
      const list = byCustomer.get(subscription.customer) ?? [];
      list.push(subscription);
      byCustomer.set(subscription.customer, list);
      subscriptions += 1;
    }
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1]!.id;
  }
  return { byCustomer, subscriptions, pages };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingPeriodAt } from '../../kernel/billing/billing-period.js';
import { startStripeServer, type StripeServer } from '../../test/harness/stripe-server.js';
import { createStripeClient } from './client.js';
import { currentPeriodOf, listSubscriptionsByCustomer } from './subscriptions.js';

// The reconcile's listing over the official client and the local Stripe
// server: each subscription's current period, read from its items.
let stripe: StripeServer;
const start = new Date('2026-11-15T10:00:00Z');
const end = new Date('2026-12-15T10:00:00Z');

beforeAll(async () => {
  stripe = await startStripeServer();
  stripe.addSubscription({ id: 'sub_Acme1', customer: 'cus_Acme1', price: 'price_Pro', product: 'prod_Pro', currentPeriod: { start, end } });
  stripe.addSubscription({ id: 'sub_Hooli1', customer: 'cus_Hooli1', price: 'price_Pro', product: 'prod_Pro' });
});

afterAll(async () => {
  await stripe?.close();
});

describe('listSubscriptionsByCustomer: current periods', () => {
  it("reads each subscription's current period from its items, and the billing period follows it", async () => {
    const listing = await listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: stripe.url }));

    const acme = listing.byCustomer.get('cus_Acme1')?.[0];
    expect(acme?.currentPeriod).toEqual({ start, end });
    expect(billingPeriodAt(new Date('2026-12-06T01:30:00Z'), acme?.currentPeriod).key).toBe('2026-11-15');
    expect(stripe.contractErrors).toEqual([]);
  });
});

describe('currentPeriodOf', () => {
  it.each<[string, { current_period_start?: number | null; current_period_end?: number | null }[], { start: string; end: string } | undefined]>([
    ['one item', [{ current_period_start: 1_000, current_period_end: 2_000 }], { start: '1970-01-01T00:16:40.000Z', end: '1970-01-01T00:33:20.000Z' }],
    ['items share the latest start and the earliest end', [{ current_period_start: 1_000, current_period_end: 3_000 }, { current_period_start: 1_500, current_period_end: 2_000 }], { start: '1970-01-01T00:25:00.000Z', end: '1970-01-01T00:33:20.000Z' }],
    ['items without a period are skipped', [{ current_period_start: null, current_period_end: null }, { current_period_start: 1_000, current_period_end: 2_000 }], { start: '1970-01-01T00:16:40.000Z', end: '1970-01-01T00:33:20.000Z' }],
    ['none: undefined', [{}], undefined],
  ])('%s', (_name, items, expected) => {
    const found = currentPeriodOf(items);
    expect(found ? { start: found.start.toISOString(), end: found.end.toISOString() } : undefined).toEqual(expected);
  });
});

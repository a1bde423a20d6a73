import type { Migration } from './index.js';

// The Stripe subscriptions of the tenants' customers as rp9 last saw them
// (the hourly stripe-sync and enforcement listings, and the
// customer.subscription.* webhooks): the collector counts each tenant's
// executions from its subscription's current period start. seen_at orders
// the writers: an older sighting never overwrites a newer one.
export const stripeSubscriptions: Migration = {
  version: 7,
  name: 'stripe-subscriptions',
  statements: [
    `create table stripe_subscriptions (
      id text primary key,
      customer text not null,
      status text not null,
      created timestamptz not null,
      period_start timestamptz,
      period_end timestamptz,
      seen_at timestamptz not null
    )`,
    'create index stripe_subscriptions_customer on stripe_subscriptions (customer)',
  ],
};

import type { Migration } from './index.js';

// What must never happen twice across restarts and leaders:
// - notifications_sent: one row per notification key and channel, written
//   after the channel accepted it (a restart skips what is recorded);
// - stripe_events: every Stripe webhook event id accepted, so a replay is
//   refused (409) whatever process receives it.
export const deliveries: Migration = {
  version: 3,
  name: 'deliveries',
  statements: [
    `create table notifications_sent (
      key text not null,
      channel text not null check (channel in ('email', 'slack')),
      tenant text,
      sent_at timestamptz not null default now(),
      primary key (key, channel)
    )`,
    'create index notifications_sent_tenant on notifications_sent (tenant, sent_at desc)',
    `create table stripe_events (
      id text primary key,
      type text not null,
      received_at timestamptz not null default now()
    )`,
  ],
};

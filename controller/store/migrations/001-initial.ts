import type { Migration } from './index.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `create table tenant_status (
      tenant text primary key,
      phase text not null check (phase in ('provisioning', 'active', 'suspended', 'migrating', 'failed')),
      conditions jsonb not null default '[]'::jsonb,
      observed_commit text,
      observed_generation text,
      applied_spec_hash text,
      applied_commit text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    `create table events (
      id bigserial primary key,
      time timestamptz not null default now(),
      tenant text,
      type text not null check (type in ('Normal', 'Warning')),
      reason text not null,
      message text not null,
      actor text not null,
      commit text,
      correlation_id text,
      data jsonb not null default '{}'::jsonb
    )`,
    'create index events_tenant_id on events (tenant, id desc)',
    'create index events_correlation on events (correlation_id) where correlation_id is not null',
    `create table secrets (
      tenant text not null,
      name text not null,
      envelope text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant, name)
    )`,
    `create table operations (
      id text primary key,
      tenant text not null,
      kind text not null,
      status text not null check (status in ('running', 'done', 'failed', 'rolled-back')),
      steps jsonb not null,
      current_step integer not null,
      state jsonb not null default '{}'::jsonb,
      error text,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`,
    // One unfinished operation per tenant: a promotion and an upgrade must not interleave.
    'create unique index operations_one_unfinished_per_tenant on operations (tenant) where finished_at is null',
    'create index operations_tenant_started on operations (tenant, started_at desc)',
    `create table leases (
      name text primary key,
      holder text not null,
      acquired_at timestamptz not null default now(),
      renewed_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`,
  ],
};

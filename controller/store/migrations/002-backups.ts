import type { Migration } from './index.js';

// The backup catalogue: one row per complete backup, written in one statement
// at the end of a backup operation (never a half-written row). The manifest
// is stored here and next to the data.
export const backups: Migration = {
  version: 2,
  name: 'backups',
  statements: [
    `create table backups (
      id text primary key,
      tenant text not null,
      kind text not null,
      status text not null check (status in ('completed', 'verified')),
      location text not null,
      prefix text not null,
      created_at timestamptz not null,
      completed_at timestamptz not null default now(),
      verified_at timestamptz,
      keep_until timestamptz,
      stored_bytes bigint not null,
      manifest_sha256 text not null,
      manifest jsonb not null,
      operation_id text
    )`,
    'create index backups_tenant_created on backups (tenant, created_at desc)',
  ],
};

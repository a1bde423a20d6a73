import type { Migration } from './index.js';

// The signed API's memory, shared by every controller on the store:
// - api_nonces: each accepted request nonce until its signature window ends,
//   so a replay is refused after a restart or on another controller;
// - api_idempotency: the first answer to a mutation per caller and
//   Idempotency-Key, replayed to a retry instead of acting twice.
export const apiRequests: Migration = {
  version: 5,
  name: 'api-requests',
  statements: [
    `create table api_nonces (
      nonce text primary key,
      expires_at timestamptz not null
    )`,
    'create index api_nonces_expires on api_nonces (expires_at)',
    `create table api_idempotency (
      caller text not null,
      key text not null,
      request_hash text not null,
      status integer not null,
      body jsonb not null,
      created_at timestamptz not null default now(),
      primary key (caller, key)
    )`,
  ],
};

import type { Migration } from './index.js';

// An Idempotency-Key is claimed before the request acts: a row without an
// answer (status null) is a claim in progress, so a concurrent request with
// the same key — on this controller or another — waits for the first answer
// instead of acting a second time. claimed_at lets a claim left by a
// controller that died mid-request be taken over.
export const apiIdempotencyClaims: Migration = {
  version: 6,
  name: 'api-idempotency-claims',
  statements: [
    'alter table api_idempotency alter column status drop not null',
    'alter table api_idempotency alter column body drop not null',
    'alter table api_idempotency add column claimed_at timestamptz not null default now()',
  ],
};

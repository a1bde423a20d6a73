// What the signed API must remember across restarts and controllers: request
// nonces for their signature window (replay refusal) and the first answer to
// each Idempotency-Key.
import type { Sql } from './sql.js';
import { fromJson, toJson } from './rows.js';
import { checkNonEmpty } from './validate.js';
import { StoreError } from './errors.js';

export interface IdempotentAnswer {
  /** sha256 of method, path and body of the first request. */
  requestHash: string;
  status: number;
  body: unknown;
}

/** What a request finds when it claims an Idempotency-Key. */
export type IdempotencyClaim =
  /** The key is this request's now: act, then recordAnswer (or releaseClaim on failure). */
  | { kind: 'claimed' }
  /** Another request holds the key and has not answered yet. */
  | { kind: 'pending'; requestHash: string }
  /** The first request's answer. */
  | { kind: 'answered'; answer: IdempotentAnswer };

export interface ApiRequestsApi {
  /** Records a nonce until `expiresAt`; false when it is already recorded and not expired (a replay). Prunes expired nonces now and then. */
  acceptNonce(nonce: string, expiresAt: Date, now: Date): Promise<boolean>;
  /**
   * Claims (caller, key) for a request atomically: of concurrent claims, on
   * one store or across controllers, exactly one gets `claimed`. A claim with
   * no answer older than `staleBefore` (its controller died) is taken over.
   */
  claim(caller: string, key: string, requestHash: string, now: Date, staleBefore: Date): Promise<IdempotencyClaim>;
  answerFor(caller: string, key: string): Promise<IdempotentAnswer | undefined>;
  /** Answers a claim: the first answer is kept, a second record changes nothing. */
  recordAnswer(caller: string, key: string, answer: IdempotentAnswer): Promise<void>;
  /** Drops an unanswered claim (the request failed): a retry with the key acts again. */
  releaseClaim(caller: string, key: string, requestHash: string): Promise<void>;
}

const PRUNE_EVERY = 200;

interface IdempotencyRow {
  request_hash: string;
  status: number | null;
  body: unknown;
}

function claimOf(row: IdempotencyRow): IdempotencyClaim {
  if (row.status === null) return { kind: 'pending', requestHash: row.request_hash };
  return { kind: 'answered', answer: { requestHash: row.request_hash, status: Number(row.status), body: fromJson<unknown>(row.body, null) } };
}

export function apiRequestsApi(sql: Sql): ApiRequestsApi {
  let sincePrune = PRUNE_EVERY;
  return {
    async acceptNonce(nonce, expiresAt, now) {
      checkNonEmpty('nonce', nonce);
      sincePrune += 1;
      if (sincePrune >= PRUNE_EVERY) {
        sincePrune = 0;
        await sql.query('delete from api_nonces where expires_at < $1', [now]);
      }
      // An expired row of the same nonce is replaced: outside its window the timestamp check refuses the request anyway.
      const rows = await sql.query(
        'insert into api_nonces (nonce, expires_at) values ($1, $2) on conflict (nonce) do update set expires_at = excluded.expires_at where api_nonces.expires_at < $3 returning nonce',
        [nonce, expiresAt, now],
      );
      return rows.length === 1;
    },
    async claim(caller, key, requestHash, now, staleBefore) {
      checkNonEmpty('caller', caller);
      checkNonEmpty('key', key);
      // A claim released between the insert and the select is claimed again (a few times at most: releases are rare).
      for (let attempt = 0; attempt < 5; attempt += 1) {
        // One statement: the primary key decides which of concurrent inserts wins; a stale unanswered claim is overwritten.
        const won = await sql.query(
          `insert into api_idempotency (caller, key, request_hash, status, body, claimed_at) values ($1, $2, $3, null, null, $4)
           on conflict (caller, key) do update set request_hash = excluded.request_hash, claimed_at = excluded.claimed_at, created_at = excluded.claimed_at
           where api_idempotency.status is null and api_idempotency.claimed_at < $5
           returning key`,
          [caller, key, requestHash, now, staleBefore],
        );
        if (won.length === 1) return { kind: 'claimed' };
        const [row] = await sql.query<IdempotencyRow>('select request_hash, status, body from api_idempotency where caller = $1 and key = $2', [caller, key]);
        if (row) return claimOf(row);
      }
      throw new StoreError('store.conflict', `Idempotency-Key ${key} was claimed and released five times in a row`);
    },
    async answerFor(caller, key) {
      const [row] = await sql.query<IdempotencyRow>('select request_hash, status, body from api_idempotency where caller = $1 and key = $2 and status is not null', [caller, key]);
      if (!row) return undefined;
      const claim = claimOf(row);
      return claim.kind === 'answered' ? claim.answer : undefined;
    },
    async recordAnswer(caller, key, answer) {
      checkNonEmpty('caller', caller);
      checkNonEmpty('key', key);
      await sql.query(
        `insert into api_idempotency (caller, key, request_hash, status, body) values ($1, $2, $3, $4, $5)
         on conflict (caller, key) do update set status = excluded.status, body = excluded.body
         where api_idempotency.status is null and api_idempotency.request_hash = excluded.request_hash`,
        [caller, key, answer.requestHash, answer.status, toJson(answer.body)],
      );
    },
    async releaseClaim(caller, key, requestHash) {
      await sql.query('delete from api_idempotency where caller = $1 and key = $2 and request_hash = $3 and status is null', [caller, key, requestHash]);
    },
  };
}

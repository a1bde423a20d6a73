// What the signed API must remember across restarts and controllers: request
// nonces for their signature window (replay refusal) and the first answer to
// each Idempotency-Key.
import type { Sql } from './sql.js';
import { fromJson, toJson } from './rows.js';
import { checkNonEmpty } from './validate.js';

export interface IdempotentAnswer {
  /** sha256 of method, path and body of the first request. */
  requestHash: string;
  status: number;
  body: unknown;
}

export interface ApiRequestsApi {
  /** Records a nonce until `expiresAt`; false when it is already recorded and not expired (a replay). Prunes expired nonces now and then. */
  acceptNonce(nonce: string, expiresAt: Date, now: Date): Promise<boolean>;
  answerFor(caller: string, key: string): Promise<IdempotentAnswer | undefined>;
  /** Keeps the first answer: a second record for the same caller and key changes nothing. */
  recordAnswer(caller: string, key: string, answer: IdempotentAnswer): Promise<void>;
}

const PRUNE_EVERY = 200;

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
    async answerFor(caller, key) {
      const [row] = await sql.query<{ request_hash: string; status: number; body: unknown }>('select request_hash, status, body from api_idempotency where caller = $1 and key = $2', [caller, key]);
      return row ? { requestHash: row.request_hash, status: Number(row.status), body: fromJson<unknown>(row.body, null) } : undefined;
    },
    async recordAnswer(caller, key, answer) {
      checkNonEmpty('caller', caller);
      checkNonEmpty('key', key);
      await sql.query('insert into api_idempotency (caller, key, request_hash, status, body) values ($1, $2, $3, $4, $5) on conflict (caller, key) do nothing', [caller, key, answer.requestHash, answer.status, toJson(answer.body)]);
    },
  };
}

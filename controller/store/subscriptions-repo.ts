// The Stripe subscriptions of the tenants' customers as rp9 last saw them:
// written by the stripe-sync and enforcement runs (their hourly listing) and
// by the customer.subscription.* webhooks, read by the controller's collector
// to count each tenant's executions over its own billing period.
import type { Sql } from './sql.js';
import { checkNonEmpty } from './validate.js';

export interface StoredSubscription {
  id: string;
  customer: string;
  status: string;
  /** When Stripe created it (the listing's order: newest first). */
  created: Date;
  /** The current billing period, when Stripe gave one. */
  currentPeriod?: { start: Date; end: Date };
}

export interface SubscriptionsApi {
  /**
   * Upserts what was seen at `seenAt`; a row seen later than that is kept
   * as it is (a late webhook never overwrites a newer listing).
   */
  record(subscriptions: readonly StoredSubscription[], seenAt: Date): Promise<void>;
  /** Every recorded subscription by customer, newest first (as Stripe lists them). */
  byCustomer(): Promise<Map<string, StoredSubscription[]>>;
}

interface Row {
  id: string;
  customer: string;
  status: string;
  created: Date | string;
  period_start: Date | string | null;
  period_end: Date | string | null;
}

const BATCH = 500;
const COLUMNS = 7;

export function subscriptionsApi(sql: Sql): SubscriptionsApi {
  return {
    async record(subscriptions, seenAt) {
      for (const s of subscriptions) {
        checkNonEmpty('id', s.id);
        checkNonEmpty('customer', s.customer);
      }
      await sql.transaction(async (tx) => {
        for (let i = 0; i < subscriptions.length; i += BATCH) {
          const batch = subscriptions.slice(i, i + BATCH);
          const values = batch.map((_, j) => `(${Array.from({ length: COLUMNS }, (_, k) => `$${j * COLUMNS + k + 1}`).join(', ')})`);
          const params = batch.flatMap((s) => [s.id, s.customer, s.status, s.created, s.currentPeriod?.start ?? null, s.currentPeriod?.end ?? null, seenAt]);
          await tx.query(
            `insert into stripe_subscriptions (id, customer, status, created, period_start, period_end, seen_at)
             values ${values.join(', ')}
             on conflict (id) do update set customer = excluded.customer, status = excluded.status, created = excluded.created,
               period_start = excluded.period_start, period_end = excluded.period_end, seen_at = excluded.seen_at
             where stripe_subscriptions.seen_at <= excluded.seen_at`,
            params,
          );
        }
      });
    },
    async byCustomer() {
      const rows = await sql.query<Row>('select id, customer, status, created, period_start, period_end from stripe_subscriptions order by created desc, id desc');
      const out = new Map<string, StoredSubscription[]>();
      for (const row of rows) {
        const list = out.get(row.customer) ?? [];
        const currentPeriod = row.period_start !== null && row.period_end !== null ? { start: new Date(row.period_start), end: new Date(row.period_end) } : undefined;
        list.push({ id: row.id, customer: row.customer, status: row.status, created: new Date(row.created), ...(currentPeriod ? { currentPeriod } : {}) });
        out.set(row.customer, list);
      }
      return out;
    },
  };
}

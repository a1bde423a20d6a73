// What must not happen twice: notifications sent (per key and channel) and
// Stripe webhook events accepted (per event id).
import type { Channel, SentLog } from '../../edges/notify/types.js';
import type { Sql } from './sql.js';
import { checkNonEmpty } from './validate.js';

export interface DeliveriesApi extends SentLog {
  /** Records a Stripe event id; false when it was recorded before (a replay). */
  acceptStripeEvent(id: string, type: string): Promise<boolean>;
}

export function deliveriesApi(sql: Sql): DeliveriesApi {
  return {
    async sentOn(key) {
      const rows = await sql.query<{ channel: Channel }>('select channel from notifications_sent where key = $1 order by channel', [key]);
      return rows.map((r) => r.channel);
    },
    async record(key, channel, tenant, at) {
      checkNonEmpty('key', key);
      await sql.query('insert into notifications_sent (key, channel, tenant, sent_at) values ($1, $2, $3, $4) on conflict (key, channel) do nothing', [key, channel, tenant ?? null, at]);
    },
    async countSince(tenant, since) {
      const [row] = await sql.query<{ n: unknown }>('select count(*) as n from notifications_sent where tenant = $1 and sent_at >= $2', [tenant, since]);
      return Number(row?.n ?? 0);
    },
    async acceptStripeEvent(id, type) {
      checkNonEmpty('id', id);
      const rows = await sql.query('insert into stripe_events (id, type) values ($1, $2) on conflict (id) do nothing returning id', [id, type]);
      return rows.length === 1;
    },
  };
}

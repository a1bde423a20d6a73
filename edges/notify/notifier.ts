// Delivers notifications on every configured channel, each at most once: a
// channel already recorded for the key is skipped, a delivery is recorded
// right after the channel accepts it. Each channel gets a few attempts with
// exponential backoff; one that still fails is left out of the record, so the
// next run (the same key) tries it again. A tenant that already got
// `perTenantPerHour` deliveries in the last hour waits for the next run.
import type { EmailSender } from './email.js';
import type { SlackSender } from './slack.js';
import type { Channel, Notification, SentLog } from './types.js';

export interface NotifierOptions {
  log: SentLog;
  email?: EmailSender;
  slack?: SlackSender;
  /** Attempts per channel and run (default 3). */
  attempts?: number;
  /** First backoff, doubled each attempt (default 500 ms). */
  backoffMs?: number;
  /** Deliveries per tenant and hour, all channels together (default 10). */
  perTenantPerHour?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** sent: at least one channel now (a failed other one is retried next run); failed: none, every pending channel failed. */
export type NotifyOutcome = 'sent' | 'duplicate' | 'rate-limited' | 'no-channel' | 'failed';

export interface NotifyResult {
  outcome: NotifyOutcome;
  /** Channels delivered in this call. */
  sent: Channel[];
  /** Channels that failed every attempt, with the last error. */
  failed: { channel: Channel; error: string }[];
}

export interface Notifier {
  notify(notification: Notification): Promise<NotifyResult>;
}

const HOUR = 3_600_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createNotifier(options: NotifierOptions): Notifier {
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? 500;
  const limit = options.perTenantPerHour ?? 10;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? delay;

  async function attempt(send: () => Promise<void>): Promise<string | undefined> {
    let last = '';
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(backoff * 2 ** (i - 1));
      try {
        await send();
        return undefined;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    return last;
  }

  function channelsFor(notification: Notification): { channel: Channel; send: () => Promise<void> }[] {
    const out: { channel: Channel; send: () => Promise<void> }[] = [];
    const { email, slack } = options;
    if (email && notification.email) out.push({ channel: 'email', send: () => email.send(notification.email!, notification.subject, notification.text) });
    if (slack) out.push({ channel: 'slack', send: () => slack.send(`*${notification.subject}*\n${notification.text}`) });
    return out;
  }

  return {
    async notify(notification) {
      const channels = channelsFor(notification);
      if (channels.length === 0) return { outcome: 'no-channel', sent: [], failed: [] };
      const done = new Set(await options.log.sentOn(notification.key));
      const pending = channels.filter((c) => !done.has(c.channel));
      if (pending.length === 0) return { outcome: 'duplicate', sent: [], failed: [] };
      if (notification.tenant !== undefined && (await options.log.countSince(notification.tenant, new Date(now().getTime() - HOUR))) >= limit) {
        return { outcome: 'rate-limited', sent: [], failed: [] };
      }
      const sent: Channel[] = [];
      const failed: { channel: Channel; error: string }[] = [];
      for (const { channel, send } of pending) {
        const error = await attempt(send);
        if (error !== undefined) {
          failed.push({ channel, error });
          continue;
        }
        await options.log.record(notification.key, channel, notification.tenant, now());
        sent.push(channel);
      }
      return { outcome: sent.length === 0 ? 'failed' : 'sent', sent, failed };
    },
  };
}

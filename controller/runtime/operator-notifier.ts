// Notices to the platform's operators (a failed restore drill, a failed or
// rolled-back promotion or upgrade, Stalled tenants) through edges/notify: the
// Slack incoming webhook RP9_SLACK_WEBHOOK_URL and, with RP9_OPERATOR_EMAIL,
// email over RP9_SMTP_URL. Each notice once per channel (the store's delivery
// record), retried with backoff; a channel that still fails is left out of the
// record and tried again by the next notice with the same key. Undefined when
// no channel is configured; `{ notify }` or `{}` to spread into a kind's deps.
import { createEmailSender } from '../../edges/notify/email.js';
import { createNotifier } from '../../edges/notify/notifier.js';
import { createSlackSender } from '../../edges/notify/slack.js';
import type { Notification, SentLog } from '../../edges/notify/types.js';
import type { OperatorEmailSettings } from './settings.js';

export interface OperatorChannels {
  slackWebhookUrl: string | undefined;
  operatorEmail?: OperatorEmailSettings | undefined;
}

export function operatorNotify(settings: OperatorChannels, log: SentLog): { notify?: (notification: Notification) => Promise<void> } {
  const notify = operatorNotifier(settings, log);
  return notify ? { notify } : {};
}

export function operatorNotifier(settings: OperatorChannels, log: SentLog): ((notification: Notification) => Promise<void>) | undefined {
  const { slackWebhookUrl, operatorEmail } = settings;
  if (!slackWebhookUrl && !operatorEmail) return undefined;
  const email = operatorEmail ? createEmailSender({ url: operatorEmail.smtpUrl, from: operatorEmail.from }) : undefined;
  const notifier = createNotifier({ log, ...(email ? { email } : {}), ...(slackWebhookUrl ? { slack: createSlackSender({ webhookUrl: slackWebhookUrl }) } : {}) });
  return async (notification) => {
    // Operator notices go to the operators' address, never to a tenant's.
    const result = await notifier.notify({ ...notification, ...(operatorEmail ? { email: operatorEmail.to } : {}) });
    if (result.outcome === 'rate-limited') throw Object.assign(new Error(`notice ${notification.key} held: ${notification.tenant} had its hourly share of notices`), { code: 'notify.rate-limited' });
    if (result.failed.length > 0) throw Object.assign(new Error(`notice ${notification.key} not delivered: ${result.failed.map((f) => `${f.channel}: ${f.error}`).join('; ')}`), { code: 'notify.failed' });
  };
}

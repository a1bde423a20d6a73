// Notices to the platform's operators (a failed restore drill) through
// edges/notify: the Slack incoming webhook RP9_SLACK_WEBHOOK_URL, each notice
// once (the store's delivery record), retried with backoff. Undefined when no
// channel is configured; `{ notify }` or `{}` to spread into a kind's deps.
import { createNotifier } from '../../edges/notify/notifier.js';
import { createSlackSender } from '../../edges/notify/slack.js';
import type { Notification, SentLog } from '../../edges/notify/types.js';

export function operatorNotify(settings: { slackWebhookUrl: string | undefined }, log: SentLog): { notify?: (notification: Notification) => Promise<void> } {
  const notify = operatorNotifier(settings, log);
  return notify ? { notify } : {};
}

export function operatorNotifier(settings: { slackWebhookUrl: string | undefined }, log: SentLog): ((notification: Notification) => Promise<void>) | undefined {
  if (!settings.slackWebhookUrl) return undefined;
  const notifier = createNotifier({ log, slack: createSlackSender({ webhookUrl: settings.slackWebhookUrl }) });
  return async (notification) => {
    const result = await notifier.notify(notification);
    if (result.failed.length > 0) throw Object.assign(new Error(`notice ${notification.key} not delivered: ${result.failed.map((f) => `${f.channel}: ${f.error}`).join('; ')}`), { code: 'notify.slack-failed' });
  };
}

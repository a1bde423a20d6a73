// The enforcement bot's effects from the environment: notices through
// edges/notify (SMTP: RP9_SMTP_URL + RP9_SMTP_FROM; Slack: RP9_SLACK_WEBHOOK_URL),
// recorded in the store at DATABASE_URL (the controller's, so a notice the
// bot sent is never sent again by any run), and overage meter events through
// the official Stripe client (RP9_STRIPE_SECRET_KEY, RP9_STRIPE_API_URL for a
// proxy or a test server). The store is passed in: the CLI opens and closes it.
import { createEmailSender } from '../../edges/notify/email.js';
import { createNotifier } from '../../edges/notify/notifier.js';
import { createSlackSender } from '../../edges/notify/slack.js';
import type { SentLog } from '../../edges/notify/types.js';
import { createStripeClient, reportMeterEvent } from '../../edges/stripe/client.js';
import { BotError } from '../core/errors.js';
import { noticeNotification } from '../enforcement/notice-text.js';
import type { EnforcementEffects } from './types.js';

export interface EffectsSettings {
  smtpUrl?: string;
  smtpFrom?: string;
  slackWebhookUrl?: string;
  stripeSecretKey?: string;
  stripeApiUrl?: string;
  perTenantPerHour?: number;
}

export function effectsSettingsFromEnv(env: NodeJS.ProcessEnv): EffectsSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const settings: EffectsSettings = {};
  const pairs: [keyof EffectsSettings, string][] = [['smtpUrl', 'RP9_SMTP_URL'], ['smtpFrom', 'RP9_SMTP_FROM'], ['slackWebhookUrl', 'RP9_SLACK_WEBHOOK_URL'], ['stripeSecretKey', 'RP9_STRIPE_SECRET_KEY'], ['stripeApiUrl', 'RP9_STRIPE_API_URL']];
  for (const [key, name] of pairs) {
    const found = get(name);
    if (found !== undefined) (settings as Record<string, string>)[key] = found;
  }
  if (settings.smtpUrl && !settings.smtpFrom) throw new BotError('bots.effects-invalid', 'RP9_SMTP_URL is set but RP9_SMTP_FROM (the From address) is not');
  const rate = get('RP9_NOTIFY_PER_TENANT_PER_HOUR');
  if (rate !== undefined) {
    if (!/^\d+$/.test(rate) || Number(rate) < 1) throw new BotError('bots.effects-invalid', `RP9_NOTIFY_PER_TENANT_PER_HOUR must be a whole number of at least 1 (got "${rate}")`);
    settings.perTenantPerHour = Number(rate);
  }
  return settings;
}

/** The Stripe meter (event_name) of each billed limit. */
export type OverageMeters = Record<'executionsMonthly' | 'storageGb', string>;

/** The meters `spec.billing` names, else their defaults (a string names the executions meter alone, as before storage was billed). */
export function overageMeters(billing: { overageMeter?: string; storageOverageMeter?: string } | undefined): OverageMeters {
  return { executionsMonthly: billing?.overageMeter ?? 'rp9_executions_overage', storageGb: billing?.storageOverageMeter ?? 'rp9_storage_overage' };
}

/** undefined when neither a channel nor Stripe is configured. */
export function createEnforcementEffects(settings: EffectsSettings, log: SentLog, meters: OverageMeters | string, now: () => Date = () => new Date()): { effects: EnforcementEffects; close(): void } | undefined {
  const email = settings.smtpUrl && settings.smtpFrom ? createEmailSender({ url: settings.smtpUrl, from: settings.smtpFrom }) : undefined;
  const slack = settings.slackWebhookUrl ? createSlackSender({ webhookUrl: settings.slackWebhookUrl }) : undefined;
  const stripe = settings.stripeSecretKey ? createStripeClient({ apiKey: settings.stripeSecretKey, ...(settings.stripeApiUrl ? { apiUrl: settings.stripeApiUrl } : {}) }) : undefined;
  if (!email && !slack && !stripe) return undefined;
  const notifier = createNotifier({ log, ...(email ? { email } : {}), ...(slack ? { slack } : {}), ...(settings.perTenantPerHour ? { perTenantPerHour: settings.perTenantPerHour } : {}), now });
  const effects: EnforcementEffects = {
    async notify(notice) {
      const result = await notifier.notify(noticeNotification(notice));
      if (result.outcome === 'failed') throw new BotError('bots.notify-failed', result.failed.map((f) => `${f.channel}: ${f.error}`).join('; '));
      if (result.outcome === 'no-channel') throw new BotError('bots.notify-failed', 'no notification channel is configured (RP9_SMTP_URL, RP9_SLACK_WEBHOOK_URL)');
      if (result.failed.length > 0) throw new BotError('bots.notify-failed', `partly sent (${result.sent.join(', ')}); ${result.failed.map((f) => `${f.channel}: ${f.error}`).join('; ')}`);
      return result.outcome;
    },
    async meter(event) {
      if (!stripe) throw new BotError('bots.stripe-unconfigured', 'RP9_STRIPE_SECRET_KEY is not set: overage is not reported');
      const named = typeof meters === 'string' ? overageMeters({ overageMeter: meters }) : meters;
      if (event.limit !== 'executionsMonthly' && event.limit !== 'storageGb') throw new BotError('bots.stripe-unconfigured', `no overage meter for ${event.limit}`);
      await reportMeterEvent(stripe, { eventName: named[event.limit], customer: event.customer!, value: event.value, identifier: event.identifier, timestamp: now() });
    },
  };
  return { effects, close: () => email?.close() };
}

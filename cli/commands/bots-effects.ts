// Opens what the enforcement bot's effects need for one run (the store at
// DATABASE_URL for the record of notices sent, the SMTP, Slack and Stripe
// clients) and closes it after. Without DATABASE_URL nothing is sent: a
// record only in this process could send a notice twice after a restart.
import { openStore } from '../../controller/store/index.js';
import { upgradeJournal } from '../../controller/upgrades/canary-record.js';
import { createEnforcementEffects, effectsSettingsFromEnv, overageMeters } from '../../bots/runner/enforcement-effects.js';
import type { RunBotDeps } from '../../bots/runner/types.js';
import type { Logger } from '../../kernel/log/logger.js';
import { recordingSubscriptions } from '../../bots/runner/record-subscriptions.js';

export async function withEnforcementEffects<T>(deps: RunBotDeps, env: NodeJS.ProcessEnv, logger: Logger, run: (deps: RunBotDeps) => Promise<T>): Promise<T> {
  const settings = effectsSettingsFromEnv(env);
  const databaseUrl = env.DATABASE_URL?.trim();
  const configured = Boolean(settings.smtpUrl || settings.slackWebhookUrl || settings.stripeSecretKey);
  if (deps.dryRun || !configured) return run(deps);
  if (!databaseUrl) {
    logger.warn('notices and meter events are not sent without DATABASE_URL (the record that keeps them from being sent twice lives in the store)', { code: 'bots.effects-no-store' });
    return run(deps);
  }
  const store = await openStore({ databaseUrl, notify: (message) => logger.info(message) });
  const created = createEnforcementEffects(settings, store.deliveries, overageMeters(deps.base.config.platform?.spec.billing));
  try {
    return await run(created ? { ...deps, effects: created.effects } : deps);
  } finally {
    created?.close();
    await store.close();
  }
}

/** The upgrades bot reads canary health from the controller's upgrade journal in the store at DATABASE_URL; without it, readiness stands in (the run notes it). */
export async function withUpgradeJournal<T>(deps: RunBotDeps, env: NodeJS.ProcessEnv, logger: Logger, run: (deps: RunBotDeps) => Promise<T>): Promise<T> {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) return run(deps);
  const store = await openStore({ databaseUrl, notify: (message) => logger.info(message) });
  try {
    return await run({ ...deps, upgradeJournal: () => upgradeJournal(store.operations) });
  } finally {
    await store.close();
  }
}

/**
 * stripe-sync and enforcement list every subscription; with DATABASE_URL (and
 * not a dry run) what they list for the tenants' customers is recorded in the
 * store, where the controller's collector reads each tenant's billing period.
 */
export async function withSubscriptionRecord<T>(deps: RunBotDeps, env: NodeJS.ProcessEnv, logger: Logger, run: (deps: RunBotDeps) => Promise<T>): Promise<T> {
  const databaseUrl = env.DATABASE_URL?.trim();
  const list = deps.subscriptions;
  if (deps.dryRun || !databaseUrl || !list) return run(deps);
  const store = await openStore({ databaseUrl, notify: (message) => logger.info(message) });
  try {
    const tenants = () => deps.base.config.tenants.map((t) => t.tenant);
    return await run({ ...deps, subscriptions: recordingSubscriptions(list, store.subscriptions, tenants, () => new Date(), logger) });
  } finally {
    await store.close();
  }
}

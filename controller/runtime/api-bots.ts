// What the API's bot runs and tenant figures need, read as `rp9 bots run`
// reads it (bots/sources/env.ts, docs/bots.md): the GitHub repository
// (RP9_GITHUB_TOKEN, RP9_GITHUB_REPOSITORY, RP9_GITHUB_API_URL), Prometheus
// (RP9_PROMETHEUS_URL), the bots' git cache (RP9_BOTS_GIT_CACHE_DIR), and for
// enforcement's notices RP9_SMTP_URL, RP9_SMTP_FROM, RP9_SLACK_WEBHOOK_URL and
// RP9_STRIPE_SECRET_KEY. One run on demand gets exactly what a scheduled run
// gets; enforcement's notices are recorded in the controller's store so none
// is sent twice.
import { createPrometheusClient, type PrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { createEnforcementEffects, effectsSettingsFromEnv, overageMeters } from '../../bots/runner/enforcement-effects.js';
import type { EnforcementEffects, RunBotDeps } from '../../bots/runner/types.js';
import { runDepsFrom } from '../../bots/runner/wire.js';
import { botsSettingsFromEnv, type BotsSettings } from '../../bots/sources/env.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { OnDemandBot } from '../http/api/types.js';
import type { Store } from '../store/store.js';

export interface ApiBots {
  prometheus?: PrometheusClient;
  botRunDeps?(bot: OnDemandBot, now: Date): Promise<RunBotDeps>;
}

/** Nothing when the settings are incomplete or invalid (logged): the routes answer 503 naming what is missing. */
export function apiBotsFromEnv(env: NodeJS.ProcessEnv, store: () => Pick<Store, 'deliveries'> | undefined, logger: Logger): ApiBots {
  let settings: BotsSettings;
  try {
    settings = botsSettingsFromEnv(env);
  } catch (error) {
    logger.warn('the API cannot run bots: their settings are invalid', { code: 'api.bots-settings-invalid', error: (error as Error).message });
    return {};
  }
  const prometheus = settings.prometheusUrl ? createPrometheusClient({ url: settings.prometheusUrl }) : undefined;
  let effects: EnforcementEffects | undefined;
  return {
    ...(prometheus ? { prometheus } : {}),
    ...(settings.github ? {
      async botRunDeps(bot: OnDemandBot, now: Date): Promise<RunBotDeps> {
        const deps = await runDepsFrom(settings, { bot: `api-${bot}`, dryRun: false, now, logger: logger.child({ component: 'api-bots' }) });
        if (bot !== 'enforcement') return deps;
        const opened = store();
        if (opened && !effects) effects = createEnforcementEffects(effectsSettingsFromEnv(env), opened.deliveries, overageMeters(deps.base.config.platform?.spec.billing))?.effects;
        return effects ? { ...deps, effects } : deps;
      },
    } : {}),
  };
}

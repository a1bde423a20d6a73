// `rp9 bots`: every bot on its schedule until stopped; `rp9 bots run <name>`:
// one bot now. Bots only open, update, merge (when policy allows) and close
// pull requests; see docs/bots.md.
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../../kernel/log/logger.js';
import { hasFailures, renderReportJson, renderReportText } from '../../bots/runner/render.js';
import { runBot } from '../../bots/runner/run-bot.js';
import { schedulesOf, startScheduler } from '../../bots/runner/schedule.js';
import { isRunnableBot, RUNNABLE_BOTS, type RunBotDeps, type RunnableBot, type RunReport } from '../../bots/runner/types.js';
import { runDepsFrom } from '../../bots/runner/wire.js';
import { withEnforcementEffects, withSubscriptionRecord, withUpgradeJournal } from './bots-effects.js';
import { botsMetricsListen, botsSettingsFromEnv, type BotsSettings } from '../../bots/sources/env.js';
import { createBotMetricsRegistry, recordBotRun, recordBotRunError, type BotMetricsRegistry } from '../../bots/runner/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../bots/runner/metrics-server.js';
import { EXIT_BLIND, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';

const ENVIRONMENT = [
  'Environment:',
  '  RP9_GITHUB_TOKEN                  token with contents and pull-requests write access, or a GitHub App:',
  '  RP9_GITHUB_APP_ID, RP9_GITHUB_APP_PRIVATE_KEY (or _FILE), RP9_GITHUB_INSTALLATION_ID',
  '  RP9_GITHUB_REPOSITORY             owner/repo of the config repo',
  '  RP9_GITHUB_API_URL                REST API URL (GitHub Enterprise); default https://api.github.com',
  '  RP9_GITHUB_BASE_BRANCH            branch the config lives on (default main)',
  '  RP9_PROMETHEUS_URL                Prometheus with the controller\'s rp9_tenant_* series',
  '  RP9_BOTS_REQUIRED_CONTEXTS        comma-separated checks that must pass before the bot merges itself',
  '  RP9_BOTS_MERGE_METHOD             squash (default), merge or rebase',
  '  RP9_BOTS_METRICS_LISTEN           `rp9 bots` only: host:port of its /metrics (default 127.0.0.1:9091; off: none)',
  'Enforcement (notices and overage; sent only with DATABASE_URL, where the record of what was sent lives):',
  '  RP9_SMTP_URL, RP9_SMTP_FROM        smtp://user:pass@host:587 and the From address of tenant emails',
  '  RP9_SLACK_WEBHOOK_URL             the platform channel\'s Slack incoming webhook',
  '  RP9_NOTIFY_PER_TENANT_PER_HOUR    notices per tenant and hour (default 10)',
  '  RP9_STRIPE_SECRET_KEY             Stripe key (or _FILE): overage meter events; stripe-sync lists subscriptions (RP9_STRIPE_API_URL: another endpoint)',
  '  DATABASE_URL                      the controller\'s PostgreSQL store; the upgrades bot also reads canary health from its upgrade journal;',
  '                                    stripe-sync and enforcement record the subscriptions they list there (the billing periods executions are counted over)',
].join('\n');

/** `--now`: an ISO 8601 time with a zone (`2026-03-10T12:00:00Z`); the real clock without it. */
export function clockOption(value: unknown): Date {
  if (value === undefined) return new Date();
  const text = String(value);
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(at)) {
    throw new UsageError(`--now must be an ISO 8601 time with a zone, like 2026-03-10T12:00:00Z (got "${text}")`);
  }
  return new Date(at);
}

/**
 * Logs go to stderr. A single `rp9 bots run` prints its report on stdout, so its log stays quiet at the
 * default level (warnings and errors only); RP9_LOG_LEVEL=info or debug shows the rest.
 */
function loggerFor(io: CommandIo, quiet = false): Logger {
  const explicit = io.env.RP9_LOG_LEVEL?.trim();
  return createLogger({ stream: io.stderr, env: io.env, ...(quiet && !explicit ? { level: 'warn' as const } : {}) });
}

export const botsRunCommand: Command = {
  name: ['bots', 'run'],
  summary: 'Run one bot now: autoscale, promotion, upgrades, enforcement or stripe-sync',
  args: '<name>',
  description: [
    'Reads the config from the base branch on GitHub, decides, and opens or updates one pull',
    'request per tenant (closing those that are no longer needed). --dry-run prints the',
    'proposals and the pull-request operations without writing anything; with --dir (or with',
    'no GitHub credentials, in the current directory) it reads a local checkout instead of GitHub.',
    '',
    ENVIRONMENT,
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', description: 'Compute and print; write nothing' },
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Read the config from this checkout (dry runs only; default without GitHub credentials: the current directory)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text or json' },
    now: { type: 'string', valueName: 'time', description: 'Run as if the clock read this ISO 8601 time (reproducible runs, the simulator); metrics windows end then' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    const now = clockOption(values.now);
    if (positionals.length !== 1) throw new UsageError(`expected one bot name (${RUNNABLE_BOTS.join(', ')})`);
    const name = positionals[0]!;
    if (!isRunnableBot(name)) throw new UsageError(`unknown bot "${name}"; bots: ${RUNNABLE_BOTS.join(', ')}`);
    const dryRun = values['dry-run'] === true;
    if (values.dir !== undefined && !dryRun) throw new UsageError('--dir is only allowed with --dry-run');
    const settings = botsSettingsFromEnv(io.env);
    // A dry run with no GitHub credentials reads the checkout it runs in.
    const dir = values.dir !== undefined ? resolve(io.cwd, String(values.dir)) : dryRun && !settings.github ? io.cwd : undefined;
    const logger = loggerFor(io, true);
    const deps = await runDepsFrom(settings, { bot: name, ...(dir !== undefined ? { dir } : {}), dryRun, now, logger });
    const report = await runWith(name, deps, io.env, logger);
    io.stdout.write(format === 'json' ? renderReportJson(report) : renderReportText(report));
    if (hasFailures(report)) return EXIT_INVALID;
    return report.metricsUnavailable !== undefined ? EXIT_BLIND : EXIT_OK;
  },
};

/** One run with what the bot needs of the store: the record of subscriptions (stripe-sync, enforcement), the effects (enforcement), the upgrade journal (upgrades). */
function runWith(bot: RunnableBot, deps: RunBotDeps, env: NodeJS.ProcessEnv, logger: Logger): Promise<RunReport> {
  if (bot === 'enforcement') return withSubscriptionRecord(deps, env, logger, (d) => withEnforcementEffects(d, env, logger, (e) => runBot(bot, e)));
  if (bot === 'stripe-sync') return withSubscriptionRecord(deps, env, logger, (d) => runBot(bot, d));
  if (bot === 'upgrades') return withUpgradeJournal(deps, env, logger, (d) => runBot(bot, d));
  return runBot(bot, deps);
}

async function runOnce(bot: RunnableBot, settings: BotsSettings, io: CommandIo, logger: Logger, json: boolean, metrics: BotMetricsRegistry) {
  let deps: RunBotDeps;
  let report: RunReport;
  try {
    deps = await runDepsFrom(settings, { bot, dryRun: false, now: new Date(), logger });
    report = await runWith(bot, deps, io.env, logger);
  } catch (error) {
    recordBotRunError(metrics, bot);
    throw error;
  }
  recordBotRun(metrics, report);
  io.stdout.write(json ? `${JSON.stringify(report)}\n` : renderReportText(report));
  if (report.metricsUnavailable !== undefined) logger.warn('bot run decided without metrics', { bot, code: 'bots.metrics-unavailable', reason: report.metricsUnavailable });
  return deps.base.config.platform;
}

/** Resolves on SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export const botsCommand: Command = {
  name: ['bots'],
  summary: 'Run every bot on its schedule (policies.<bot>.schedule) until stopped',
  description: ['Schedules are cron expressions in UTC, read from platform.yaml on the base branch.', '', ENVIRONMENT].join('\n'),
  options: {
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Report format per run: text or json (one line per run)' },
    'metrics-listen': { type: 'string', valueName: 'host:port', description: 'Serve /metrics here (env RP9_BOTS_METRICS_LISTEN; default 127.0.0.1:9091; off: none)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (did you mean \`rp9 bots run ${positionals[0]}\`?)`);
    const settings = botsSettingsFromEnv(io.env);
    const listen = botsMetricsListen(io.env, values['metrics-listen'] === undefined ? undefined : String(values['metrics-listen']));
    const logger = loggerFor(io);
    const metrics = createBotMetricsRegistry();
    let server: MetricsServer | undefined;
    if (listen) {
      server = await startMetricsServer(metrics.registry, listen);
      logger.info('serving the bots\' metrics', { url: `${server.url}/metrics` });
    }
    try {
      const first = await runDepsFrom(settings, { bot: 'schedules', dryRun: false, now: new Date(), logger });
      const platform = first.base.config.platform;
      if (!platform) throw new UsageError(`platform.yaml on ${first.base.branch} is missing or invalid; cannot read the schedules`);
      const scheduler = startScheduler({ schedules: schedulesOf(platform), run: (bot) => runOnce(bot, settings, io, logger, format === 'json', metrics), logger });
      const signal = await untilSignal();
      logger.info('stopping the bots', { signal });
      await scheduler.stop();
      return EXIT_OK;
    } finally {
      await server?.stop();
    }
  },
};

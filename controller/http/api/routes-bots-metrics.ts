// Bots on demand and a tenant's figures. POST /autoscale/run and
// POST /enforcement/run run the bot once, exactly as its schedule does (the
// base branch read with git, cooldowns from its history, the same forge
// policy: auto-merge or review), so its changes are pull requests; the answer
// is the seed's summary. GET /metrics/tenant/:id reads Prometheus with the
// bots' own window queries.
import { PrometheusError } from '../../../bots/metrics/prometheus-response.js';
import { runBot } from '../../../bots/runner/run-bot.js';
import { tenantInConfig } from './routes-read.js';
import { botRunSummary } from './bot-run-summary.js';
import { ApiError, params, type ApiRoute, type RouteContext } from './route.js';
import { TENANT_PARAMS } from './schemas.js';
import { readTenantFigures } from './tenant-figures.js';
import type { OnDemandBot } from './types.js';

const NULLABLE_NUMBER = { type: ['number', 'null'] } as const;

const TENANT_FIGURES = {
  type: 'object',
  properties: {
    tenant: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    window: { type: 'string' },
    queue_wait_p95: { ...NULLABLE_NUMBER, description: 'seconds, p95 of the queue wait over the window' },
    cpu_percent: { ...NULLABLE_NUMBER, description: 'mean over the window, percent of the allocation' },
    memory_bytes: { ...NULLABLE_NUMBER, description: 'mean over the window' },
    memory_percent: { ...NULLABLE_NUMBER, description: 'mean over the window, percent of the allocation' },
    executions_min: { ...NULLABLE_NUMBER, description: 'mean executions per minute over the window' },
  },
} as const;

const BOT_SUMMARY = {
  type: 'object',
  properties: {
    bot: { type: 'string' },
    at: { type: 'string' },
    base: { type: 'object', properties: { branch: { type: 'string' }, sha: { type: 'string' } } },
    tenants_checked: { type: 'integer' },
    violations_found: { type: 'integer' },
    actions_taken: { type: 'integer' },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tenant: { type: 'string' },
          kind: { type: 'string', enum: ['pull-request', 'close', 'notice', 'meter-event', 'held', 'not-proposed', 'failed'] },
          detail: { type: 'string' },
          code: { type: 'string' },
          pull_request: { type: 'object', properties: { number: { type: 'integer' }, url: { type: 'string' }, state: { type: 'string' }, merge: { type: 'string' } } },
        },
      },
    },
    metrics_unavailable: { type: 'string' },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;

const WINDOW = /^(\d+(s|m|h|d))+$/;

/** Bots running on demand in this process: one run of a bot at a time (they share its git cache and pull requests). */
const running = new Set<OnDemandBot>();

async function runOnDemand(context: RouteContext, bot: OnDemandBot) {
  const prepare = context.deps.botRunDeps;
  if (!prepare) throw new ApiError(503, 'api.bots-unavailable', 'this controller cannot run bots: it needs the GitHub repository (RP9_GITHUB_TOKEN, RP9_GITHUB_REPOSITORY) and Prometheus (RP9_PROMETHEUS_URL)');
  if (running.has(bot)) throw new ApiError(409, 'api.bot-run-in-progress', `the ${bot} bot is running already; retry when it ends`, {}, { 'retry-after': '5' });
  running.add(bot);
  try {
    const deps = await prepare(bot, context.now);
    const report = await runBot(bot, deps);
    context.request.log.info({ bot, proposals: report.proposals.length, caller: context.caller.subject }, 'bot run on demand');
    return { status: 200, body: botRunSummary(report, deps.base.config.tenants.length) };
  } catch (error) {
    // BotError, SourcesError, ForgeError, PrometheusError...: each has a stable code; anything else is a defect (500).
    const code = (error as { code?: unknown }).code;
    if (error instanceof Error && typeof code === 'string' && /^[a-z0-9-]+\.[a-z0-9-]+$/.test(code)) throw new ApiError(503, 'api.bot-run-failed', `the ${bot} bot could not run: [${code}] ${error.message}`, { cause: code });
    throw error;
  } finally {
    running.delete(bot);
  }
}

function botRoute(bot: OnDemandBot, summary: string): ApiRoute {
  return {
    method: 'POST',
    url: `/${bot}/run`,
    role: 'operator',
    tag: 'bots',
    mutation: true,
    summary,
    description: 'The same run as the schedule: its changes are pull requests on tenant YAML with the bot\'s merge policy (auto-merge or review), never a direct change. A second run while the first PR is open updates that PR.',
    schema: { response: { 200: BOT_SUMMARY } },
    handle: (context) => runOnDemand(context, bot),
  };
}

export const BOT_AND_METRICS_ROUTES: readonly ApiRoute[] = [
  botRoute('autoscale', 'Run the autoscale bot once: {tenants_checked, actions_taken, actions[]}'),
  botRoute('enforcement', 'Run the enforcement bot once: {tenants_checked, violations_found, actions_taken, actions[]}'),
  {
    method: 'GET',
    url: '/metrics/tenant/:id',
    role: 'viewer',
    tag: 'metrics',
    summary: 'queue_wait_p95, cpu_percent, memory_bytes, executions_min of a tenant over a window (default 15m), from Prometheus',
    schema: {
      params: TENANT_PARAMS,
      querystring: { type: 'object', properties: { window: { type: 'string', pattern: WINDOW.source, maxLength: 16, default: '15m' } }, additionalProperties: false },
      response: { 200: TENANT_FIGURES },
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const { window } = context.request.query as { window: string };
      tenantInConfig(context, id);
      const client = context.deps.prometheus;
      if (!client) throw new ApiError(503, 'api.no-prometheus', 'this controller has no Prometheus to read (RP9_PROMETHEUS_URL)');
      try {
        const figures = await readTenantFigures(client, id, window, context.now);
        return { status: 200, body: { tenant: id, at: context.now.toISOString(), ...figures } };
      } catch (error) {
        if (error instanceof PrometheusError) throw new ApiError(503, 'api.metrics-unavailable', `Prometheus could not answer: [${error.code}] ${error.message}`, {}, { 'retry-after': '30' });
        throw error;
      }
    },
  },
];

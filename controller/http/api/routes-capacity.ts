// Capacity analytics over time (seed playbook 6): growth from the config's git
// history, the promotion forecast from Prometheus trends and the promotion
// bot's own decision, and host capacity recommendations. Each route reads its
// inputs at the edge and hands them to a pure module.
import { PrometheusError } from '../../../bots/metrics/prometheus-response.js';
import { promotionWindow } from '../../../bots/runner/run-bot.js';
import { SourceError } from '../../../edges/git/index.js';
import { perContainer } from './allocation.js';
import { capacityReport, type DedicatedTenant } from './capacity.js';
import { readGrowth } from './growth-read.js';
import { readMetricTrends } from './metric-trends.js';
import { promotionForecast } from './promotion-forecast.js';
import { configInForce } from './routes-read.js';
import { ApiError, type ApiRoute, type RouteContext } from './route.js';
import { readUtilization } from './utilization.js';

const PERIOD = '^\\d+(h|d|w)$';
const HORIZON_DAYS = 30;
const NUM = { type: 'number' } as const;
const NUM_OR_NULL = { type: ['number', 'null'] } as const;
const MODES = { type: 'object', properties: { shared: { type: 'integer' }, dedicated: { type: 'integer' } } } as const;
const CORES_MB = { type: 'object', properties: { cores: NUM, memory_mb: NUM } } as const;
const FILL = { type: 'object', properties: { days: NUM_OR_NULL, date: { type: ['string', 'null'] } } } as const;

function periodQuery(fallback: string) {
  return { type: 'object', properties: { period: { type: 'string', pattern: PERIOD, maxLength: 8, default: fallback } }, additionalProperties: false } as const;
}

/** Prometheus and git failures as the stable 503s of the API. */
async function edge<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PrometheusError) throw new ApiError(503, 'api.metrics-unavailable', `Prometheus could not answer: [${error.code}] ${error.message}`, {}, { 'retry-after': '30' });
    if (error instanceof SourceError) throw new ApiError(503, 'api.history-unavailable', `the config repo's history could not be read: [${error.code}] ${error.message}`, {}, { 'retry-after': '30' });
    throw error;
  }
}

function prometheusOf(context: RouteContext) {
  const client = context.deps.prometheus;
  if (!client) throw new ApiError(503, 'api.no-prometheus', 'this controller has no Prometheus to read (RP9_PROMETHEUS_URL)');
  return client;
}

export const CAPACITY_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/analytics/growth',
    role: 'viewer',
    tag: 'analytics',
    summary: 'Tenants by plan and mode over time, from the config\'s git history (a point a day; an hour below 2d), with growth rates per 30 days and the phases now from the store',
    schema: {
      querystring: periodQuery('30d'),
      response: {
        200: {
          type: 'object',
          properties: {
            period: { type: 'string' },
            step: { type: 'string' },
            at: { type: 'string' },
            commit: { type: 'string' },
            points: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  at: { type: 'string' },
                  commit: { type: ['string', 'null'] },
                  tenants: { type: ['integer', 'null'] },
                  by_mode: { anyOf: [MODES, { type: 'null' }] },
                  by_plan: { anyOf: [{ type: 'object', additionalProperties: MODES }, { type: 'null' }] },
                  suspended: { type: ['integer', 'null'] },
                  allocated: { anyOf: [CORES_MB, { type: 'null' }] },
                },
              },
            },
            rates: { type: 'object', properties: { tenants_per_30d: NUM_OR_NULL, shared_per_30d: NUM_OR_NULL, dedicated_per_30d: NUM_OR_NULL, cores_per_30d: NUM_OR_NULL, memory_mb_per_30d: NUM_OR_NULL } },
            phases: { type: 'object', additionalProperties: { type: 'integer' } },
            history: { type: 'object', properties: { commits_read: { type: 'integer' }, truncated: { type: 'boolean' } } },
          },
        },
      },
    },
    async handle(context) {
      const { period } = context.request.query as { period: string };
      const good = configInForce(context);
      const growth = await edge(() => readGrowth(context.deps, good, period, context.now));
      const phases: Record<string, number> = {};
      for (const row of await context.store.status.list()) phases[row.phase] = (phases[row.phase] ?? 0) + 1;
      return { status: 200, body: { period, step: growth.step, at: context.now.toISOString(), commit: good.commit, points: growth.points, rates: growth.rates, phases, history: growth.history } };
    },
  },
  {
    method: 'GET',
    url: '/analytics/promotion-forecast',
    role: 'viewer',
    tag: 'analytics',
    summary: 'Shared tenants the promotion bot would propose within 30 days if their Trigger A figures keep the trend of the period (default 14d), scored by the bot\'s own decision',
    schema: {
      querystring: periodQuery('14d'),
      response: {
        200: {
          type: 'object',
          properties: {
            period: { type: 'string' },
            horizon_days: { type: 'integer' },
            at: { type: 'string' },
            commit: { type: 'string' },
            candidates: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  tenant: { type: 'string' },
                  plan: { type: 'string' },
                  first_day: { type: 'integer' },
                  first_date: { type: 'string' },
                  score_first: { type: 'integer' },
                  score: { type: 'integer' },
                  priority: { type: 'string' },
                  reasons: { type: 'array', items: { type: 'string' } },
                  triggers: { type: 'array', items: { type: 'string' } },
                  projected: { type: 'object', properties: { queue_wait_p95_seconds: NUM_OR_NULL, executions_month: NUM_OR_NULL, concurrent_executions: NUM_OR_NULL } },
                  trend: { type: 'object', properties: { queue_wait_p95_seconds: NUM_OR_NULL, executions_min: NUM_OR_NULL, concurrent_executions: NUM_OR_NULL } },
                },
              },
            },
          },
        },
      },
    },
    async handle(context) {
      const { period } = context.request.query as { period: string };
      const good = configInForce(context);
      const client = prometheusOf(context);
      const trends = await edge(() => readMetricTrends(client, period, context.now));
      const window = promotionWindow(good.platform.spec.policies.promotion.windowHours);
      const candidates = promotionForecast(good.config.tenants.map((t) => t.tenant), trends, good.platform, context.now, HORIZON_DAYS, window);
      return { status: 200, body: { period, horizon_days: HORIZON_DAYS, at: context.now.toISOString(), commit: good.commit, candidates } };
    },
  },
  {
    method: 'GET',
    url: '/analytics/recommendations',
    role: 'viewer',
    tag: 'analytics',
    summary: 'Host capacity (the Docker engine\'s NCPU and MemTotal) against the dedicated tenants\' allocation: when it fills up at the allocation\'s growth over the period (default 30d, git history), and the tenants whose p95 usage stays below the scale-down thresholds',
    schema: {
      querystring: periodQuery('30d'),
      response: {
        200: {
          type: 'object',
          properties: {
            period: { type: 'string' },
            at: { type: 'string' },
            commit: { type: 'string' },
            hosts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, cpus: NUM, memory_mb: NUM, source: { type: 'string' } } } },
            capacity: CORES_MB,
            allocated: CORES_MB,
            headroom: CORES_MB,
            growth: { type: 'object', properties: { cores_per_30d: NUM_OR_NULL, memory_mb_per_30d: NUM_OR_NULL } },
            fills: { type: 'object', properties: { cores: FILL, memory: FILL } },
            thresholds: { type: 'object', properties: { over_allocated_below: { type: 'object', properties: { cpu_percent: NUM, memory_percent: NUM } }, target: { type: 'object', properties: { cpu_percent: NUM, memory_percent: NUM } } } },
            over_allocated: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  tenant: { type: 'string' },
                  plan: { type: 'string' },
                  containers: { type: 'integer' },
                  allocated: { type: 'object', properties: { cpu: NUM, memory_mb: NUM } },
                  p95: { type: 'object', properties: { cpu_percent: NUM_OR_NULL, memory_percent: NUM_OR_NULL } },
                  suggested: { type: 'object', properties: { cpu: NUM, memory_mb: NUM } },
                  reclaimable: CORES_MB,
                },
              },
            },
            recommendations: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async handle(context) {
      const { period } = context.request.query as { period: string };
      const good = configInForce(context);
      const client = prometheusOf(context);
      const hostCapacity = context.deps.hostCapacity;
      if (!hostCapacity) throw new ApiError(503, 'api.no-docker', 'this controller has no Docker engine to read the host capacity from');
      let hosts;
      try {
        hosts = await hostCapacity();
      } catch (error) {
        throw new ApiError(503, 'api.docker-unavailable', `the Docker engine did not report its capacity: ${(error as Error).message}`, {}, { 'retry-after': '30' });
      }
      const growth = await edge(() => readGrowth(context.deps, good, period, context.now));
      const usage = await edge(() => readUtilization(client, period, context.now));
      const tenants: DedicatedTenant[] = good.config.tenants
        .filter((t) => t.tenant.spec.mode === 'dedicated' && !t.tenant.spec.suspended)
        .map((t) => ({ name: t.name, plan: t.tenant.spec.plan, ...perContainer(t.tenant, good.platform) }));
      const report = capacityReport({ hosts, tenants, usage, growth: { cores_per_30d: growth.rates.cores_per_30d, memory_mb_per_30d: growth.rates.memory_mb_per_30d }, platform: good.platform, now: context.now });
      return { status: 200, body: { period, at: context.now.toISOString(), commit: good.commit, ...report } };
    },
  },
];

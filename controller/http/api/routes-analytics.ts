// Capacity analytics (seed playbook 6) of the present: utilization by plan,
// from Prometheus, and costs, from spec.prices of the config in force. Those
// over time (growth, promotion forecast, recommendations) are routes-capacity.ts.
import { PrometheusError } from '../../../bots/metrics/prometheus-response.js';
import { configInForce } from './routes-read.js';
import { ApiError, type ApiRoute } from './route.js';
import { costReport } from './costs.js';
import { readUtilization, utilizationByPlan, type PlanTenant } from './utilization.js';

const PERIOD = /^\d+(h|d|w)$/;
const MONEY = { type: 'number' } as const;
const COST_ANSWER = {
  type: 'object',
  properties: {
    currency: { type: 'string' },
    hours_per_month: { type: 'number' },
    commit: { type: 'string' },
    tenants: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tenant: { type: 'string' }, plan: { type: 'string' }, mode: { type: 'string' }, suspended: { type: 'boolean' }, cores: { type: 'number' }, memory_gb: { type: 'number' }, storage_gb: { type: 'number' },
          monthly: { type: 'object', properties: { plan: MONEY, cores: MONEY, memory: MONEY, storage: MONEY, seat: MONEY, total: MONEY } },
        },
      },
    },
    plans: { type: 'array', items: { type: 'object', properties: { plan: { type: 'string' }, tenants: { type: 'integer' }, monthly: MONEY } } },
    total_monthly_cost: MONEY,
  },
} as const;
const SHARE = { type: 'object', properties: { avg: { type: ['number', 'null'] }, p95: { type: ['number', 'null'] } } } as const;

export const ANALYTICS_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/analytics/utilization',
    role: 'viewer',
    tag: 'analytics',
    summary: 'CPU and memory against allocation, by plan: the mean of the tenants\' means and the p95 of their p95s over the period (default 7d), from Prometheus',
    schema: {
      querystring: { type: 'object', properties: { period: { type: 'string', pattern: PERIOD.source, maxLength: 8, default: '7d' } }, additionalProperties: false },
      response: {
        200: {
          type: 'object',
          properties: {
            period: { type: 'string' },
            at: { type: 'string' },
            plans: {
              type: 'array',
              items: { type: 'object', properties: { plan: { type: 'string' }, tenants: { type: 'integer' }, measured: { type: 'integer' }, allocated: { type: 'object', properties: { cpu: { type: 'number' }, memoryMb: { type: 'number' } } }, cpu_percent: SHARE, memory_percent: SHARE } },
            },
          },
        },
      },
    },
    async handle(context) {
      const { period } = context.request.query as { period: string };
      const good = configInForce(context);
      const client = context.deps.prometheus;
      if (!client) throw new ApiError(503, 'api.no-prometheus', 'this controller has no Prometheus to read (RP9_PROMETHEUS_URL)');
      const plans = good.platform.spec.plans;
      const tenants: PlanTenant[] = good.config.tenants.map((t) => {
        const spec = t.tenant.spec;
        return { name: t.name, plan: spec.plan, cpu: spec.resources?.cpu ?? plans[spec.plan]?.cpu ?? 0, memoryMb: spec.resources?.memoryMb ?? plans[spec.plan]?.memoryMb ?? 0 };
      });
      try {
        const usage = await readUtilization(client, period, context.now);
        return { status: 200, body: { period, at: context.now.toISOString(), plans: utilizationByPlan(tenants, usage) } };
      } catch (error) {
        if (error instanceof PrometheusError) throw new ApiError(503, 'api.metrics-unavailable', `Prometheus could not answer: [${error.code}] ${error.message}`, {}, { 'retry-after': '30' });
        throw error;
      }
    },
  },
  {
    method: 'GET',
    url: '/analytics/costs',
    role: 'viewer',
    tag: 'analytics',
    summary: "Monthly cost per tenant, per plan and in total, from spec.prices of the config in force",
    description: "A tenant costs its plan's flat monthly price (spec.prices.plans); a dedicated one also its allocated cores and memory (main and each worker) × coreHour and memoryGbHour × hoursPerMonth unless suspended, and its volume × storageGbMonth; a shared one sharedSeatMonthly. Figures in cents; sums rounded once. 409 api.no-prices when platform.yaml has no spec.prices.",
    schema: { response: { 200: COST_ANSWER } },
    async handle(context) {
      const good = configInForce(context);
      const prices = good.platform.spec.prices;
      if (!prices) throw new ApiError(409, 'api.no-prices', 'platform.yaml has no spec.prices: add a price table to compute costs');
      return { status: 200, body: { ...costReport(good.config.tenants, good.platform, prices), commit: good.commit } };
    },
  },
];

// GET /analytics/promotion-forecast: which shared tenants the promotion bot
// would propose within the horizon (30 days) if their metrics keep their
// trend. Per tenant, a least-squares line through the period's samples of
// the three Trigger A figures (queue wait p95, executions a minute,
// concurrent executions), extended day by day; each day's projected figures
// go through the bot's own decision (bots/promotion decidePromotion, its
// scorer and filters: shared, not already promoting, not suspended). Trigger B
// (compliance) comes from the config and fires from day 0. Pure.
import type { Platform, Tenant } from '../../../config/types.js';
import { decidePromotion, type Candidate, type PromotionMetrics } from '../../../bots/promotion/decide.js';
import { valueAt, type LinearFit } from './trend.js';

export interface MetricTrends {
  queueWaitP95Seconds?: LinearFit;
  executionsPerMinute?: LinearFit;
  concurrentExecutions?: LinearFit;
}

export interface ForecastEntry {
  tenant: string;
  plan: string;
  /** Days from now to the first day it is a candidate (0: already one). */
  first_day: number;
  first_date: string;
  /** The bot's candidate on that first day, and at the horizon. */
  score_first: number;
  score: number;
  priority: Candidate['priority'];
  reasons: string[];
  triggers: Candidate['triggers'];
  /** Projected figures at the horizon (null without a trend). */
  projected: { queue_wait_p95_seconds: number | null; executions_month: number | null; concurrent_executions: number | null };
  /** Slopes per day (null without a trend). */
  trend: { queue_wait_p95_seconds: number | null; executions_min: number | null; concurrent_executions: number | null };
}

const DAY_S = 86_400;
/** Executions a month are 30 days of executions a minute. */
const MINUTES_PER_30_DAYS = 30 * 24 * 60;

function at(fit: LinearFit | undefined, unixSeconds: number): number {
  return fit ? Math.max(0, valueAt(fit, unixSeconds / DAY_S)) : Number.NaN;
}

/**
 * The figures on `when`: each line's value then (at least 0); executions a month are
 * the executions of the 30 days up to `when` on the line, i.e. 43,200 × its value 15 days before.
 */
export function projectedMetrics(trends: MetricTrends, when: Date, window: string): PromotionMetrics {
  const t = when.getTime() / 1000;
  return {
    queueWaitP95Seconds: at(trends.queueWaitP95Seconds, t),
    executionsMonth: at(trends.executionsPerMinute, t - 15 * DAY_S) * MINUTES_PER_30_DAYS,
    concurrentExecutions: at(trends.concurrentExecutions, t),
    window,
  };
}

function nullable(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The candidates of each day 0…horizonDays; a tenant is listed from its first day, with its candidate at the horizon. */
export function promotionForecast(tenants: readonly Tenant[], trends: ReadonlyMap<string, MetricTrends>, platform: Platform, now: Date, horizonDays: number, window: string): ForecastEntry[] {
  const first = new Map<string, { day: number; candidate: Candidate }>();
  let last: Candidate[] = [];
  for (let day = 0; day <= horizonDays; day += 1) {
    const when = new Date(now.getTime() + day * DAY_S * 1000);
    const inputs = tenants.map((tenant) => {
      const trend = trends.get(tenant.metadata.name);
      return trend ? { tenant, metrics: projectedMetrics(trend, when, window) } : { tenant };
    });
    last = decidePromotion({ tenants: inputs }, platform, when).candidates;
    for (const candidate of last) if (!first.has(candidate.tenant)) first.set(candidate.tenant, { day, candidate });
  }
  const horizon = new Date(now.getTime() + horizonDays * DAY_S * 1000);
  const entries = [...first.entries()].map(([name, { day, candidate }]): ForecastEntry => {
    const final = last.find((c) => c.tenant === name) ?? candidate;
    const trend = trends.get(name) ?? {};
    const projected = projectedMetrics(trend, horizon, window);
    return {
      tenant: name,
      plan: candidate.plan,
      first_day: day,
      first_date: new Date(now.getTime() + day * DAY_S * 1000).toISOString(),
      score_first: candidate.score,
      score: final.score,
      priority: final.priority,
      reasons: final.reasons,
      triggers: final.triggers,
      projected: { queue_wait_p95_seconds: nullable(projected.queueWaitP95Seconds), executions_month: nullable(projected.executionsMonth), concurrent_executions: nullable(projected.concurrentExecutions) },
      trend: { queue_wait_p95_seconds: trend.queueWaitP95Seconds?.slope ?? null, executions_min: trend.executionsPerMinute?.slope ?? null, concurrent_executions: trend.concurrentExecutions?.slope ?? null },
    };
  });
  return entries.sort((a, b) => a.first_day - b.first_day || b.score - a.score || a.tenant.localeCompare(b.tenant));
}

// The enforcement bot's decision, pure: from each tenant's usage against its
// plan's limits to
// - proposals (one per tenant): set or lift spec.throttle, set or lift an
//   enforcement suspension (spec.suspended + spec.suspendedReason);
// - notices to send (warning at policies.enforcement.warningPercent, and the
//   throttle, suspension and lifting), each with a key that is unique per
//   tenant, limit, level and billing period, so it is sent once;
// - Stripe meter events for the overage of plans with overageBilling, one
//   identifier per tenant, limit and hour.
// What differs from the product spec, and why, is in docs/bots.md#enforcement.
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../core/format.js';
import { proposalLabels, tenantFile, type Evidence, type FieldEdit, type ProposalOf } from '../core/types.js';
import { billingPeriodAt, type SubscriptionPeriod } from '../../kernel/billing/billing-period.js';
import { ACCRUING_LIMITS, billingHour, limitStatuses, type LimitStatus, type LimitType, type TenantUsage } from './levels.js';

export const SUSPENDED_REASON_PREFIX = 'enforcement:';

export interface EnforcementTenantInput {
  tenant: Tenant;
  /** undefined when nothing was measured for the tenant: it is left as it is. */
  usage?: TenantUsage;
  /** The current period of the tenant's Stripe subscription; without it the billing period is the calendar month. */
  period?: SubscriptionPeriod;
}

export type NoticeKind = 'warning' | 'throttle' | 'suspend' | 'lifted';

export interface Notice {
  tenant: string;
  email: string;
  kind: NoticeKind;
  /** The limit concerned (undefined for a lifting that covers all of them). */
  limit?: LimitType;
  used?: number;
  allowed?: number;
  percent?: number;
  /** Sent at most once: `<tenant>/<limit|all>/<kind>/<period>`. */
  key: string;
  /** What happens next, one sentence. */
  next: string;
}

export interface MeterEvent {
  tenant: string;
  /** spec.billing.stripeCustomerId; undefined when the tenant has none (the event is reported as skipped). */
  customer?: string;
  limit: LimitType;
  /**
   * The overage now (the meter aggregates with `last`): the executions above
   * the limit so far in the period, or the whole GB (rounded up) of storage above it.
   */
  value: number;
  /** `<tenant>:<limit>:<hour>`: Stripe's identifier and idempotency key, so a retry never bills twice. */
  identifier: string;
  hour: string;
}

export interface TenantEnforcement {
  tenant: string;
  statuses: LimitStatus[];
}

export interface EnforcementDecision {
  proposals: ProposalOf<'enforcement'>[];
  notices: Notice[];
  meterEvents: MeterEvent[];
  tenants: TenantEnforcement[];
  /** Tenants without usage figures. */
  noData: string[];
}

export type Throttle = NonNullable<Tenant['spec']['throttle']>;

/**
 * The throttle of a tenant: the route lets through the plan's hourly API
 * allowance spread over the hour (at least 1 a minute, burst the same), and a
 * dedicated n8n runs at most half its plan's concurrent executions (at least 1).
 */
export function throttleFor(tenant: Tenant, platform: Platform, status: LimitStatus, period: string): Throttle {
  const plan = platform.spec.plans[tenant.spec.plan];
  const hourly = tenant.spec.limits?.apiCallsHourly ?? plan?.apiCallsHourly ?? 60;
  const concurrent = tenant.spec.limits?.concurrentExecutions ?? plan?.concurrentExecutions ?? 2;
  const perMinute = Math.max(1, Math.ceil(hourly / 60));
  const throttle: Throttle = {
    reason: `${SUSPENDED_REASON_PREFIX} ${status.limit} at ${formatPercent(status.percent)} of ${formatNumber(status.allowed)} in ${period}`,
    limit: status.limit,
    requestsPerMinute: perMinute,
    burst: perMinute,
  };
  if (tenant.spec.mode === 'dedicated') throttle.concurrency = Math.max(1, Math.floor(concurrent / 2));
  return throttle;
}

function formatPercent(percent: number): string {
  return Number.isFinite(percent) ? `${Math.round(percent)} %` : 'over 100 %';
}

function sameThrottle(a: Throttle | undefined, b: Throttle | undefined): boolean {
  if (!a || !b) return a === b;
  return a.limit === b.limit && a.requestsPerMinute === b.requestsPerMinute && a.burst === b.burst && a.concurrency === b.concurrency;
}

function worst(statuses: readonly LimitStatus[]): LimitStatus | undefined {
  let found: LimitStatus | undefined;
  for (const status of statuses) if (!found || status.percent > found.percent) found = status;
  return found;
}

function evidenceOf(status: LimitStatus, threshold: number): Evidence {
  const window = status.limit === 'executionsMonthly' ? 'period' : status.limit === 'storageGb' ? 'now' : '1h';
  return { metric: status.limit, value: Math.round(status.percent * 10) / 10, threshold, comparator: '>=', window, unit: '%' };
}

const NEXT: Record<NoticeKind, string> = {
  warning: 'Nothing changes yet; at the throttle threshold the tenant is rate limited, and at the limit a starter tenant is suspended (paid plans are billed the overage).',
  throttle: 'Requests to the tenant are rate limited until the next billing period (storage: until the data is back under the limit) or a plan upgrade.',
  suspend: 'The tenant is suspended, its data kept, until the next billing period (storage: until the data is back under the limit) or a plan upgrade.',
  lifted: 'The tenant runs without restriction again.',
};

function notice(tenant: Tenant, kind: NoticeKind, period: string, status?: LimitStatus): Notice {
  const name = tenant.metadata.name;
  return {
    tenant: name,
    email: tenant.metadata.email,
    kind,
    ...(status ? { limit: status.limit, used: status.used, allowed: status.allowed, percent: status.percent } : {}),
    key: `${name}/${status?.limit ?? 'all'}/${kind}/${period}`,
    next: NEXT[kind],
  };
}

interface TenantOutcome {
  proposal?: ProposalOf<'enforcement'>;
  notices: Notice[];
  meterEvents: MeterEvent[];
}

function decideTenant(tenant: Tenant, statuses: LimitStatus[], platform: Platform, now: Date, subscription: SubscriptionPeriod | undefined): TenantOutcome {
  const name = tenant.metadata.name;
  const policy = platform.spec.policies.enforcement;
  const period = billingPeriodAt(now, subscription).key;
  const overage = platform.spec.plans[tenant.spec.plan]?.overageBilling === true;
  const notices: Notice[] = [];
  const meterEvents: MeterEvent[] = [];
  for (const status of statuses) if (status.level !== 'ok') notices.push(notice(tenant, 'warning', period, status));

  const accruing = statuses.filter((s) => ACCRUING_LIMITS.includes(s.limit));
  if (overage) {
    const hour = billingHour(now);
    const customer = tenant.spec.billing?.stripeCustomerId;
    for (const status of accruing) {
      if (status.used <= status.allowed) continue;
      const over = status.used - status.allowed;
      const value = status.limit === 'storageGb' ? Math.ceil(over) : over;
      meterEvents.push({ tenant: name, ...(customer ? { customer } : {}), limit: status.limit, value, identifier: `${name}:${status.limit}:${hour}`, hour });
    }
  }

  // A paying plan's executions and storage are billed, not throttled; hourly limits protect the platform for every plan.
  const throttling = statuses.filter((s) => (s.level === 'throttle' || s.level === 'limit') && !(overage && ACCRUING_LIMITS.includes(s.limit)));
  const suspendOn = overage ? undefined : worst(accruing.filter((s) => s.level === 'limit'));
  const worstThrottle = worst(throttling);
  const targetThrottle = worstThrottle ? throttleFor(tenant, platform, worstThrottle, period) : undefined;

  const edits: FieldEdit[] = [];
  const evidence: Evidence[] = [];
  const current = tenant.spec.throttle;
  let riskClass: ProposalOf<'enforcement'>['riskClass'] = 'lift';
  let title = '';
  let summary = '';
  if (!sameThrottle(current, targetThrottle)) {
    edits.push({ path: ['spec', 'throttle'], value: targetThrottle, previous: current });
    if (targetThrottle && worstThrottle) {
      riskClass = 'throttle';
      evidence.push(evidenceOf(worstThrottle, policy.throttlePercent));
      notices.push(notice(tenant, 'throttle', period, worstThrottle));
      title = `enforcement: throttle ${name} (${worstThrottle.limit} at ${formatPercent(worstThrottle.percent)})`;
      summary = `${name} (plan ${tenant.spec.plan}) used ${formatNumber(worstThrottle.used)} of ${formatNumber(worstThrottle.allowed)} ${worstThrottle.limit} (\`policies.enforcement.throttlePercent\` ${policy.throttlePercent} %). The route is rate limited to ${targetThrottle.requestsPerMinute} requests a minute${targetThrottle.concurrency ? ` and n8n runs at most ${targetThrottle.concurrency} production executions at once` : ''} until ${worstThrottle.limit === 'storageGb' ? 'its data is back under the throttle threshold' : 'the next period'} or a plan upgrade.`;
    }
  }

  const enforcedSuspension = tenant.spec.suspended && (tenant.spec.suspendedReason ?? '').startsWith(SUSPENDED_REASON_PREFIX);
  // The limit an enforcement suspension names decides its lifting: it must be measured again, and under.
  const suspendedFor = enforcedSuspension ? suspendedLimit(tenant.spec.suspendedReason ?? '') : undefined;
  const liftable = suspendedFor !== undefined && statuses.some((s) => s.limit === suspendedFor);
  if (suspendOn && !tenant.spec.suspended) {
    const reason = `${SUSPENDED_REASON_PREFIX} ${suspendOn.limit} at ${formatPercent(suspendOn.percent)} of ${formatNumber(suspendOn.allowed)} in ${period}`;
    edits.push({ path: ['spec', 'suspended'], value: true, previous: false }, { path: ['spec', 'suspendedReason'], value: reason, previous: undefined });
    evidence.push(evidenceOf(suspendOn, policy.suspendPercent));
    notices.push(notice(tenant, 'suspend', period, suspendOn));
    riskClass = 'suspend';
    title = `enforcement: suspend ${name} (${suspendOn.limit} at ${formatPercent(suspendOn.percent)})`;
    summary = suspendOn.limit === 'storageGb'
      ? `${name} (plan ${tenant.spec.plan}, no overage billing) keeps ${formatNumber(suspendOn.used)} GB of data, its allowance is ${formatNumber(suspendOn.allowed)} GB (\`policies.enforcement.suspendPercent\` ${policy.suspendPercent} %). Suspending stops its growth and keeps every volume, database and secret; the bot lifts the suspension once the data is back under the limit (deleted executions, pruning) or after a plan upgrade.`
      : `${name} (plan ${tenant.spec.plan}, no overage billing) used ${formatNumber(suspendOn.used)} of its ${formatNumber(suspendOn.allowed)} executions this period (\`policies.enforcement.suspendPercent\` ${policy.suspendPercent} %). Suspending keeps every volume, database and secret; the suspension is lifted by the bot at the next period or after a plan upgrade.`;
  } else if (enforcedSuspension && !suspendOn && liftable) {
    edits.push({ path: ['spec', 'suspended'], value: false, previous: true }, { path: ['spec', 'suspendedReason'], value: undefined, previous: tenant.spec.suspendedReason });
  }

  if (edits.length === 0) return { notices, meterEvents };
  if (riskClass === 'lift') {
    notices.push(notice(tenant, 'lifted', period));
    title = `enforcement: lift restrictions on ${name}`;
    summary = `${name} (plan ${tenant.spec.plan}) is back under \`policies.enforcement.throttlePercent\` on every limit (a new billing period or a larger plan): lifting the throttle and the suspension the enforcement bot set.`;
    for (const status of statuses) evidence.push({ ...evidenceOf(status, policy.throttlePercent), comparator: '<' });
  }
  const proposal: ProposalOf<'enforcement'> = {
    bot: 'enforcement',
    tenant: name,
    file: tenantFile(name),
    edits,
    riskClass,
    trigger: title.replace(/^enforcement: /, ''),
    evidence,
    summary,
    title,
    labels: proposalLabels('enforcement', riskClass),
  };
  return { proposal, notices, meterEvents };
}

/**
 * The limit an enforcement suspension was set for, from its reason
 * (`enforcement: <limit> at …`); a reason written before storage was
 * enforced names executionsMonthly, and one naming no known limit counts as
 * executionsMonthly too (the only limit that suspended then).
 */
export function suspendedLimit(reason: string): LimitType | undefined {
  if (!reason.startsWith(SUSPENDED_REASON_PREFIX)) return undefined;
  const named = reason.slice(SUSPENDED_REASON_PREFIX.length).trim().split(/\s/)[0];
  return ACCRUING_LIMITS.find((limit) => limit === named) ?? 'executionsMonthly';
}

/** The decision over every tenant; tenants keep their input order. */
export function decideEnforcement(inputs: readonly EnforcementTenantInput[], platform: Platform, now: Date): EnforcementDecision {
  const decision: EnforcementDecision = { proposals: [], notices: [], meterEvents: [], tenants: [], noData: [] };
  for (const input of inputs) {
    const name = input.tenant.metadata.name;
    if (!input.usage) {
      decision.noData.push(name);
      continue;
    }
    const statuses = limitStatuses(input.tenant, input.usage, platform);
    decision.tenants.push({ tenant: name, statuses });
    const outcome = decideTenant(input.tenant, statuses, platform, now, input.period);
    if (outcome.proposal) decision.proposals.push(outcome.proposal);
    decision.notices.push(...outcome.notices);
    decision.meterEvents.push(...outcome.meterEvents);
  }
  return decision;
}

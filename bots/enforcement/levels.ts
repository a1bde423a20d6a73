// Where a tenant stands against each usage limit of its plan: the figure, the
// limit (the plan's, or the tenant's spec.limits override), the percentage and
// the level that percentage reaches under policies.enforcement. Pure.
import { calendarPeriod } from '../../kernel/billing/billing-period.js';
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';

export type LimitType = 'executionsMonthly' | 'concurrentExecutions' | 'apiCallsHourly' | 'storageGb';

export const LIMIT_TYPES: readonly LimitType[] = ['executionsMonthly', 'concurrentExecutions', 'apiCallsHourly', 'storageGb'];

/** The limits that accumulate (a period's executions, data kept): they suspend a plan without overage billing, and bill a plan with it. */
export const ACCRUING_LIMITS: readonly LimitType[] = ['executionsMonthly', 'storageGb'];

/** storageGb counts GiB: 1 GB of a plan is 1024³ bytes of rp9_tenant_storage_bytes. */
export const BYTES_PER_GB = 1024 ** 3;

/** A tenant's usage; a figure is undefined when it was not measured. */
export interface TenantUsage {
  /** Executions since the start of the billing period (rp9_tenant_executions_month). */
  executionsMonth?: number;
  /** Unix seconds executionsMonth counts from (rp9_tenant_billing_period_start_seconds); absent from a collector that does not say. */
  periodStartSeconds?: number;
  /** The most executions running at once over the last hour (peak of rp9_tenant_concurrent_executions). */
  concurrentPeak?: number;
  /** Requests through the tenant's route over the last hour. */
  apiCallsHour?: number;
  /** Bytes of the tenant's data now (rp9_tenant_storage_bytes). */
  storageBytes?: number;
}

export type Level = 'ok' | 'warning' | 'throttle' | 'limit';

export interface LimitStatus {
  limit: LimitType;
  used: number;
  allowed: number;
  /** used / allowed × 100; Infinity when the allowance is 0 and something was used. */
  percent: number;
  level: Level;
}

/** Where each limit's figure is in TenantUsage, and the unit it is compared in. */
const FIGURE: Record<LimitType, { field: keyof TenantUsage; per: number }> = {
  executionsMonthly: { field: 'executionsMonth', per: 1 },
  concurrentExecutions: { field: 'concurrentPeak', per: 1 },
  apiCallsHourly: { field: 'apiCallsHour', per: 1 },
  storageGb: { field: 'storageBytes', per: BYTES_PER_GB },
};

/**
 * The effective allowance of a limit: the tenant's override, else its plan's;
 * undefined without a plan. Storage: a dedicated tenant's own
 * `spec.resources.storageGb` (what its volume is sized for), else the plan's.
 */
export function allowanceOf(tenant: Tenant, platform: Platform, limit: LimitType): number | undefined {
  const plan = platform.spec.plans[tenant.spec.plan];
  if (limit === 'storageGb') {
    const own = tenant.spec.mode === 'dedicated' ? tenant.spec.resources?.storageGb : undefined;
    return own ?? plan?.storageGb;
  }
  const override = tenant.spec.limits?.[limit];
  if (override !== undefined) return override;
  return plan?.[limit];
}

export function levelOf(percent: number, platform: Platform): Level {
  const policy = platform.spec.policies.enforcement;
  if (percent >= policy.suspendPercent) return 'limit';
  if (percent >= policy.throttlePercent) return 'throttle';
  if (percent >= policy.warningPercent) return 'warning';
  return 'ok';
}

/** One status per measured limit, in LIMIT_TYPES order. */
export function limitStatuses(tenant: Tenant, usage: TenantUsage, platform: Platform): LimitStatus[] {
  const out: LimitStatus[] = [];
  for (const limit of LIMIT_TYPES) {
    const figure = usage[FIGURE[limit].field];
    const used = figure === undefined ? undefined : figure / FIGURE[limit].per;
    const allowed = allowanceOf(tenant, platform, limit);
    if (used === undefined || !Number.isFinite(used) || allowed === undefined) continue;
    const percent = allowed > 0 ? (used / allowed) * 100 : used > 0 ? Number.POSITIVE_INFINITY : 0;
    out.push({ limit, used, allowed, percent, level: levelOf(percent, platform) });
  }
  return out;
}

/** The calendar billing period of an instant (a tenant without a Stripe subscription), `2026-12`; see billingPeriodAt. */
export function billingPeriod(now: Date): string {
  return calendarPeriod(now).key;
}

/** The hour an instant falls in, `2026-12-06T01`: the meter events' idempotency unit. */
export function billingHour(now: Date): string {
  return now.toISOString().slice(0, 13);
}

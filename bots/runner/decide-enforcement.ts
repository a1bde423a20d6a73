// The enforcement bot's inputs and decision: usage from Prometheus (the
// controller's rp9_tenant_* gauges and Traefik's router counters), decided
// by the pure decideEnforcement. Every tenant is read, suspended ones too, so
// a new period or a plan upgrade lifts what the bot set. The executions
// figure is used only when the collector counted it over the period the bot
// decides over (consistentUsage): a count from another start would key a
// notice or a suspension on the wrong figures.
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import { decideEnforcement, type EnforcementTenantInput } from '../enforcement/decide.js';
import type { TenantUsage } from '../enforcement/levels.js';
import { subscriptionPeriodOf, tenantBillingPeriod } from '../enforcement/subscription-period.js';
import type { SubscriptionView } from '../stripe-sync/decide.js';
import type { BotMetrics } from '../sources/types.js';
import type { Decision } from './types.js';

export interface EnforcementSources {
  platform: Platform;
  tenants: Tenant[];
  metrics?: BotMetrics;
  /** Stripe's subscriptions by customer (RP9_STRIPE_SECRET_KEY): the billing period of the tenants that have one. */
  subscriptions?: () => Promise<ReadonlyMap<string, readonly SubscriptionView[]>>;
  now: Date;
}

/**
 * The usage with executionsMonth left out when the collector says it counted
 * from another start than `periodStart` (its store had not seen the
 * subscription yet, or Stripe moved the period); a collector that does not
 * say (no start exported) is taken at its word. Pure.
 */
export function consistentUsage(usage: TenantUsage, periodStart: Date): { usage: TenantUsage; countedFrom?: Date } {
  if (usage.executionsMonth === undefined || usage.periodStartSeconds === undefined) return { usage };
  const countedFrom = new Date(usage.periodStartSeconds * 1000);
  if (Math.abs(countedFrom.getTime() - periodStart.getTime()) < 1000) return { usage };
  const { executionsMonth: _left, ...rest } = usage;
  return { usage: rest, countedFrom };
}

function blind(reason: string): Decision {
  return { proposals: [], wanted: undefined, held: [], notes: [`usage unavailable (${reason}): enforcement proposes nothing, closes nothing and notifies no one`], metricsUnavailable: reason, notices: [], meterEvents: [] };
}

export async function decideEnforcementRun(sources: EnforcementSources): Promise<Decision> {
  const { platform, now } = sources;
  const read = sources.metrics?.usage;
  if (!sources.metrics || !read) return blind('no Prometheus configured');
  let usage: Map<string, TenantUsage>;
  try {
    usage = await read.call(sources.metrics, now);
  } catch (error) {
    return blind((error as Error).message);
  }
  // A tenant billed by Stripe is decided over its subscription's period; when Stripe does not answer, it is left
  // as it is this run (deciding over the calendar month would key its notices on another period).
  let subscriptions: ReadonlyMap<string, readonly SubscriptionView[]> | undefined;
  const notes: string[] = [];
  if (sources.subscriptions) {
    try {
      subscriptions = await sources.subscriptions();
    } catch (error) {
      notes.push(`Stripe unavailable (${(error as Error).message}): tenants with spec.billing.stripeCustomerId are left as they are`);
    }
  }
  const otherPeriod: string[] = [];
  const inputs: EnforcementTenantInput[] = sources.tenants.map((tenant) => {
    const measured = usage.get(tenant.metadata.name);
    if (sources.subscriptions && !subscriptions && tenant.spec.billing?.stripeCustomerId) return { tenant };
    const known = subscriptions ?? new Map();
    const period = subscriptionPeriodOf(tenant, known);
    const checked = measured ? consistentUsage(measured, tenantBillingPeriod(tenant, known, now).start) : undefined;
    if (checked?.countedFrom) otherPeriod.push(`${tenant.metadata.name} (counted since ${checked.countedFrom.toISOString()}, its period began ${tenantBillingPeriod(tenant, known, now).start.toISOString()})`);
    return { tenant, ...(checked ? { usage: checked.usage } : {}), ...(period ? { period } : {}) };
  });
  if (otherPeriod.length > 0) notes.push(`executions counted over another period than the one decided over, left out this run: ${otherPeriod.join(', ')}`);
  const decision = decideEnforcement(inputs, platform, now);
  if (decision.noData.length > 0) notes.push(`no usage figures for ${decision.noData.join(', ')}: left as they are`);
  const billable = decision.meterEvents.filter((e) => e.customer === undefined).map((e) => e.tenant);
  if (billable.length > 0) notes.push(`overage of ${billable.join(', ')} not billed: no spec.billing.stripeCustomerId`);
  return {
    proposals: decision.proposals,
    wanted: new Set([...decision.proposals.map((p) => p.tenant), ...decision.noData]),
    held: [],
    notes,
    notices: decision.notices,
    meterEvents: decision.meterEvents,
  };
}

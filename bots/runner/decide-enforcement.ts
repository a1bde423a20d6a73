// The enforcement bot's inputs and decision: usage from Prometheus (the
// controller's rp9_tenant_* gauges and Traefik's router counters), decided
// by the pure decideEnforcement. Every tenant is read, suspended ones too, so
// a new period or a plan upgrade lifts what the bot set.
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import { decideEnforcement, type EnforcementTenantInput } from '../enforcement/decide.js';
import type { TenantUsage } from '../enforcement/levels.js';
import { subscriptionPeriodOf } from '../enforcement/subscription-period.js';
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
  const inputs: EnforcementTenantInput[] = sources.tenants.map((tenant) => {
    const found = usage.get(tenant.metadata.name);
    if (sources.subscriptions && !subscriptions && tenant.spec.billing?.stripeCustomerId) return { tenant };
    const period = subscriptions ? subscriptionPeriodOf(tenant, subscriptions) : undefined;
    return { tenant, ...(found ? { usage: found } : {}), ...(period ? { period } : {}) };
  });
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

// The stripe-sync bot's inputs and decision: every subscription read from
// Stripe's list endpoint (deps.subscriptions) and, with
// spec.billing.stripeFeatures, the features of each distinct product of the
// tenants' customers' live subscriptions (deps.productFeatures): each
// customer's active entitlements. Decided by the pure decideStripeSync.
// Without Stripe settings the run is blind: it proposes and closes nothing.
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import { decideStripeSync, type SubscriptionView } from '../stripe-sync/decide.js';
import { entitlementsOf, productsOf } from '../stripe-sync/entitlements.js';
import type { Decision } from './types.js';

export interface StripeSyncSources {
  platform: Platform;
  tenants: Tenant[];
  subscriptions?: () => Promise<ReadonlyMap<string, readonly SubscriptionView[]>>;
  productFeatures?: (products: readonly string[]) => Promise<ReadonlyMap<string, readonly string[]>>;
  /** Decide for this tenant only (a webhook): nothing else is read, and no other pull request is closed. */
  only?: string;
}

export async function decideStripeSyncRun(sources: StripeSyncSources): Promise<Decision> {
  const blind = (reason: string): Decision => ({ proposals: [], wanted: undefined, held: [], notes: [`Stripe unavailable (${reason}): stripe-sync proposes and closes nothing`], metricsUnavailable: reason });
  if (!sources.subscriptions) return blind('RP9_STRIPE_SECRET_KEY is not set');
  let subscriptions: ReadonlyMap<string, readonly SubscriptionView[]>;
  try {
    subscriptions = await sources.subscriptions();
  } catch (error) {
    return blind((error as Error).message);
  }
  const tenants = sources.only ? sources.tenants.filter((t) => t.metadata.name === sources.only) : sources.tenants;
  let entitlements: Map<string, string[]> | undefined;
  if (Object.keys(sources.platform.spec.billing.stripeFeatures ?? {}).length > 0 && sources.productFeatures) {
    const customers = tenants.flatMap((t) => (t.spec.billing?.stripeCustomerId ? [t.spec.billing.stripeCustomerId] : []));
    let features: ReadonlyMap<string, readonly string[]>;
    try {
      features = await sources.productFeatures(productsOf(customers, subscriptions));
    } catch (error) {
      return blind(`product features: ${(error as Error).message}`);
    }
    entitlements = new Map(customers.map((c) => [c, entitlementsOf(subscriptions.get(c) ?? [], features)]));
  }
  const decision = decideStripeSync(tenants, subscriptions, sources.platform, entitlements);
  const notes: string[] = [];
  if (decision.noSubscription.length > 0) notes.push(`no live Stripe subscription for ${decision.noSubscription.join(', ')}: left as they are`);
  const wanted = sources.only ? undefined : new Set(decision.proposals.map((p) => p.tenant));
  return { proposals: decision.proposals, wanted, held: decision.held, notes };
}

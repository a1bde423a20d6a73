// POST /hooks/stripe, as a plain core: (raw body, headers) → result. The
// signature is checked with the official client (stripe.webhooks.constructEvent,
// with a tolerance window, so a stale or forged payload is 401); an event id
// seen before is 409 (the ids live in the store, so a replay to another
// process or after a restart is refused too). A subscription event maps its
// price (or product) to a plan through platform.yaml spec.billing.stripePlans;
// an unknown price is a warning, never a change. Nothing here writes git: the
// result names the change for the stripe-sync bot to propose.
import type { StripeClient } from '../../edges/stripe/client.js';
import { planOfEntitlements } from '../../bots/stripe-sync/entitlements.js';

export const STRIPE_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'entitlements.active_entitlement_summary.updated',
  'invoice.payment_failed',
] as const;

export type StripeEventType = (typeof STRIPE_EVENTS)[number];

export interface StripeWebhookDeps {
  stripe: StripeClient;
  /** The endpoint's signing secret (whsec_…). */
  secret: string;
  /** Largest accepted age of the signed timestamp, seconds (default 300). */
  toleranceSeconds?: number;
  /** Records the event id; false when it was recorded before. */
  accept(id: string, type: string): Promise<boolean>;
  /** spec.billing.stripePlans: price or product id → plan. */
  plans: Readonly<Record<string, string>>;
  /** spec.billing.stripeFeatures: entitlement feature lookup_key → plan (default none). */
  features?: Readonly<Record<string, string>>;
  /** The tenant whose spec.billing.stripeCustomerId is `customer`. */
  tenantOf(customer: string): string | undefined;
}

export type StripeOutcome =
  | { kind: 'plan'; tenant: string; plan: string; subscription: string }
  | { kind: 'subscription-ended'; tenant: string; subscription: string }
  /** plan: the one plan the entitlements name through spec.billing.stripeFeatures (planOfEntitlements, as the hourly reconcile). */
  | { kind: 'entitlements'; tenant: string; features: string[]; plan?: string }
  | { kind: 'payment-failed'; tenant: string; invoice: string }
  | { kind: 'ignored'; reason: string };

export interface StripeWebhookResult {
  status: 200 | 400 | 401 | 409;
  body: { ok: boolean; code?: string; message?: string; event?: string };
  outcome?: StripeOutcome;
  /** A stable code and message to log and record as a Warning event (unknown price, unknown customer). */
  warning?: { code: string; message: string };
}

interface SubscriptionLike {
  id: string;
  customer: string | { id: string };
  items?: { data?: { price?: { id?: string; product?: string | { id: string } } }[] };
}

/** The plan of a subscription: the first item whose price or product is in the table. */
export function planOf(subscription: SubscriptionLike, plans: Readonly<Record<string, string>>): { plan?: string; prices: string[] } {
  const prices: string[] = [];
  for (const item of subscription.items?.data ?? []) {
    const price = item.price?.id;
    const product = typeof item.price?.product === 'string' ? item.price.product : item.price?.product?.id;
    if (price) prices.push(price);
    const plan = (price && plans[price]) || (product && plans[product]);
    if (plan) return { plan, prices };
  }
  return { prices };
}

function failure(status: 400 | 401 | 409, code: string, message: string, event?: string): StripeWebhookResult {
  return { status, body: { ok: false, code, message, ...(event ? { event } : {}) } };
}

export async function handleStripeWebhook(rawBody: string | Buffer, headers: Readonly<Record<string, string | string[] | undefined>>, deps: StripeWebhookDeps): Promise<StripeWebhookResult> {
  const signature = headers['stripe-signature'];
  if (typeof signature !== 'string' || signature === '') return failure(401, 'stripe.signature-missing', 'the Stripe-Signature header is missing');
  let event: { id: string; type: string; data: { object: unknown } };
  try {
    event = deps.stripe.webhooks.constructEvent(rawBody, signature, deps.secret, deps.toleranceSeconds ?? 300) as unknown as typeof event;
  } catch (error) {
    return failure(401, 'stripe.signature-invalid', `the signature does not verify (forged, or older than the tolerance): ${(error as Error).message}`);
  }
  if (!(await deps.accept(event.id, event.type))) return failure(409, 'stripe.replayed', `event ${event.id} was received before`, event.id);
  const ok = (outcome: StripeOutcome, warning?: StripeWebhookResult['warning']): StripeWebhookResult => ({ status: 200, body: { ok: true, event: event.id }, outcome, ...(warning ? { warning } : {}) });
  if (!(STRIPE_EVENTS as readonly string[]).includes(event.type)) return ok({ kind: 'ignored', reason: `event type ${event.type} is not used` });

  const object = event.data.object as Record<string, unknown>;
  const customer = typeof object.customer === 'string' ? object.customer : (object.customer as { id?: string } | undefined)?.id;
  const tenant = customer ? deps.tenantOf(customer) : undefined;
  if (!tenant) {
    const message = `${event.type} ${event.id}: no tenant has spec.billing.stripeCustomerId ${customer ?? '(none)'}`;
    return ok({ kind: 'ignored', reason: message }, { code: 'stripe.unknown-customer', message });
  }
  switch (event.type as StripeEventType) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated': {
      const subscription = object as unknown as SubscriptionLike;
      const { plan, prices } = planOf(subscription, deps.plans);
      if (!plan) {
        const message = `${event.type} ${event.id} for ${tenant}: no price or product of subscription ${subscription.id} (${prices.join(', ') || 'none'}) is in spec.billing.stripePlans; nothing changes`;
        return ok({ kind: 'ignored', reason: message }, { code: 'stripe.unknown-price', message });
      }
      return ok({ kind: 'plan', tenant, plan, subscription: subscription.id });
    }
    case 'customer.subscription.deleted':
      return ok({ kind: 'subscription-ended', tenant, subscription: String(object.id) });
    case 'entitlements.active_entitlement_summary.updated': {
      const entitlements = (object.entitlements as { data?: { lookup_key?: string }[] } | undefined)?.data ?? [];
      const features = entitlements.map((e) => e.lookup_key ?? '').filter(Boolean);
      const named = planOfEntitlements(features, deps.features ?? {});
      return ok({ kind: 'entitlements', tenant, features, ...(named.kind === 'plan' ? { plan: named.plan } : {}) });
    }
    case 'invoice.payment_failed':
      return ok({ kind: 'payment-failed', tenant, invoice: String(object.id) });
  }
}

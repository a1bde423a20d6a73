// POST /hooks/stripe wired: the signed-event core (controller/http/stripe-webhook.ts:
// signature with tolerance, replay refused by the event id in the store), then
// for a subscription that names another plan the stripe-sync bot's own
// decision and pull request for that one tenant (same PR as the hourly
// reconcile: rp9/stripe-sync/<tenant>), against the config in force. An
// unknown price or customer is a Warning event and no PR. Every subscription
// event of a tenant's customer is recorded in the store (status and current
// period): the collector counts the tenant's executions from that period.
import type { ConfigFiles } from '../../config/types.js';
import { runBot } from '../../bots/runner/run-bot.js';
import type { SubscriptionView } from '../../bots/stripe-sync/decide.js';
import type { Forge } from '../../edges/forge/index.js';
import type { StripeClient } from '../../edges/stripe/client.js';
import { subscriptionOf, type SubscriptionObject } from '../../edges/stripe/subscriptions.js';
import type { Logger } from '../../kernel/log/logger.js';
import { handleStripeWebhook } from '../http/stripe-webhook.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';

export interface StripeHookWiring {
  stripe: StripeClient;
  secret: string;
  toleranceSeconds?: number;
  store: Pick<Store, 'deliveries' | 'events' | 'subscriptions'>;
  config(): GoodConfig | undefined;
  files(commit: string): Promise<ConfigFiles>;
  /** Without a forge the event is recorded and nothing is proposed. */
  forge?: Forge;
  baseBranch: string;
  logger: Logger;
}

export type StripeHook = (body: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>) => Promise<{ status: number; body: Record<string, unknown> }>;

/** A verified customer.subscription.* event of a tenant's customer: its subscription as of the event's time, into the store. */
async function recordSubscription(wiring: StripeHookWiring, body: Buffer, known: (customer: string) => boolean): Promise<void> {
  const event = JSON.parse(body.toString('utf8')) as { type?: string; created?: number; data?: { object?: SubscriptionObject } };
  const object = event.data?.object;
  if (!event.type?.startsWith('customer.subscription.') || !object?.id || !object.customer) return;
  const subscription = subscriptionOf(object);
  if (!known(subscription.customer)) return;
  const seenAt = typeof event.created === 'number' ? new Date(event.created * 1000) : new Date();
  try {
    await wiring.store.subscriptions.record([{ id: subscription.id, customer: subscription.customer, status: subscription.status, created: subscription.created ?? new Date(0), ...(subscription.currentPeriod ? { currentPeriod: subscription.currentPeriod } : {}) }], seenAt);
  } catch (error) {
    wiring.logger.warn('Stripe subscription not recorded in the store: the next stripe-sync run records it', { code: 'stripe.subscription-unrecorded', subscription: subscription.id, error: (error as Error).message });
  }
}

export function createStripeHook(wiring: StripeHookWiring): StripeHook {
  return async (body, headers) => {
    const good = wiring.config();
    const tenants = good?.config.tenants ?? [];
    const result = await handleStripeWebhook(body, headers, {
      stripe: wiring.stripe,
      secret: wiring.secret,
      ...(wiring.toleranceSeconds !== undefined ? { toleranceSeconds: wiring.toleranceSeconds } : {}),
      accept: (id, type) => wiring.store.deliveries.acceptStripeEvent(id, type),
      plans: good?.platform.spec.billing.stripePlans ?? {},
      features: good?.platform.spec.billing.stripeFeatures ?? {},
      tenantOf: (customer) => tenants.find((t) => t.tenant.spec.billing?.stripeCustomerId === customer)?.name,
    });
    const answer = { status: result.status, body: result.body as Record<string, unknown> };
    if (result.status === 200) await recordSubscription(wiring, body, (customer) => tenants.some((t) => t.tenant.spec.billing?.stripeCustomerId === customer));
    if (result.warning) {
      wiring.logger.warn('stripe event changes nothing', { code: result.warning.code, message: result.warning.message });
      await wiring.store.events.record({ type: 'Warning', reason: 'StripeEventIgnored', message: result.warning.message, actor: 'stripe-webhook', data: { code: result.warning.code, event: result.body.event } });
    }
    const outcome = result.outcome;
    if (outcome?.kind === 'entitlements' && outcome.plan) {
      const current = tenants.find((t) => t.name === outcome.tenant)?.tenant.spec.plan;
      if (current !== outcome.plan) {
        await wiring.store.events.record({ tenant: outcome.tenant, type: 'Normal', reason: 'EntitlementsNamePlan', message: `Stripe entitlements (${outcome.features.join(', ')}) name the ${outcome.plan} plan, ${outcome.tenant} is on ${current ?? 'no plan'}: the hourly stripe-sync reconcile proposes it (or holds a conflict with the subscription's price)`, actor: 'stripe-webhook', data: { plan: outcome.plan, features: outcome.features } });
      }
      return answer;
    }
    if (outcome?.kind !== 'plan' || !good) return answer;
    if (!wiring.forge) {
      wiring.logger.warn('stripe plan change not proposed: no GitHub forge configured', { tenant: outcome.tenant, plan: outcome.plan });
      return answer;
    }
    const event = JSON.parse(body.toString('utf8')) as { data: { object: { id: string; customer: string; status: string; items?: { data?: { price?: { id?: string; product?: string | { id: string } } }[] } } } };
    const object = event.data.object;
    const subscription: SubscriptionView = {
      id: object.id,
      customer: object.customer,
      status: object.status,
      items: (object.items?.data ?? []).map((i) => ({ price: i.price?.id ?? '', product: typeof i.price?.product === 'string' ? i.price.product : i.price?.product?.id ?? '' })),
    };
    const files = await wiring.files(good.commit);
    const texts = new Map([...(files.platform ? [files.platform] : []), ...files.tenants].map((f) => [f.path, new TextDecoder().decode(f.bytes)]));
    const report = await runBot('stripe-sync', {
      base: { branch: wiring.baseBranch, sha: good.commit, files, config: good.config, readFile: (path) => texts.get(path) },
      forge: wiring.forge,
      subscriptions: async () => new Map([[subscription.customer, [subscription]]]),
      onlyTenant: outcome.tenant,
      now: new Date(),
      dryRun: false,
      logger: wiring.logger,
    });
    const opened = report.results.find((r) => r.kind === 'propose');
    if (opened?.kind === 'propose') {
      await wiring.store.events.record({ tenant: outcome.tenant, type: 'Normal', reason: 'PlanChangeProposed', message: `Stripe ${outcome.subscription}: plan ${outcome.plan} proposed in PR #${opened.number}`, actor: 'stripe-webhook', commit: good.commit, data: { pr: opened.number, plan: outcome.plan } });
      return { status: 200, body: { ...answer.body, pullRequest: opened.number } };
    }
    return answer;
  };
}

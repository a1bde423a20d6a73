// The stripe-sync bot's decision, pure: from each tenant's Stripe
// subscription (read by the hourly reconcile, or carried by a webhook) to a
// plan-change proposal. A price (or its product) maps to a plan through
// platform.yaml spec.billing.stripePlans. An unknown price is held with
// `stripe.unknown-price` (a warning, no PR). A downgrade whose resources are
// above the new plan's ceiling still gets its PR, but for review only: the PR
// body names the conflict and the file grants a ceiling exception saying so,
// so the file stays valid until a human settles the resources.
// With spec.billing.stripeFeatures, the customer's active entitlements (the
// features of its live subscriptions' products) name a plan too: the same
// plan as the price, or the only one named, is proposed; entitlements that
// name another plan than the price (stripe.entitlements-conflict) or several
// plans (stripe.entitlements-ambiguous) are held, no PR.
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { proposalLabels, tenantFile, type Evidence, type FieldEdit, type ProposalOf } from '../core/types.js';
import type { Held } from '../runner/types.js';
import { planOfEntitlements } from './entitlements.js';

/** What the bot needs of a Stripe subscription. */
export interface SubscriptionView {
  id: string;
  customer: string;
  status: string;
  /** Each item's price id and product id. */
  items: { price: string; product: string }[];
  /** The current billing period (the items' current_period_start/end), when Stripe gives one. */
  currentPeriod?: { start: Date; end: Date };
  /** When Stripe created it. */
  created?: Date;
}

/** Subscriptions that count: the customer pays or is about to. */
export const LIVE_STATUSES: readonly string[] = ['active', 'trialing', 'past_due'];

export interface StripeSyncDecision {
  proposals: ProposalOf<'stripe-sync'>[];
  held: Held[];
  /** Tenants already on the plan their subscription names. */
  inSync: string[];
  /** Tenants with a Stripe customer but no live subscription: left as they are. */
  noSubscription: string[];
}

const RESOURCES = ['cpu', 'memoryMb', 'workers', 'storageGb'] as const;

/** The plan a subscription pays for: the first item whose price, then product, is in the table. */
export function planOfSubscription(subscription: SubscriptionView, table: Readonly<Record<string, string>>): string | undefined {
  for (const item of subscription.items) {
    const plan = table[item.price] ?? table[item.product];
    if (plan) return plan;
  }
  return undefined;
}

/** `cpu 4 > 2` for each resource of the tenant above the plan's ceiling. */
export function ceilingConflicts(tenant: Tenant, platform: Platform, plan: string): string[] {
  const target = platform.spec.plans[plan];
  const current = platform.spec.plans[tenant.spec.plan];
  if (!target) return [];
  const conflicts: string[] = [];
  for (const name of RESOURCES) {
    const value = tenant.spec.resources?.[name] ?? current?.[name];
    if (value !== undefined && value > target.ceiling[name]) conflicts.push(`${name} ${value} > ${target.ceiling[name]}`);
  }
  return conflicts;
}

function isDowngrade(platform: Platform, from: string, to: string): boolean {
  const a = platform.spec.plans[from];
  const b = platform.spec.plans[to];
  if (!a || !b) return false;
  return b.executionsMonthly < a.executionsMonthly || b.ceiling.cpu < a.ceiling.cpu;
}

function decideTenant(tenant: Tenant, subscription: SubscriptionView, platform: Platform, entitlements: readonly string[] | undefined): ProposalOf<'stripe-sync'> | Held | 'in-sync' {
  const name = tenant.metadata.name;
  const priced = planOfSubscription(subscription, platform.spec.billing.stripePlans);
  const prices = subscription.items.map((i) => `${i.price} (${i.product})`).join(', ') || 'no items';
  const entitled = entitlements ? planOfEntitlements(entitlements, platform.spec.billing.stripeFeatures ?? {}) : { kind: 'none' as const };
  const features = entitlements?.join(', ') || 'none';
  if (entitled.kind === 'ambiguous') return { tenant: name, code: 'stripe.entitlements-ambiguous', reason: `customer ${subscription.customer}'s active entitlements (${features}) name several plans in spec.billing.stripeFeatures (${entitled.plans.join(', ')}); nothing changes` };
  if (entitled.kind === 'plan' && priced && entitled.plan !== priced) {
    return { tenant: name, code: 'stripe.entitlements-conflict', reason: `subscription ${subscription.id} of ${subscription.customer} pays for the ${priced} plan (${prices}) but its active entitlements (${entitled.features.join(', ')}) name ${entitled.plan}; nothing changes until Stripe agrees with itself` };
  }
  const plan = priced ?? (entitled.kind === 'plan' ? entitled.plan : undefined);
  if (!plan) return { tenant: name, code: 'stripe.unknown-price', reason: `subscription ${subscription.id} of ${subscription.customer}: no price or product (${prices}) is in spec.billing.stripePlans${entitlements ? `, and no active entitlement (${features}) is in spec.billing.stripeFeatures` : ''}; nothing changes` };
  if (!platform.spec.plans[plan]) return { tenant: name, code: 'stripe.unknown-plan', reason: `spec.billing.stripePlans maps subscription ${subscription.id} to plan "${plan}", which is not in spec.plans` };
  const edits: FieldEdit[] = [];
  if (tenant.spec.plan !== plan) edits.push({ path: ['spec', 'plan'], value: plan, previous: tenant.spec.plan });
  if (edits.length === 0) return 'in-sync';
  if (tenant.spec.billing?.stripeSubscriptionId !== subscription.id) edits.push({ path: ['spec', 'billing', 'stripeSubscriptionId'], value: subscription.id, previous: tenant.spec.billing?.stripeSubscriptionId });

  const downgrade = isDowngrade(platform, tenant.spec.plan, plan);
  const conflicts = downgrade ? ceilingConflicts(tenant, platform, plan) : [];
  const evidence: Evidence[] = [
    ...(priced ? [{ metric: 'stripe subscription price', value: subscription.items[0]?.price ?? '', threshold: plan, comparator: '==' as const, window: '', unit: '' }] : []),
    ...(entitled.kind === 'plan' ? [{ metric: 'stripe active entitlements', value: entitled.features.join(', '), threshold: plan, comparator: '==' as const, window: '', unit: '' }] : []),
    { metric: 'spec.plan', value: tenant.spec.plan, threshold: plan, comparator: '!=', window: '', unit: '' },
  ];
  const entitledText = entitled.kind === 'plan' ? `its active entitlements (${entitled.features.join(', ')}) name the ${plan} plan in \`spec.billing.stripeFeatures\`` : '';
  let summary = priced
    ? `Stripe subscription ${subscription.id} (${subscription.status}) of customer ${subscription.customer} pays for ${prices}, which \`spec.billing.stripePlans\` maps to the ${plan} plan${entitledText ? `, and ${entitledText}` : ''}; ${name} is on ${tenant.spec.plan}.`
    : `Stripe subscription ${subscription.id} (${subscription.status}) of customer ${subscription.customer} pays for ${prices} (not in \`spec.billing.stripePlans\`), and ${entitledText}; ${name} is on ${tenant.spec.plan}.`;
  const proposal: ProposalOf<'stripe-sync'> = {
    bot: 'stripe-sync',
    tenant: name,
    file: tenantFile(name),
    edits,
    riskClass: 'planChange',
    trigger: `${downgrade ? 'downgrade' : 'plan change'} ${tenant.spec.plan} → ${plan} (Stripe ${subscription.id})`,
    evidence,
    summary,
    title: `stripe-sync: ${name} ${tenant.spec.plan} → ${plan}`,
    labels: proposalLabels('stripe-sync', 'planChange'),
  };
  if (conflicts.length > 0) {
    const reason = `stripe-sync: downgraded to ${plan} by Stripe ${subscription.id} with resources above its ceiling (${conflicts.join(', ')}); reduce spec.resources, then remove this exception`;
    edits.push({ path: ['spec', 'resources', 'ceilingException'], value: { reason }, previous: tenant.spec.resources?.ceilingException });
    summary += `\n\n**Conflict: waits for review.** ${name}'s resources are above the ${plan} plan's ceiling: ${conflicts.join(', ')}. This PR keeps them and grants \`spec.resources.ceilingException\` so the file stays valid; before merging, reduce \`spec.resources\` to the ceiling (and drop the exception), or keep the exception as a decision.`;
    proposal.summary = summary;
    proposal.review = `downgrade above the ${plan} plan's ceiling (${conflicts.join(', ')}): human review`;
    proposal.labels = [...proposal.labels, 'conflict'];
  }
  return proposal;
}

/**
 * One decision over every tenant with spec.billing.stripeCustomerId;
 * `subscriptions` holds live and ended ones by customer, `entitlements` (when
 * read) each customer's active entitlements' lookup keys.
 */
export function decideStripeSync(tenants: readonly Tenant[], subscriptions: ReadonlyMap<string, readonly SubscriptionView[]>, platform: Platform, entitlements?: ReadonlyMap<string, readonly string[]>): StripeSyncDecision {
  const decision: StripeSyncDecision = { proposals: [], held: [], inSync: [], noSubscription: [] };
  for (const tenant of tenants) {
    const customer = tenant.spec.billing?.stripeCustomerId;
    if (!customer) continue;
    const live = (subscriptions.get(customer) ?? []).filter((s) => LIVE_STATUSES.includes(s.status));
    // The subscription the tenant file names wins; otherwise the newest live one (Stripe lists newest first).
    const chosen = live.find((s) => s.id === tenant.spec.billing?.stripeSubscriptionId) ?? live[0];
    if (!chosen) {
      decision.noSubscription.push(tenant.metadata.name);
      continue;
    }
    const outcome = decideTenant(tenant, chosen, platform, entitlements ? (entitlements.get(customer) ?? []) : undefined);
    if (outcome === 'in-sync') decision.inSync.push(tenant.metadata.name);
    else if ('bot' in outcome) decision.proposals.push(outcome);
    else decision.held.push(outcome);
  }
  return decision;
}

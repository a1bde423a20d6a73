import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from '../core/auto-merge.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideStripeSync, planOfSubscription, type SubscriptionView } from './decide.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);

function tenant(name: string, lines: string[]) {
  return tenantFromYaml(tenantYaml(name, lines), schemasDirOf(root));
}
function sub(customer: string, price: string, options: Partial<SubscriptionView> & { product?: string } = {}): SubscriptionView {
  return { id: options.id ?? `sub_${customer.slice(4)}`, customer, status: options.status ?? 'active', items: [{ price, product: options.product ?? 'prod_Other' }] };
}
function byCustomer(...subs: SubscriptionView[]) {
  const map = new Map<string, SubscriptionView[]>();
  for (const s of subs) map.set(s.customer, [...(map.get(s.customer) ?? []), s]);
  return map;
}

describe('planOfSubscription', () => {
  it.each([
    ['a listed price', sub('cus_A', 'price_ProMonthly'), 'pro'],
    ['a listed product', sub('cus_A', 'price_New', { product: 'prod_Enterprise' }), 'enterprise'],
    ['nothing listed', sub('cus_A', 'price_Mystery'), undefined],
  ])('%s', (_name, subscription, plan) => {
    expect(planOfSubscription(subscription, platform.spec.billing.stripePlans)).toBe(plan);
  });
});

describe('decideStripeSync', () => {
  const starter = tenant('acme', ['plan: starter', 'mode: shared', 'billing: { stripeCustomerId: cus_Acme }']);

  it.each<[string, ReturnType<typeof tenant>, SubscriptionView[], { proposal?: Record<string, unknown>; held?: string; inSync?: boolean; none?: boolean }]>([
    ['upgrade: plan and subscription id, auto-merge per autoMerge.stripeSync.planChange', starter, [sub('cus_Acme', 'price_ProMonthly')], { proposal: { 'spec.plan': 'pro', 'spec.billing.stripeSubscriptionId': 'sub_Acme' } }],
    ['already on the plan: nothing', starter, [sub('cus_Acme', 'price_StarterMonthly')], { inSync: true }],
    ['unknown price: held as a warning, no PR', starter, [sub('cus_Acme', 'price_Mystery')], { held: 'stripe.unknown-price' }],
    ['only a canceled subscription: left as it is', starter, [sub('cus_Acme', 'price_ProMonthly', { status: 'canceled' })], { none: true }],
    ['no subscription at all: left as it is', starter, [], { none: true }],
    ['the subscription the file names wins over a newer one', tenant('acme', ['plan: starter', 'mode: shared', 'billing: { stripeCustomerId: cus_Acme, stripeSubscriptionId: sub_Old }']), [sub('cus_Acme', 'price_StarterMonthly', { id: 'sub_New' }), sub('cus_Acme', 'price_ProMonthly', { id: 'sub_Old' })], { proposal: { 'spec.plan': 'pro' } }],
    ['a tenant without a Stripe customer is not read', tenant('acme', ['plan: starter', 'mode: shared']), [sub('cus_Acme', 'price_ProMonthly')], {}],
  ])('%s', (_name, t, subs, expected) => {
    const decision = decideStripeSync([t], byCustomer(...subs), platform);
    const proposal = decision.proposals[0];
    if (expected.proposal) {
      expect(Object.fromEntries(proposal!.edits.map((e) => [e.path.join('.'), e.value]))).toEqual(expected.proposal);
      expect(proposal!.riskClass).toBe('planChange');
      expect(proposal!.review).toBeUndefined();
    } else expect(decision.proposals).toEqual([]);
    expect(decision.held.map((h) => h.code)).toEqual(expected.held ? [expected.held] : []);
    expect(decision.inSync).toEqual(expected.inSync ? ['acme'] : []);
    expect(decision.noSubscription).toEqual(expected.none ? ['acme'] : []);
  });

  it('a downgrade within the new ceiling is an ordinary plan change', () => {
    const pro = tenant('globex', ['plan: pro', 'mode: dedicated', 'billing: { stripeCustomerId: cus_Globex }', 'resources: { cpu: 2, memoryMb: 2048, workers: 2, storageGb: 10 }']);
    const [proposal] = decideStripeSync([pro], byCustomer(sub('cus_Globex', 'price_StarterMonthly')), platform).proposals;
    expect(proposal!.edits.map((e) => e.path.join('.'))).toEqual(['spec.plan', 'spec.billing.stripeSubscriptionId']);
    expect(proposal!.review).toBeUndefined();
  });

  it('a downgrade above the new ceiling waits for review with the conflict in the body, even where planChange auto-merges', () => {
    const big = tenant('globex', ['plan: pro', 'mode: dedicated', 'billing: { stripeCustomerId: cus_Globex }', 'resources: { cpu: 4, memoryMb: 4096, workers: 2, storageGb: 10 }']);
    const [proposal] = decideStripeSync([big], byCustomer(sub('cus_Globex', 'price_StarterMonthly')), platform).proposals;

    expect(proposal!.summary).toContain('Conflict: waits for review');
    expect(proposal!.summary).toContain('cpu 4 > 2, memoryMb 4096 > 2048');
    expect(proposal!.edits.find((e) => e.path.join('.') === 'spec.resources.ceilingException')?.value).toEqual({ reason: expect.stringContaining('cpu 4 > 2') });
    const autoMerging = { ...platform, spec: { ...platform.spec, autoMerge: { ...platform.spec.autoMerge, stripeSync: { planChange: true, limitChange: true } } } };
    expect(autoMergeDecision(proposal!, autoMerging)).toEqual({ autoMerge: false, rule: expect.stringContaining('human review') });
  });

  it('a plan the table names but spec.plans lacks is held', () => {
    const odd = { ...platform, spec: { ...platform.spec, billing: { ...platform.spec.billing, stripePlans: { price_Gold: 'gold' } } } };
    expect(decideStripeSync([starter], byCustomer(sub('cus_Acme', 'price_Gold')), odd).held).toEqual([{ tenant: 'acme', code: 'stripe.unknown-plan', reason: expect.stringContaining('"gold"') }]);
  });
});

describe('decideStripeSync with active entitlements (spec.billing.stripeFeatures)', () => {
  const starter = tenant('acme', ['plan: starter', 'mode: shared', 'billing: { stripeCustomerId: cus_Acme }']);

  it.each<[string, SubscriptionView, string[], { plan?: string; held?: string; inSync?: boolean }]>([
    ['price and entitlements agree on another plan: one PR', sub('cus_Acme', 'price_ProMonthly'), ['rp9-plan-pro', 'sso'], { plan: 'pro' }],
    ['an unknown price, entitlements name a plan: PR to it', sub('cus_Acme', 'price_Mystery'), ['rp9-plan-enterprise'], { plan: 'enterprise' }],
    ['an unknown price and no entitlement in the table: held as unknown price', sub('cus_Acme', 'price_Mystery'), ['sso'], { held: 'stripe.unknown-price' }],
    ['entitlements name the plan the tenant is on, the price too: nothing', sub('cus_Acme', 'price_StarterMonthly'), ['rp9-plan-starter'], { inSync: true }],
    ['entitlements name another plan than the price: held, no PR', sub('cus_Acme', 'price_StarterMonthly'), ['rp9-plan-pro'], { held: 'stripe.entitlements-conflict' }],
    ['entitlements name two plans: held, no PR', sub('cus_Acme', 'price_ProMonthly'), ['rp9-plan-pro', 'rp9-plan-enterprise'], { held: 'stripe.entitlements-ambiguous' }],
    ['no entitlement at all: the price decides', sub('cus_Acme', 'price_ProMonthly'), [], { plan: 'pro' }],
  ])('%s', (_name, subscription, entitled, expected) => {
    const decision = decideStripeSync([starter], byCustomer(subscription), platform, new Map([['cus_Acme', entitled]]));

    expect(decision.proposals.map((p) => p.edits.find((e) => e.path.join('.') === 'spec.plan')?.value)).toEqual(expected.plan ? [expected.plan] : []);
    expect(decision.held.map((h) => h.code)).toEqual(expected.held ? [expected.held] : []);
    expect(decision.inSync).toEqual(expected.inSync ? ['acme'] : []);
  });

  it('says which entitlements named the plan in the evidence', () => {
    const decision = decideStripeSync([starter], byCustomer(sub('cus_Acme', 'price_Mystery')), platform, new Map([['cus_Acme', ['rp9-plan-pro']]]));
    expect(decision.proposals[0]!.evidence.map((e) => `${e.metric}=${e.value}`)).toEqual(['stripe active entitlements=rp9-plan-pro', 'spec.plan=starter']);
  });
});

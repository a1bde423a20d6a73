import { describe, expect, it } from 'vitest';
import type { SubscriptionView } from './decide.js';
import { entitlementsOf, planOfEntitlements, productsOf } from './entitlements.js';

const sub = (id: string, customer: string, status: string, products: string[]): SubscriptionView => ({ id, customer, status, items: products.map((product) => ({ price: `price_${product}`, product })) });
const features = new Map([['prod_Pro', ['rp9-plan-pro', 'sso']], ['prod_Addon', ['audit-log', 'sso']], ['prod_Old', ['rp9-plan-starter']]]);
const table = { 'rp9-plan-starter': 'starter', 'rp9-plan-pro': 'pro', 'rp9-plan-enterprise': 'enterprise' };

describe('entitlementsOf', () => {
  it.each<[string, SubscriptionView[], string[]]>([
    ["the features of the live subscriptions' products, once each, sorted", [sub('s1', 'c', 'active', ['prod_Pro', 'prod_Addon'])], ['audit-log', 'rp9-plan-pro', 'sso']],
    ['a canceled subscription grants nothing', [sub('s1', 'c', 'active', ['prod_Pro']), sub('s0', 'c', 'canceled', ['prod_Old'])], ['rp9-plan-pro', 'sso']],
    ['trialing and past_due grant', [sub('s1', 'c', 'trialing', ['prod_Old']), sub('s2', 'c', 'past_due', ['prod_Addon'])], ['audit-log', 'rp9-plan-starter', 'sso']],
    ['a product without features grants nothing', [sub('s1', 'c', 'active', ['prod_Bare'])], []],
  ])('%s', (_name, subscriptions, expected) => {
    expect(entitlementsOf(subscriptions, features)).toEqual(expected);
  });
});

describe('productsOf', () => {
  it("lists each product of the customers' live subscriptions once", () => {
    const subscriptions = new Map([
      ['c1', [sub('s1', 'c1', 'active', ['prod_Pro', 'prod_Addon']), sub('s0', 'c1', 'canceled', ['prod_Old'])]],
      ['c2', [sub('s2', 'c2', 'active', ['prod_Pro'])]],
      ['c3', [sub('s3', 'c3', 'active', ['prod_Stranger'])]],
    ]);
    expect(productsOf(['c1', 'c2', 'c9'], subscriptions)).toEqual(['prod_Addon', 'prod_Pro']);
  });
});

describe('planOfEntitlements', () => {
  it.each<[string, string[], ReturnType<typeof planOfEntitlements>]>([
    ['none in the table', ['sso'], { kind: 'none' }],
    ['one plan', ['sso', 'rp9-plan-pro'], { kind: 'plan', plan: 'pro', features: ['rp9-plan-pro'] }],
    ['several plans', ['rp9-plan-pro', 'rp9-plan-starter'], { kind: 'ambiguous', plans: ['pro', 'starter'] }],
    ['nothing', [], { kind: 'none' }],
  ])('%s', (_name, keys, expected) => {
    expect(planOfEntitlements(keys, table)).toEqual(expected);
  });
});

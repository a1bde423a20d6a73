import { describe, expect, it } from 'vitest';
import { schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import type { SubscriptionView } from '../stripe-sync/decide.js';
import { subscriptionPeriodOf, tenantBillingPeriod } from './subscription-period.js';

const root = new URL('../../', import.meta.url);
const p1 = { start: new Date('2026-11-15T00:00:00Z'), end: new Date('2026-12-15T00:00:00Z') };
const p2 = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-12-20T00:00:00Z') };
const sub = (id: string, status: string, currentPeriod?: typeof p1): SubscriptionView => ({ id, customer: 'cus_A1', status, items: [{ price: 'price_Pro', product: 'prod_Pro' }], ...(currentPeriod ? { currentPeriod } : {}) });

function tenant(billing: string | undefined) {
  return tenantFromYaml(tenantYaml('acme', ['plan: pro', 'mode: shared', ...(billing ? [`billing: ${billing}`] : [])]), schemasDirOf(root));
}

describe('subscriptionPeriodOf', () => {
  it.each<[string, string | undefined, SubscriptionView[], typeof p1 | undefined]>([
    ['no Stripe customer: none', undefined, [sub('sub_1', 'active', p1)], undefined],
    ["the live subscription's period", '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'active', p1)], p1],
    ['a canceled one does not count', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'canceled', p1)], undefined],
    ['trialing and past_due count', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'past_due', p1)], p1],
    ['the subscription the tenant names wins', '{ stripeCustomerId: cus_A1, stripeSubscriptionId: sub_2 }', [sub('sub_1', 'active', p1), sub('sub_2', 'active', p2)], p2],
    ['a live subscription without a period: none', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'active')], undefined],
    ['another customer: none', '{ stripeCustomerId: cus_B2 }', [sub('sub_1', 'active', p1)], undefined],
  ])('%s', (_name, billing, subscriptions, expected) => {
    expect(subscriptionPeriodOf(tenant(billing), new Map([['cus_A1', subscriptions]]))).toEqual(expected);
  });
});

describe('tenantBillingPeriod: the period executions are counted and decided over', () => {
  const now = new Date('2026-12-06T01:30:00Z');
  it.each<[string, string | undefined, SubscriptionView[], [start: string, source: string]]>([
    ['no Stripe customer: the calendar month', undefined, [sub('sub_1', 'active', p1)], ['2026-12-01T00:00:00.000Z', 'calendar']],
    ['a live subscription: its period', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'active', p1)], ['2026-11-15T00:00:00.000Z', 'stripe']],
    ['the named subscription: its period', '{ stripeCustomerId: cus_A1, stripeSubscriptionId: sub_2 }', [sub('sub_1', 'active', p1), sub('sub_2', 'trialing', p2)], ['2026-11-20T00:00:00.000Z', 'stripe']],
    ['only a canceled subscription: the calendar month', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'canceled', p1)], ['2026-12-01T00:00:00.000Z', 'calendar']],
    ['a live subscription without a period: the calendar month', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'active')], ['2026-12-01T00:00:00.000Z', 'calendar']],
    ['a customer nothing was recorded for: the calendar month', '{ stripeCustomerId: cus_B2 }', [sub('sub_1', 'active', p1)], ['2026-12-01T00:00:00.000Z', 'calendar']],
    ['a period that ended: the next one on the same anchor', '{ stripeCustomerId: cus_A1 }', [sub('sub_1', 'active', { start: new Date('2026-10-03T08:00:00Z'), end: new Date('2026-11-03T08:00:00Z') })], ['2026-12-03T08:00:00.000Z', 'stripe']],
  ])('%s', (_name, billing, subscriptions, [start, source]) => {
    const period = tenantBillingPeriod(tenant(billing), new Map([['cus_A1', subscriptions]]), now);
    expect({ start: period.start.toISOString(), source: period.source }).toEqual({ start, source });
  });
});

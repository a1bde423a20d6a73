import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../edges/stripe/client.js';
import { listProductFeatures } from '../../edges/stripe/product-features.js';
import { listSubscriptionsByCustomer } from '../../edges/stripe/subscriptions.js';
import { startStripeServer, type StripeServer } from '../../test/harness/stripe-server.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideStripeSyncRun } from './decide-stripe-sync.js';

// The hourly reconcile with entitlements, through the official client against
// the local Stripe server: subscriptions listed 100 a page, then the features
// of each distinct product of the tenants' live subscriptions.
const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);
let server: StripeServer;

function tenant(name: string, plan: string, customer: string) {
  return tenantFromYaml(tenantYaml(name, [`plan: ${plan}`, 'mode: shared', `billing: { stripeCustomerId: ${customer} }`]), schemasDirOf(root));
}

beforeAll(async () => {
  server = await startStripeServer();
  // 30 customers on three products; acme's price is not in stripePlans, its product's features name pro.
  for (let i = 0; i < 30; i += 1) server.addSubscription({ id: `sub_C${i}`, customer: `cus_C${i}`, price: 'price_StarterMonthly', product: i % 2 ? 'prod_Starter' : 'prod_StarterB' });
  server.addSubscription({ id: 'sub_Acme', customer: 'cus_Acme', price: 'price_Legacy', product: 'prod_Pro' });
  // hooli pays starter but its product grants pro: Stripe disagrees with itself.
  server.addSubscription({ id: 'sub_Hooli', customer: 'cus_Hooli', price: 'price_StarterMonthly', product: 'prod_Mixed' });
  server.setProductFeatures('prod_Pro', ['rp9-plan-pro', 'sso']);
  server.setProductFeatures('prod_Mixed', ['rp9-plan-pro']);
  server.setProductFeatures('prod_Starter', ['rp9-plan-starter']);
  server.setProductFeatures('prod_StarterB', ['rp9-plan-starter']);
});
afterAll(async () => {
  await server?.close();
});

describe('decideStripeSyncRun: entitlements from the products\' features', () => {
  it('proposes the plan the entitlements name, holds a conflict, and reads each product once', async () => {
    const stripe = createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: server.url });
    const tenants = [tenant('acme', 'starter', 'cus_Acme'), tenant('hooli', 'starter', 'cus_Hooli'), ...Array.from({ length: 30 }, (_, i) => tenant(`t${i}`, 'starter', `cus_C${i}`))];
    server.requests.clear();

    const decision = await decideStripeSyncRun({
      platform, tenants,
      subscriptions: async () => (await listSubscriptionsByCustomer(stripe)).byCustomer,
      productFeatures: async (products) => (await listProductFeatures(stripe, products)).byProduct,
    });

    expect(decision.proposals.map((p) => [p.tenant, p.edits.find((e) => e.path.join('.') === 'spec.plan')?.value])).toEqual([['acme', 'pro']]);
    expect(decision.held.map((h) => [h.tenant, h.code])).toEqual([['hooli', 'stripe.entitlements-conflict']]);
    // One list page of subscriptions, one features page per distinct product (4), none per customer.
    expect(Object.fromEntries(server.requests)).toEqual({
      'GET /v1/subscriptions': 1,
      'GET /v1/products/prod_Mixed/features': 1,
      'GET /v1/products/prod_Pro/features': 1,
      'GET /v1/products/prod_Starter/features': 1,
      'GET /v1/products/prod_StarterB/features': 1,
    });
    expect(server.contractErrors).toEqual([]);
  });

  it('is blind when the features cannot be read, and closes nothing', async () => {
    const stripe = createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: server.url, maxNetworkRetries: 0 });
    const decision = await decideStripeSyncRun({
      platform, tenants: [tenant('acme', 'starter', 'cus_Acme')],
      subscriptions: async () => (await listSubscriptionsByCustomer(stripe)).byCustomer,
      productFeatures: async (products) => {
        server.failNext(1);
        return (await listProductFeatures(stripe, products)).byProduct;
      },
    });
    expect(decision.proposals).toEqual([]);
    expect(decision.wanted).toBeUndefined();
    expect(decision.metricsUnavailable).toMatch(/^product features: /);
  });
});

// The stripe-sync bot end to end: the official Stripe client against the
// local Stripe server (published shapes), the config repo on the GitHub
// contract server, one PR per tenant whose subscription names another plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from '../../bots/runner/run-bot.js';
import { createStripeClient } from '../../edges/stripe/client.js';
import { listSubscriptionsByCustomer } from '../../edges/stripe/subscriptions.js';
import { startStripeServer, type StripeServer } from '../harness/stripe-server.js';
import { FULL_NAME, platformYaml, runDeps, startConfigStack, type ConfigStack } from './bots-support.js';

function tenant(name: string, plan: string, extra: string[] = []): string {
  return [
    '# yaml-language-server: $schema=../schemas/tenant.schema.json',
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${name}`, `  email: ops@${name}.example`,
    'spec:', `  plan: ${plan}`, `  mode: ${plan === 'starter' ? 'shared' : 'dedicated'}`, '  region: us-east', `  subdomain: ${name}`, ...extra.map((line) => `  ${line}`), '',
  ].join('\n');
}

let stripe: StripeServer;
let stack: ConfigStack;
const subscriptions = () => listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: stripe.url })).then((l) => l.byCustomer);

beforeAll(async () => {
  stripe = await startStripeServer();
  stripe.addSubscription({ id: 'sub_Acme', customer: 'cus_Acme', price: 'price_ProMonthly', product: 'prod_Pro' });
  stripe.addSubscription({ id: 'sub_Globex', customer: 'cus_Globex', price: 'price_StarterMonthly', product: 'prod_Starter' });
  stripe.addSubscription({ id: 'sub_Hooli', customer: 'cus_Hooli', price: 'price_Mystery', product: 'prod_Mystery' });
  stripe.addSubscription({ id: 'sub_Initech', customer: 'cus_Initech', price: 'price_StarterMonthly', product: 'prod_Starter' });
  stripe.addSubscription({ id: 'sub_WayneOld', customer: 'cus_Wayne', price: 'price_ProMonthly', product: 'prod_Pro', status: 'canceled' });
  // Other customers of the account: the reconcile pages through them, it never asks per customer.
  for (let i = 0; i < 245; i += 1) stripe.addSubscription({ id: `sub_Other${i}`, customer: `cus_Other${i}`, price: 'price_ProMonthly', product: 'prod_Pro' });
  stack = await startConfigStack({
    'platform.yaml': platformYaml(),
    'tenants/acme.yaml': tenant('acme', 'starter', ['billing: { stripeCustomerId: cus_Acme }']),
    'tenants/globex.yaml': tenant('globex', 'pro', ['billing: { stripeCustomerId: cus_Globex, stripeSubscriptionId: sub_Globex }', 'resources: { cpu: 4, memoryMb: 4096 }']),
    'tenants/hooli.yaml': tenant('hooli', 'starter', ['billing: { stripeCustomerId: cus_Hooli }']),
    'tenants/initech.yaml': tenant('initech', 'starter', ['billing: { stripeCustomerId: cus_Initech }']),
    'tenants/wayne.yaml': tenant('wayne', 'starter', ['billing: { stripeCustomerId: cus_Wayne }']),
  });
});
afterAll(async () => {
  await stack?.stop();
  await stripe?.close();
});

describe('stripe-sync bot, end to end', () => {
  it('opens one plan-change PR per tenant that differs, holds a downgrade above the ceiling for review with the conflict, warns on an unknown price, and lists Stripe in pages', async () => {
    stripe.requests.clear();

    const report = await runBot('stripe-sync', await runDeps(stack, { subscriptions }));

    expect(report.metricsUnavailable).toBeUndefined();
    // 250 subscriptions, 100 a page: 3 list requests, nothing per customer.
    expect(Object.fromEntries(stripe.requests)).toEqual({ 'GET /v1/subscriptions': 3 });
    expect(stripe.contractErrors).toEqual([]);
    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.outcome, p.autoMerge.autoMerge])).toEqual([
      ['acme', 'planChange', 'planned', false],
      ['globex', 'planChange', 'planned', false],
    ]);
    expect(report.held).toEqual([{ tenant: 'hooli', code: 'stripe.unknown-price', reason: expect.stringContaining('price_Mystery') }]);
    expect(report.notes).toContain('no live Stripe subscription for wayne: left as they are');

    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls.map((p) => p.headRef).sort()).toEqual(['rp9/stripe-sync/acme', 'rp9/stripe-sync/globex']);
    expect(stack.file('tenants/acme.yaml', 'rp9/stripe-sync/acme')).toMatch(/plan: pro[\s\S]*stripeSubscriptionId: sub_Acme/);
    const globex = pulls.find((p) => p.headRef === 'rp9/stripe-sync/globex')!;
    expect(globex).toMatchObject({ state: 'open', merged: false });
    expect(globex.body).toContain('Conflict: waits for review');
    expect(globex.body).toContain('cpu 4 > 2, memoryMb 4096 > 2048');
    expect(globex.labels).toContain('conflict');
    expect(stack.file('tenants/globex.yaml', 'rp9/stripe-sync/globex')).toMatch(/plan: starter[\s\S]*ceilingException:/);

    // The next hourly run changes nothing: the same PRs, no new one.
    const again = await runBot('stripe-sync', await runDeps(stack, { subscriptions }));
    expect(again.results.map((r) => (r.kind === 'propose' ? [r.tenant, r.pullRequest] : r.kind))).toEqual([['acme', 'unchanged'], ['globex', 'unchanged']]);
    expect(stack.gh.state.repo(FULL_NAME).pulls.size).toBe(2);
  }, 120_000);

  it('decides nothing while Stripe is down, and says so', async () => {
    stripe.failNext(10);
    const report = await runBot('stripe-sync', await runDeps(stack, { subscriptions: () => listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: stripe.url, maxNetworkRetries: 0 })).then((l) => l.byCustomer) }));
    stripe.failNext(0);

    expect(report.metricsUnavailable).toMatch(/down/);
    expect(report.operations).toEqual([]);
  });
});

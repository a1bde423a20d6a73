// Benchmark of the stripe-sync bot's hourly reconcile: 10,000 customers, each
// with one subscription, on the local Stripe server of the test harness
// (test/harness/stripe-server.ts: Stripe's published fixtures, its list
// pagination), read through the official client the bot uses
// (listSubscriptionsByCustomer: the list endpoint, 100 a page; then, as
// platform.yaml sets spec.billing.stripeFeatures, listProductFeatures: the
// features of each distinct product, which give every customer's active
// entitlements) and decided by the pure decideStripeSync. Prints requests made
// and time; asserts nothing.
// Run by `npm run bench:enforcement` (through tsx: the server is TypeScript
// and lives in test/, outside the build). RP9_BENCH_CUSTOMERS changes the count.
import { cpus, loadavg } from 'node:os';
import { examplePlatform } from '../bots/core/fixtures.js';
import { decideStripeSync } from '../bots/stripe-sync/decide.js';
import { entitlementsOf, productsOf } from '../bots/stripe-sync/entitlements.js';
import { listProductFeatures } from '../edges/stripe/product-features.js';
import { createStripeClient } from '../edges/stripe/client.js';
import { listSubscriptionsByCustomer } from '../edges/stripe/subscriptions.js';
import { startStripeServer } from '../test/harness/stripe-server.js';
import type { Tenant } from '../types/tenant.js';

const CUSTOMERS = Number(process.env.RP9_BENCH_CUSTOMERS ?? 10_000);
const RUNS = 3;
const platform = examplePlatform(new URL('../', import.meta.url));
const prices: [string, string, string][] = [['price_StarterMonthly', 'prod_Starter', 'starter'], ['price_ProMonthly', 'prod_Pro', 'pro'], ['price_EnterpriseMonthly', 'prod_Enterprise', 'enterprise']];

const server = await startStripeServer();
// Each product grants its plan's feature, as spec.billing.stripeFeatures in platform.yaml reads it.
for (const [, product, plan] of prices) server.setProductFeatures(product, [`rp9-plan-${plan}`, 'sso']);
const tenants: Tenant[] = [];
for (let i = 0; i < CUSTOMERS; i++) {
  const name = `t${String(i).padStart(5, '0')}`;
  const customer = `cus_${name}`;
  const [price, product, plan] = prices[i % 3]!;
  server.addCustomer(customer, `ops@${name}.example`);
  server.addSubscription({ id: `sub_${name}`, customer, price, product });
  // Every 50th tenant's file names another plan than its subscription: the reconcile proposes a change.
  const filePlan = i % 50 === 0 ? prices[(i + 1) % 3]![2] : plan;
  tenants.push({
    apiVersion: 'rp9.io/v1', kind: 'Tenant',
    metadata: { name, email: `ops@${name}.example`, labels: {} },
    spec: { plan: filePlan, mode: filePlan === 'enterprise' ? 'dedicated' : 'shared', region: 'us-east', subdomain: name, customDomains: [], suspended: false, backups: { schedules: ['daily'], includeExecutions: false }, billing: { stripeCustomerId: customer } },
  } as unknown as Tenant);
}

const stripe = createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: server.url });
const times: number[] = [];
let last: { requests: number; pages: number; featurePages: number; subscriptions: number; proposals: number; held: number; inSync: number } | undefined;
try {
  for (let run = 0; run < RUNS; run++) {
    const before = server.totalRequests();
    const start = process.hrtime.bigint();
    const listing = await listSubscriptionsByCustomer(stripe);
    const customers = tenants.map((t) => t.spec.billing!.stripeCustomerId!);
    const features = await listProductFeatures(stripe, productsOf(customers, listing.byCustomer));
    const entitlements = new Map(customers.map((c) => [c, entitlementsOf(listing.byCustomer.get(c) ?? [], features.byProduct)]));
    const decision = decideStripeSync(tenants, listing.byCustomer, platform, entitlements);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    last = { requests: server.totalRequests() - before, pages: listing.pages, featurePages: features.pages, subscriptions: listing.subscriptions, proposals: decision.proposals.length, held: decision.held.length, inSync: decision.inSync.length };
  }
} finally {
  await server.close();
}
times.sort((a, b) => a - b);
console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`stripe reconcile of ${CUSTOMERS} customers against the local Stripe server: median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[RUNS - 1]!.toFixed(0)})`);
console.log(`  requests per reconcile ${last!.requests} (${last!.pages} subscription list pages of 100 + ${last!.featurePages} product feature pages, one per distinct product; never one per customer), subscriptions ${last!.subscriptions}, proposals ${last!.proposals}, held ${last!.held}, in sync ${last!.inSync}`);
if (server.contractErrors.length > 0) console.log(`  contract errors in the server's answers: ${server.contractErrors.length} (first: ${server.contractErrors[0]})`);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../edges/stripe/client.js';
import { listSubscriptionsByCustomer } from '../../edges/stripe/subscriptions.js';
import { startStripeServer, type StripeServer } from '../../test/harness/stripe-server.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import type { TenantUsage } from '../enforcement/levels.js';
import type { BotMetrics } from '../sources/types.js';
import { consistentUsage, decideEnforcementRun } from './decide-enforcement.js';

// The enforcement run's billing periods: the subscriptions come from the
// local Stripe server through the official client, the usage from memory.
const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);
const now = new Date('2026-12-06T01:30:00Z');
let stripe: StripeServer;

function tenant(name: string, billing?: string) {
  return tenantFromYaml(tenantYaml(name, ['plan: starter', 'mode: shared', ...(billing ? [`billing: ${billing}`] : [])]), schemasDirOf(root));
}

function metrics(usage: Record<string, TenantUsage>): BotMetrics {
  return {
    window: async () => new Map(),
    lowSince: async () => undefined,
    ready: async () => new Map(),
    usage: async () => new Map(Object.entries(usage)),
  };
}

beforeAll(async () => {
  stripe = await startStripeServer();
  stripe.addSubscription({ id: 'sub_Acme1', customer: 'cus_Acme1', price: 'price_Starter', product: 'prod_Starter', currentPeriod: { start: new Date('2026-11-15T10:00:00Z'), end: new Date('2026-12-15T10:00:00Z') } });
});

afterAll(async () => {
  await stripe?.close();
});

describe('decideEnforcementRun: billing periods', () => {
  it("keys a subscribed tenant's notices on its Stripe period and the others' on the calendar month", async () => {
    const subscriptions = async () => (await listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: stripe.url }))).byCustomer;

    const decision = await decideEnforcementRun({
      platform, now, subscriptions,
      tenants: [tenant('acme', '{ stripeCustomerId: cus_Acme1 }'), tenant('hooli')],
      metrics: metrics({ acme: { executionsMonth: 850 }, hooli: { executionsMonth: 850 } }),
    });

    expect(decision.notices?.map((n) => n.key)).toEqual(['acme/executionsMonthly/warning/2026-11-15', 'hooli/executionsMonthly/warning/2026-12']);
  });

  it('with Stripe down, leaves the subscribed tenants as they are and decides the others', async () => {
    const decision = await decideEnforcementRun({
      platform, now,
      subscriptions: async () => (await listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: 'http://127.0.0.1:9', maxNetworkRetries: 0 }))).byCustomer,
      tenants: [tenant('acme', '{ stripeCustomerId: cus_Acme1 }'), tenant('hooli')],
      metrics: metrics({ acme: { executionsMonth: 1000 }, hooli: { executionsMonth: 850 } }),
    });

    expect(decision.proposals).toEqual([]);
    expect(decision.notices?.map((n) => n.key)).toEqual(['hooli/executionsMonthly/warning/2026-12']);
    expect(decision.notes.join('\n')).toMatch(/Stripe unavailable .*left as they are/);
  });
});

describe('consistentUsage: executions only when counted over the period decided over', () => {
  const start = new Date('2026-11-15T10:00:00Z');
  const seconds = (iso: string) => Date.parse(iso) / 1000;
  it.each<[string, TenantUsage, TenantUsage, string | undefined]>([
    ['counted from the same start: kept', { executionsMonth: 900, periodStartSeconds: seconds('2026-11-15T10:00:00Z'), storageBytes: 5 }, { executionsMonth: 900, periodStartSeconds: seconds('2026-11-15T10:00:00Z'), storageBytes: 5 }, undefined],
    ['counted from the calendar month instead: left out, the rest kept', { executionsMonth: 900, periodStartSeconds: seconds('2026-11-01T00:00:00Z'), storageBytes: 5 }, { periodStartSeconds: seconds('2026-11-01T00:00:00Z'), storageBytes: 5 }, '2026-11-01T00:00:00.000Z'],
    ['a collector that does not say: taken at its word', { executionsMonth: 900 }, { executionsMonth: 900 }, undefined],
    ['no executions figure: nothing to check', { periodStartSeconds: seconds('2026-11-01T00:00:00Z') }, { periodStartSeconds: seconds('2026-11-01T00:00:00Z') }, undefined],
  ])('%s', (_name, usage, expected, countedFrom) => {
    const checked = consistentUsage(usage, start);
    expect(checked.usage).toEqual(expected);
    expect(checked.countedFrom?.toISOString()).toBe(countedFrom);
  });
});

describe('decideEnforcementRun: the collector counted over another period', () => {
  it("leaves out the executions of a tenant counted since another start than its Stripe period's, and says so", async () => {
    const subscriptions = async () => (await listSubscriptionsByCustomer(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: stripe.url }))).byCustomer;
    const calendar = Date.parse('2026-12-01T00:00:00Z') / 1000;

    // acme is billed from Nov 15th, but the collector (no period in its store yet) counted from Dec 1st.
    const decision = await decideEnforcementRun({
      platform, now, subscriptions,
      tenants: [tenant('acme', '{ stripeCustomerId: cus_Acme1 }'), tenant('hooli')],
      metrics: metrics({ acme: { executionsMonth: 1000, periodStartSeconds: calendar }, hooli: { executionsMonth: 850, periodStartSeconds: calendar } }),
    });

    expect(decision.proposals).toEqual([]);
    expect(decision.notices?.map((n) => n.key)).toEqual(['hooli/executionsMonthly/warning/2026-12']);
    expect(decision.notes.join('\n')).toContain('executions counted over another period than the one decided over, left out this run: acme (counted since 2026-12-01T00:00:00.000Z, its period began 2026-11-15T10:00:00.000Z)');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { createStripeClient, reportMeterEvent } from '../../edges/stripe/client.js';
import { shapeErrors, startStripeServer, type StripeServer } from './stripe-server.js';

// The official client against the local server: pagination, required
// parameters, idempotency, and every answer in Stripe's published shape.
let server: StripeServer;
let stripe: Stripe;

beforeAll(async () => {
  server = await startStripeServer();
  stripe = createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: server.url, maxNetworkRetries: 2 });
  for (let i = 0; i < 250; i += 1) {
    server.addCustomer(`cus_T${i}`);
    server.addSubscription({ id: `sub_T${i}`, customer: `cus_T${i}`, price: i % 2 ? 'price_Pro' : 'price_Starter', product: 'prod_Rp9', ...(i === 7 ? { status: 'canceled' as const } : {}) });
  }
  server.setEntitlements('cus_T1', ['executions-50k', 'dedicated']);
});
afterAll(async () => {
  await server?.close();
});

describe('local Stripe server', () => {
  it('lists every subscription through the client\'s auto-pagination, 100 a page, canceled ones left out by default', async () => {
    server.requests.clear();
    const ids: string[] = [];
    for await (const subscription of stripe.subscriptions.list({ limit: 100 })) ids.push(subscription.id);

    expect(ids).toHaveLength(249);
    expect(ids).not.toContain('sub_T7');
    expect(server.requests.get('GET /v1/subscriptions')).toBe(3);
    const first = (await stripe.subscriptions.list({ limit: 1 })).data[0]!;
    expect(first.items.data[0]!.price).toMatchObject({ id: 'price_Starter', product: 'prod_Rp9' });
    expect(server.contractErrors).toEqual([]);
  });

  it('lists customers and active entitlements; entitlements need a customer', async () => {
    expect((await stripe.customers.list({ limit: 100 })).data).toHaveLength(100);
    const entitlements = await stripe.entitlements.activeEntitlements.list({ customer: 'cus_T1' });
    expect(entitlements.data.map((e) => e.lookup_key)).toEqual(['executions-50k', 'dedicated']);
    await expect(stripe.entitlements.activeEntitlements.list({} as { customer: string })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'customer' });
    await expect(stripe.subscriptions.list({ limit: 101 })).rejects.toMatchObject({ param: 'limit' });
    expect(server.contractErrors).toEqual([]);
  });

  it("lists a product's entitlement features with pagination, in the published shape; an unknown product is 404", async () => {
    server.setProductFeatures('prod_Rp9', Array.from({ length: 12 }, (_, i) => `rp9-feature-${i}`));
    server.requests.clear();
    const keys: string[] = [];
    for await (const feature of stripe.products.listFeatures('prod_Rp9', { limit: 5 })) keys.push(feature.entitlement_feature.lookup_key);

    expect(keys).toEqual(Array.from({ length: 12 }, (_, i) => `rp9-feature-${i}`));
    expect(server.requests.get('GET /v1/products/prod_Rp9/features')).toBe(3);
    await expect(stripe.products.listFeatures('prod_Nowhere')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404 });
    expect(server.contractErrors).toEqual([]);
  });

  it('records a meter event once when its response is lost and the client retries with the same key', async () => {
    const before = server.meterEvents().length;
    server.loseNextMeterResponse();

    await reportMeterEvent(stripe, { eventName: 'rp9_executions_overage', customer: 'cus_T1', value: 42, identifier: 'acme:executionsMonthly:2026-03-10T12', timestamp: new Date('2026-03-10T12:00:00Z') });
    // A later run with the same identifier (another idempotency key would be refused too).
    await reportMeterEvent(stripe, { eventName: 'rp9_executions_overage', customer: 'cus_T1', value: 42, identifier: 'acme:executionsMonthly:2026-03-10T12', timestamp: new Date('2026-03-10T12:00:00Z') });

    const events = server.meterEvents().slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ object: 'billing.meter_event', event_name: 'rp9_executions_overage', identifier: 'acme:executionsMonthly:2026-03-10T12', payload: { stripe_customer_id: 'cus_T1', value: '42' } });
    await expect(stripe.billing.meterEvents.create({ event_name: 'x', payload: { stripe_customer_id: 'cus_T1', value: '1' }, identifier: 'acme:executionsMonthly:2026-03-10T12' }, { idempotencyKey: 'another' })).rejects.toMatchObject({ param: 'identifier' });
    expect(server.contractErrors).toEqual([]);
  });

  it('answers 500 while down; the client\'s retries get through', async () => {
    server.failNext(1);
    expect((await stripe.customers.list({ limit: 1 })).data).toHaveLength(1);
    server.failNext(5);
    await expect(createStripeClient({ apiKey: 'sk_test_rp9', apiUrl: server.url, maxNetworkRetries: 0 }).customers.list({ limit: 1 })).rejects.toMatchObject({ statusCode: 500 });
    server.failNext(0);
  });

  it('refuses a wrong key', async () => {
    await expect(createStripeClient({ apiKey: 'sk_test_other', apiUrl: server.url }).customers.list()).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('shapeErrors (the check against the published fixture)', () => {
  it.each([
    ['a missing key', { id: 'x' }, { id: 'a', object: 'b' }, ['$.object: missing']],
    ['an extra key', { id: 'x', extra: 1 }, { id: 'a' }, ['$.extra: not in Stripe\'s published shape']],
    ['a wrong type', { id: 1 }, { id: 'a' }, ['$.id: expected string, got number']],
    ['nested in a list', { data: [{ id: 1 }] }, { data: [{ id: 'a' }] }, ['$.data[0].id: expected string, got number']],
    ['null where the fixture has a value', { id: null }, { id: 'a' }, []],
    ['free-form metadata', { metadata: { anything: 'x' } }, { metadata: {} }, []],
  ])('%s', (_name, value, fixture, errors) => {
    expect(shapeErrors(value, fixture)).toEqual(errors);
  });
});

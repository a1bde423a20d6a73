import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { createStripeClient } from '../../edges/stripe/client.js';
import { openStore, type Store } from '../store/store.js';
import { handleStripeWebhook, type StripeWebhookDeps } from './stripe-webhook.js';

// Signed payloads come from the official client's generateTestHeaderString;
// the event ids are kept in a real store on the harness PostgreSQL.
const stripe = createStripeClient({ apiKey: 'sk_test_rp9' });
const SECRET = 'whsec_rp9test';
const scratch = scratchDatabases(inject('postgresUrl'), 'rp9_stripe_hook_test');
let url = '';
let store: Store;

beforeAll(async () => {
  url = await scratch.create();
  store = await openStore({ databaseUrl: url, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
  await scratch.dropAll();
});

const deps = (on: Store = store): StripeWebhookDeps => ({
  stripe,
  secret: SECRET,
  toleranceSeconds: 300,
  accept: (id, type) => on.deliveries.acceptStripeEvent(id, type),
  plans: { price_Pro01: 'pro', prod_Enterprise: 'enterprise' },
  features: { 'rp9-plan-pro': 'pro' },
  tenantOf: (customer) => ({ cus_Acme01: 'acme' } as Record<string, string>)[customer],
});

let seq = 0;
function event(type: string, object: Record<string, unknown>): { id: string; payload: string } {
  seq += 1;
  const id = `evt_test${seq}${Date.now()}`;
  return { id, payload: JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object } }) };
}
function subscription(price: string, product = 'prod_Other'): Record<string, unknown> {
  return { id: 'sub_Acme01', object: 'subscription', customer: 'cus_Acme01', items: { object: 'list', data: [{ id: 'si_1', price: { id: price, product } }] } };
}
function signed(payload: string, options: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  return { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) }) };
}

describe('POST /hooks/stripe core', () => {
  it('maps a subscription\'s price to its plan', async () => {
    const { id, payload } = event('customer.subscription.updated', subscription('price_Pro01'));

    const result = await handleStripeWebhook(payload, signed(payload), deps());

    expect(result).toEqual({ status: 200, body: { ok: true, event: id }, outcome: { kind: 'plan', tenant: 'acme', plan: 'pro', subscription: 'sub_Acme01' } });
  });

  it('maps by product when the price is not listed', async () => {
    const { payload } = event('customer.subscription.created', subscription('price_New', 'prod_Enterprise'));

    expect((await handleStripeWebhook(payload, signed(payload), deps())).outcome).toMatchObject({ kind: 'plan', plan: 'enterprise' });
  });

  it.each([
    ['forged (another secret)', (payload: string) => signed(payload, { secret: 'whsec_attacker' })],
    ['stale (signed 10 minutes ago, tolerance 5)', (payload: string) => signed(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })],
    ['unsigned', () => ({})],
  ])('refuses a %s payload with 401 and records nothing', async (_name, headers) => {
    const { id, payload } = event('customer.subscription.updated', subscription('price_Pro01'));

    const result = await handleStripeWebhook(payload, headers(payload), deps());

    expect(result.status).toBe(401);
    expect(result.body.code).toMatch(/^stripe\.signature-(invalid|missing)$/);
    expect(result.outcome).toBeUndefined();
    // Not recorded: the genuine delivery of the same id still goes through.
    expect((await handleStripeWebhook(payload, signed(payload), deps())).body).toEqual({ ok: true, event: id });
  });

  it('refuses a replay with 409, also from another store instance (a restart or another replica)', async () => {
    const { id, payload } = event('customer.subscription.updated', subscription('price_Pro01'));
    const other = await openStore({ databaseUrl: url, notify: () => undefined });
    try {
      expect((await handleStripeWebhook(payload, signed(payload), deps())).status).toBe(200);
      const replay = await handleStripeWebhook(payload, signed(payload), deps());
      const elsewhere = await handleStripeWebhook(payload, signed(payload), deps(other));

      expect(replay).toEqual({ status: 409, body: { ok: false, code: 'stripe.replayed', message: `event ${id} was received before`, event: id } });
      expect(elsewhere.status).toBe(409);
    } finally {
      await other.close();
    }
  });

  it('an unknown price is a warning and no change', async () => {
    const { payload } = event('customer.subscription.updated', subscription('price_Mystery'));

    const result = await handleStripeWebhook(payload, signed(payload), deps());

    expect(result.status).toBe(200);
    expect(result.outcome?.kind).toBe('ignored');
    expect(result.warning).toEqual({ code: 'stripe.unknown-price', message: expect.stringContaining('price_Mystery') });
  });

  it('an unknown customer is a warning and no change', async () => {
    const { payload } = event('customer.subscription.updated', { ...subscription('price_Pro01'), customer: 'cus_Nobody' });

    expect((await handleStripeWebhook(payload, signed(payload), deps())).warning?.code).toBe('stripe.unknown-customer');
  });

  it.each([
    ['customer.subscription.deleted', { id: 'sub_Acme01', customer: 'cus_Acme01' }, { kind: 'subscription-ended', tenant: 'acme', subscription: 'sub_Acme01' }],
    ['invoice.payment_failed', { id: 'in_1', customer: 'cus_Acme01' }, { kind: 'payment-failed', tenant: 'acme', invoice: 'in_1' }],
    ['entitlements.active_entitlement_summary.updated', { customer: 'cus_Acme01', entitlements: { data: [{ lookup_key: 'executions-50k' }] } }, { kind: 'entitlements', tenant: 'acme', features: ['executions-50k'] }],
    ['entitlements.active_entitlement_summary.updated', { customer: 'cus_Acme01', entitlements: { data: [{ lookup_key: 'sso' }, { lookup_key: 'rp9-plan-pro' }] } }, { kind: 'entitlements', tenant: 'acme', features: ['sso', 'rp9-plan-pro'], plan: 'pro' }],
    ['charge.succeeded', { id: 'ch_1', customer: 'cus_Acme01' }, { kind: 'ignored', reason: 'event type charge.succeeded is not used' }],
  ])('%s', async (type, object, outcome) => {
    const { payload } = event(type, object);

    expect((await handleStripeWebhook(payload, signed(payload), deps())).outcome).toEqual(outcome);
  });
});

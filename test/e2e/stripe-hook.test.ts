// POST /hooks/stripe on the controller's HTTP server, wired as the controller
// wires it: signed payloads from the official client's
// generateTestHeaderString, event ids in a real store (harness PostgreSQL),
// the config in force read from the GitHub contract server, and the
// stripe-sync PR opened there.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRemoteGitBase } from '../../bots/sources/git-base-remote.js';
import { call, closeServers, start } from '../../controller/http/test-support.js';
import { createStripeHook } from '../../controller/runtime/stripe-hook.js';
import { openStore, type Store } from '../../controller/store/store.js';
import { createStripeClient } from '../../edges/stripe/client.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { scratchDatabases } from '../harness/scratch-databases.js';
import { FULL_NAME, platformYaml, startConfigStack, type ConfigStack } from './bots-support.js';

const SECRET = 'whsec_rp9hook';
const stripe = createStripeClient({ apiKey: 'sk_test_rp9' });
const scratch = scratchDatabases(inject('postgresUrl'), 'rp9_stripe_hook_e2e');
let store: Store;
let stack: ConfigStack;
let port = 0;

function tenant(name: string, plan: string, customer: string): string {
  return ['apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${name}`, `  email: ops@${name}.example`, 'spec:', `  plan: ${plan}`, '  mode: shared', '  region: us-east', `  subdomain: ${name}`, `  billing: { stripeCustomerId: ${customer} }`, ''].join('\n');
}

let seq = 0;
function subscriptionEvent(customer: string, price: string, period?: { start: string; end: string }): { id: string; payload: string } {
  seq += 1;
  const id = `evt_hook${seq}${Date.now()}`;
  const fields = period ? { current_period_start: Date.parse(period.start) / 1000, current_period_end: Date.parse(period.end) / 1000 } : {};
  const object = { id: `sub_${customer.slice(4)}`, object: 'subscription', customer, status: 'active', created: 1_767_225_600, items: { object: 'list', data: [{ id: 'si_1', price: { id: price, product: 'prod_X' }, ...fields }] } };
  return { id, payload: JSON.stringify({ id, object: 'event', type: 'customer.subscription.updated', api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object } }) };
}
function post(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) });
  return call(port, '/hooks/stripe', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
}
const pullCount = () => stack.gh.state.repo(FULL_NAME).pulls.size;

beforeAll(async () => {
  store = await openStore({ databaseUrl: await scratch.create(), notify: () => undefined });
  stack = await startConfigStack({ 'platform.yaml': platformYaml(), 'tenants/acme.yaml': tenant('acme', 'starter', 'cus_Acme'), 'tenants/hooli.yaml': tenant('hooli', 'starter', 'cus_Hooli') });
  const { base } = await readRemoteGitBase({ url: stack.gitUrl, branch: 'main', token: 'test-token', cacheDir: stack.gitCacheDir });
  const good = { commit: base.sha, platform: base.config.platform!, config: base.config };
  const hook = createStripeHook({ stripe, secret: SECRET, store, config: () => good, files: async () => base.files, forge: stack.forge, baseBranch: 'main', logger: silentLogger() });
  port = (await start({ stripeWebhook: hook })).port;
}, 60_000);
afterEach(async () => undefined);
afterAll(async () => {
  await closeServers();
  await stack?.stop();
  await store?.close();
  await scratch.dropAll();
});

describe('POST /hooks/stripe', () => {
  it('refuses forged and stale payloads with 401 and a replay with 409; nothing changes', async () => {
    const forged = subscriptionEvent('cus_Acme', 'price_ProMonthly');
    expect((await post(forged.payload, { secret: 'whsec_attacker' })).status).toBe(401);
    const stale = subscriptionEvent('cus_Acme', 'price_ProMonthly');
    expect((await post(stale.payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(pullCount()).toBe(0);

    const unknown = subscriptionEvent('cus_Hooli', 'price_Mystery');
    const first = await post(unknown.payload);
    expect(first.status).toBe(200);
    const replay = await post(unknown.payload);
    expect([replay.status, JSON.parse(replay.body).code]).toEqual([409, 'stripe.replayed']);
    expect(pullCount()).toBe(0);
    const warnings = await store.events.recent({ limit: 10 });
    expect(warnings.map((e) => [e.type, e.reason])).toContainEqual(['Warning', 'StripeEventIgnored']);
  });

  it('a valid subscription event naming another plan opens the stripe-sync PR for that tenant', async () => {
    const event = subscriptionEvent('cus_Acme', 'price_ProMonthly');

    const reply = await post(event.payload);

    expect(reply.status).toBe(200);
    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls.map((p) => [p.headRef, p.state])).toEqual([['rp9/stripe-sync/acme', 'open']]);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, event: event.id, pullRequest: pulls[0]!.number });
    expect(stack.file('tenants/acme.yaml', 'rp9/stripe-sync/acme')).toContain('plan: pro');
    // The same event again changes nothing.
    expect((await post(event.payload)).status).toBe(409);
    expect(pullCount()).toBe(1);
  });

  it("records a tenant's subscription and its current period in the store (what the collector counts executions from); a forged one records nothing", async () => {
    const forged = subscriptionEvent('cus_Hooli', 'price_Mystery', { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' });
    expect((await post(forged.payload, { secret: 'whsec_attacker' })).status).toBe(401);
    const before = (await store.subscriptions.byCustomer()).get('cus_Hooli');

    const event = subscriptionEvent('cus_Hooli', 'price_StarterMonthly', { start: '2026-11-15T10:00:00Z', end: '2026-12-15T10:00:00Z' });
    expect((await post(event.payload)).status).toBe(200);

    expect(before?.some((s) => s.currentPeriod?.start.toISOString() === '2026-10-01T00:00:00.000Z') ?? false).toBe(false);
    expect((await store.subscriptions.byCustomer()).get('cus_Hooli')).toEqual([
      { id: 'sub_Hooli', customer: 'cus_Hooli', status: 'active', created: new Date(1_767_225_600_000), currentPeriod: { start: new Date('2026-11-15T10:00:00Z'), end: new Date('2026-12-15T10:00:00Z') } },
    ]);
  });
});

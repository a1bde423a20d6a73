import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import type { SubscriptionView } from '../stripe-sync/decide.js';
import { recordingSubscriptions, subscriptionsOfTenants, type RecordedSubscription } from './record-subscriptions.js';

const root = new URL('../../', import.meta.url);
const tenant = (name: string, customer?: string) => tenantFromYaml(tenantYaml(name, ['plan: pro', 'mode: shared', ...(customer ? [`billing: { stripeCustomerId: ${customer} }`] : [])]), schemasDirOf(root));
const period = { start: new Date('2026-11-15T00:00:00Z'), end: new Date('2026-12-15T00:00:00Z') };
const view = (id: string, customer: string, status: string, extra: Partial<SubscriptionView> = {}): SubscriptionView => ({ id, customer, status, items: [], ...extra });
const listing = new Map<string, SubscriptionView[]>([
  ['cus_A', [view('sub_1', 'cus_A', 'active', { currentPeriod: period, created: new Date('2026-01-01T00:00:00Z') }), view('sub_0', 'cus_A', 'canceled')]],
  ['cus_Stranger', [view('sub_9', 'cus_Stranger', 'active', { currentPeriod: period })]],
]);

describe('subscriptionsOfTenants', () => {
  it("keeps every subscription (all statuses) of the tenants' customers, no one else's", () => {
    expect(subscriptionsOfTenants([tenant('acme', 'cus_A'), tenant('hooli'), tenant('initech', 'cus_None')], listing)).toEqual([
      { id: 'sub_1', customer: 'cus_A', status: 'active', created: new Date('2026-01-01T00:00:00Z'), currentPeriod: period },
      { id: 'sub_0', customer: 'cus_A', status: 'canceled', created: new Date(0) },
    ]);
  });
});

describe('recordingSubscriptions', () => {
  it('hands the listing on after recording it, and still hands it on when the store fails', async () => {
    const written: RecordedSubscription[][] = [];
    const now = new Date('2026-12-06T01:00:00Z');
    const ok = recordingSubscriptions(async () => listing, { record: async (s) => { written.push([...s]); } }, () => [tenant('acme', 'cus_A')], () => now, silentLogger());
    const failing = recordingSubscriptions(async () => listing, { record: async () => { throw new Error('store down'); } }, () => [tenant('acme', 'cus_A')], () => now, silentLogger());

    expect(await ok()).toBe(listing);
    expect(await failing()).toBe(listing);
    expect(written.map((w) => w.map((s) => s.id))).toEqual([['sub_1', 'sub_0']]);
  });
});

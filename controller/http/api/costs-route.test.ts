// GET /analytics/costs over real HTTP, signed, on the repo's own config: 409
// without a price table, then the figures of the config in force once
// platform.yaml has one (acme worked out by hand).
import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { call } from '../test-support.js';
import { costReport } from './costs.js';
import { signed, type ApiServer, type ApiWorld, useApiSuite } from './test-support.js';

let world: ApiWorld;
let store: Store;
let api: ApiServer;
useApiSuite((suite) => ({ world, store, api } = suite));

async function costs(): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await signed('GET', '/analytics/costs', undefined, { role: 'viewer' });
  const reply = await call(api.port, r.path, { method: r.method, headers: r.headers });
  return { status: reply.status, json: JSON.parse(reply.body) as Record<string, unknown> };
}

describe('GET /analytics/costs', () => {
  it('answers 409 api.no-prices while platform.yaml has no spec.prices', async () => {
    const reply = await costs();
    expect([reply.status, reply.json.error]).toEqual([409, 'api.no-prices']);
  });

  it("answers the cost report of the config in force once it has prices", async () => {
    const prices = { currency: 'USD', hoursPerMonth: 730, plans: { pro: 4 }, coreHour: 0.01, memoryGbHour: 0.005, storageGbMonth: 0.1, sharedSeatMonthly: 2 };
    const good = world.good;
    const platform = { ...good.platform, spec: { ...good.platform.spec, prices } };
    world.good = { ...good, platform };
    try {
      const reply = await costs();

      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ ...costReport(good.config.tenants, platform, prices), commit: good.commit });
      const acme = (reply.json.tenants as { tenant: string; monthly: { total: number } }[]).find((t) => t.tenant === 'acme');
      // acme: dedicated pro, 2 cores and 2048 MB × (main + 2 workers), 20 GB: 43.8 + 21.9 + 2 + plan 4.
      expect(acme?.monthly.total).toBe(71.7);
      expect(reply.json.total_monthly_cost).toBeGreaterThan(0);
    } finally {
      world.good = good;
    }
  });
});

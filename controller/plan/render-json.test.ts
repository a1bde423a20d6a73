import { describe, expect, it } from 'vitest';
import { compileDesired } from '../compile/compile-desired.js';
import { createCompileContext } from '../compile/context.js';
import { examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { DesiredContainer, Plan } from '../model.js';
import { convergedObserved } from './fixtures.js';
import { plan } from './plan.js';
import { renderPlanJson } from './render-json.js';

const platform = examplePlatform();
const context = createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'pg', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' });
const shared = ['s1', 's2', 's3', 's4'].map((name) => loadedTenant(name, { mode: 'shared' }));
const desired = { ...compileDesired(platform, [loadedTenant('acme', { mode: 'dedicated' }), ...shared], context), commit: 'c0ffee' };
const observed = convergedObserved(compileDesired(platform, [loadedTenant('old', { mode: 'shared' }), ...shared], context));
const result = plan(desired, observed, { maxDeletionPercent: 25 });

describe('renderPlanJson', () => {
  it('writes plan, tenants and actions with the summary', () => {
    const json = JSON.parse(renderPlanJson(result));

    expect(json).toMatchObject({ apiVersion: 'rp9.io/v1', kind: 'Plan', environment: 'test', commit: 'c0ffee', refused: null, summary: result.summary });
    expect(json.tenants.map((t: { tenant: string; change: string }) => `${t.tenant}:${t.change}`)).toEqual(['acme:create', 'old:delete', 's1:noop', 's2:noop', 's3:noop', 's4:noop']);
    expect(json.tenants[0].actions[2]).toMatchObject({ op: 'create', kind: 'container', name: 'rp9-acme-main', reason: 'new tenant', downtime: false, changes: [], observed: null });
  });

  it('renders secret references as (secret), never their names or values', () => {
    const text = renderPlanJson(result);
    const main = JSON.parse(text).tenants[0].actions[2].desired;

    expect(main.env.DB_POSTGRESDB_PASSWORD).toBe('(secret)');
    expect(main.env.N8N_ENCRYPTION_KEY).toBe('(secret)');
    expect(text).not.toContain('"secret"');
  });

  it('is stable: the same plan built in another key order gives the same bytes', () => {
    const reordered: Plan = JSON.parse(JSON.stringify(result));
    const container = reordered.tenants[0]?.actions[2]?.desired as DesiredContainer;
    container.env = Object.fromEntries(Object.entries(container.env).reverse());
    container.labels = Object.fromEntries(Object.entries(container.labels).reverse());

    expect(renderPlanJson(reordered)).toBe(renderPlanJson(result));
    expect(renderPlanJson(result).endsWith('}\n')).toBe(true);
  });

  it('carries the refusal', () => {
    const refused = plan({ ...desired, tenants: [] }, observed, { maxDeletionPercent: 25 });

    expect(refused.refused).toBeDefined();

    expect(JSON.parse(renderPlanJson(refused)).refused).toEqual({ code: 'plan.mass-deletion', message: refused.refused?.message });
  });
});

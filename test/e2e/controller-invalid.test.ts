// End to end: a commit that fails validation is never applied. The last good
// commit stays in force, the bad commit gets a failure status naming file:line
// and the error code, and the tenant whose file is wrong says ValidationFailed.
// A fixed commit after it applies as usual. Shared tenants only.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { platformYaml, tenantFile, tenantYaml } from './support/config.js';
import { statusesOf } from './support/github-mirror.js';
import { get } from './support/http.js';
import { routeWithHost } from './support/routes.js';
import { until } from './support/wait.js';
import { createWorld, REPOSITORY, type ControllerHandle, type World } from './support/world.js';

let world: World;
let controller: ControllerHandle;
let good: string;

function finalStatus(commit: string) {
  return until(`a final status on ${commit.slice(0, 12)}`, () => statusesOf(world.github!, REPOSITORY, commit).find((s) => s.state !== 'pending'), { timeoutMs: 15_000 });
}

beforeAll(async () => {
  world = await createWorld({
    id: 'iv',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    github: true,
    files: (environment) => ({
      'platform.yaml': platformYaml({ environment }),
      ...tenantFile({ name: 'iv-a', mode: 'shared' }),
      ...tenantFile({ name: 'iv-b', mode: 'shared' }),
    }),
  });
  good = world.repo.head;
  controller = await world.startController({ intervalSeconds: 1 });
  await finalStatus(good);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('an invalid commit', () => {
  it('is not applied: failure status with file:line and code, tenant ValidationFailed, last good commit kept', async () => {
    const invalidA = tenantYaml({ name: 'iv-a', mode: 'shared' }).replace('plan: starter', 'plan: gold');
    expect(invalidA.split('\n')[6]).toBe('  plan: gold');

    const bad = await world.push({ 'tenants/iv-a.yaml': invalidA, ...tenantFile({ name: 'iv-b', mode: 'shared', subdomain: 'iv-b-not-yet' }) }, 'iv-a: unknown plan');
    const status = await finalStatus(bad);
    const tenant = await until('iv-a ValidationFailed', async () => {
      const current = await controller.store.status.get('iv-a');
      return current?.conditions.find((c) => c.type === 'Ready' && c.reason === 'ValidationFailed') ? current : undefined;
    }, { timeoutMs: 10_000 });
    // The store is written during the pass; the loop records its result a moment after it ends.
    const result = await until('a pass result naming the invalid commit', () => {
      const last = controller.loop.lastResult();
      return last?.invalidCommit === bad ? last : undefined;
    }, { timeoutMs: 10_000 });

    expect(status).toEqual({ state: 'failure', context: `rp9/${world.environment}`, description: '1 config error(s): tenants/iv-a.yaml:7 tenant.plan-unknown' });
    expect(tenant.observedCommit).toBe(bad);
    expect(tenant.appliedCommit).toBe(good);
    expect(tenant.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: expect.stringMatching(/^tenants\/iv-a\.yaml:7:\d+ tenant\.plan-unknown: /) });
    expect(result).toMatchObject({ commit: good, invalidCommit: bad });
    expect(await routeWithHost(world.routesDir, 'iv-b', `iv-b.${world.environment}.test`)).toBeDefined();
    expect((await controller.store.status.get('iv-b'))?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const page = (await get(`${controller.url}/`)).text;
    expect(page).toContain(`Last valid commit read <code title="${good}">`);
    expect(page).toContain('<p>1 of 2 tenants applied at this commit · <span class="no">1 failing</span></p>');
    expect(page).toContain(`Newer commit <code title="${bad}">${bad.slice(0, 12)}</code> failed validation and is not applied.`);
  });

  it('a fixed commit after it is applied and the tenant is Ready again', async () => {
    const fixed = await world.push(tenantFile({ name: 'iv-a', mode: 'shared' }), 'iv-a: back to starter');

    const status = await finalStatus(fixed);
    await until('iv-b routed at its new subdomain', () => routeWithHost(world.routesDir, 'iv-b', `iv-b-not-yet.${world.environment}.test`), { timeoutMs: 10_000 });
    const tenant = await until('iv-a Ready at the fixed commit', async () => {
      const current = await controller.store.status.get('iv-a');
      return current?.appliedCommit === fixed ? current : undefined;
    }, { timeoutMs: 10_000 });

    expect(status).toEqual({ state: 'success', context: `rp9/${world.environment}`, description: 'applied 2/2 tenants' });
    expect(tenant.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ReconciliationSucceeded' });
  });
});

// End to end: two controllers on one state database. One leads, the other
// stands by (/readyz says which); when the leader dies without releasing its
// lease, the standby takes over once the lease expires and applies what was
// pushed meanwhile. Short lease (6 s, renewed every 1 s); shared tenants only.
// In-process (`stop({ releaseLease: false })`); controller-failover-kill.test.ts
// kills a real controller process with SIGKILL.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { platformYaml, tenantFile } from './support/config.js';
import { getJson } from './support/http.js';
import { routeWithHost } from './support/routes.js';
import { until } from './support/wait.js';
import { createWorld, type ControllerHandle, type World } from './support/world.js';

// Short enough for a quick takeover, long enough that a loaded CI machine never loses a live leader's lease.
const LEASE = { RP9_LEASE_TTL_SECONDS: '6', RP9_LEASE_RENEW_SECONDS: '1' };

interface Readyz {
  ready: boolean;
  role: string;
}

/** The lease holder id a controller logged at start. */
function holderOf(controller: ControllerHandle): string | undefined {
  return controller.logs.map((line) => JSON.parse(line) as { msg: string; holder?: string }).find((line) => line.msg === 'controller started')?.holder;
}

function readyz(controller: ControllerHandle) {
  return getJson<Readyz>(`${controller.url}/readyz`);
}

let world: World;
let first: ControllerHandle;
let second: ControllerHandle;

beforeAll(async () => {
  world = await createWorld({
    id: 'fo',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    files: (environment) => ({ 'platform.yaml': platformYaml({ environment }), ...tenantFile({ name: 'fo-a', mode: 'shared' }) }),
  });
  first = await world.startController({ intervalSeconds: 3600, env: LEASE });
  await until('the first controller to lead', async () => (await readyz(first)).body.role === 'leader', { timeoutMs: 10_000 });
  second = await world.startController({ intervalSeconds: 3600, env: LEASE });
  await until('the second controller to stand by', async () => (await readyz(second)).body.role === 'standby', { timeoutMs: 10_000 });
  await until('fo-a routed', () => routeWithHost(world.routesDir, 'fo-a', `fo-a.${world.environment}.test`), { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('leader election between two controllers', () => {
  it('/readyz reports one leader and one standby, both ready', async () => {
    const [leader, standby] = await Promise.all([readyz(first), readyz(second)]);

    expect(leader).toEqual({ status: 200, body: expect.objectContaining({ ready: true, role: 'leader' }) });
    expect(standby).toEqual({ status: 200, body: expect.objectContaining({ ready: true, role: 'standby' }) });
    expect(second.loop.lastResult()).toBeUndefined();
  });

  it('the standby takes over from a leader that died holding the lease, and applies a later push', async () => {
    await first.stop({ releaseLease: false });
    const held = await second.store.lease.get('controller');
    const commit = await world.push(tenantFile({ name: 'fo-a', mode: 'shared', subdomain: 'fo-a-after-failover' }), 'fo-a: new subdomain');

    await until('the standby to lead', async () => (await readyz(second)).body.role === 'leader', { timeoutMs: 20_000 });
    const route = await until('fo-a routed at its new subdomain', () => routeWithHost(world.routesDir, 'fo-a', `fo-a-after-failover.${world.environment}.test`), { timeoutMs: 10_000 });
    // The route is written during the pass; the loop records the pass's result a moment after it ends.
    const result = await until('the new leader\'s pass to be recorded', () => second.loop.lastResult(), { timeoutMs: 10_000 });

    expect(route).toContain('rp9-fo-a');
    expect(result).toMatchObject({ commit, kind: 'applied' });
    expect(held?.holder).toBe(holderOf(first));
    expect((await second.store.lease.get('controller'))?.holder).toBe(holderOf(second));
  });
});

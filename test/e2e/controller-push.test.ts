// End to end: a push to the config repo reaches the platform, by the reconcile
// interval and, with a long interval, at once on a signed GitHub push webhook;
// each commit gets pending then success statuses on the GitHub contract server.
// Shared tenants only (route changes): no containers needed.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { platformYaml, tenantFile } from './support/config.js';
import { statusesOf } from './support/github-mirror.js';
import { postPush } from './support/http.js';
import { routeWithHost } from './support/routes.js';
import { nothingFor, until } from './support/wait.js';
import { createWorld, REPOSITORY, WEBHOOK_SECRET, type ControllerHandle, type World } from './support/world.js';

function configFor(prefix: string) {
  return (environment: string) => ({
    'platform.yaml': platformYaml({ environment }),
    ...tenantFile({ name: `${prefix}-a`, mode: 'shared' }),
    ...tenantFile({ name: `${prefix}-b`, mode: 'shared' }),
  });
}

/** The link each status on `commit` carries, oldest first. */
function targetUrls(world: World, commit: string): (string | null)[] {
  return world.github!.state.repo(REPOSITORY).statuses.filter((s) => s.sha === commit).map((s) => s.targetUrl);
}

async function successOn(world: World, commit: string) {
  return until(`success status on ${commit.slice(0, 12)}`, () => {
    const statuses = statusesOf(world.github!, REPOSITORY, commit);
    return statuses.some((s) => s.state !== 'pending') ? statuses : undefined;
  }, { timeoutMs: 15_000 });
}

describe('a push applied by the reconcile interval', () => {
  let world: World;
  let controller: ControllerHandle;

  beforeAll(async () => {
    world = await createWorld({ id: 'pi', postgresUrl: inject('postgresUrl'), dockerSocket: inject('dockerSocket'), github: true, files: configFor('pi') });
    controller = await world.startController({ intervalSeconds: 1 });
    await successOn(world, world.repo.head);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('rewrites the route and posts pending then success on the commit', async () => {
    const commit = await world.push(tenantFile({ name: 'pi-a', mode: 'shared', subdomain: 'pi-a-renamed' }), 'pi-a: new subdomain');

    const route = await until('pi-a routed at its new subdomain', () => routeWithHost(world.routesDir, 'pi-a', `pi-a-renamed.${world.environment}.test`), { timeoutMs: 15_000 });
    const statuses = await successOn(world, commit);

    expect(route).not.toContain(`Host(\`pi-a.${world.environment}.test\`)`);
    expect(statuses).toEqual([
      { state: 'pending', context: `rp9/${world.environment}`, description: 'applying' },
      { state: 'success', context: `rp9/${world.environment}`, description: 'applied 2/2 tenants' },
    ]);
  });

  it('links each status to the status page at the listen address when RP9_PUBLIC_URL is unset', async () => {
    const links = targetUrls(world, world.repo.head);

    expect(controller.settings.publicUrl).toBeUndefined();
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links)).toEqual(new Set([`${controller.url}/`]));
    expect(controller.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });
});

describe('a push applied at once on the GitHub push webhook', () => {
  let world: World;
  let controller: ControllerHandle;

  beforeAll(async () => {
    world = await createWorld({ id: 'pw', postgresUrl: inject('postgresUrl'), dockerSocket: inject('dockerSocket'), github: true, files: configFor('pw') });
    // An hour: within this test only the webhook can start a pass.
    controller = await world.startController({ intervalSeconds: 3600, env: { RP9_PUBLIC_URL: 'https://rp9.example.test/' } });
    await successOn(world, world.repo.head);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('rejects a delivery with a bad signature and starts no pass', async () => {
    // The first pass posts its success status a moment before the loop records its result.
    const before = await until('the first pass to be recorded', () => controller.loop.lastResult(), { timeoutMs: 10_000 });
    const applied = before.commit;
    const commit = await world.push(tenantFile({ name: 'pw-b', mode: 'shared', subdomain: 'pw-b-unsigned' }), 'pw-b: new subdomain');

    const answer = await postPush(controller.url, 'not-the-secret', { after: commit });
    // A pass on the pushed commit posts 'pending' on it as it starts and records pw-b's new status and
    // event as it ends. Watch the GitHub server, the store and the loop for several times what the
    // first pass took: a pass the handler started (even later, off the request) shows up and fails.
    const quietMs = Math.min(12_000, Math.max(4_000, 4 * before.durationMs));
    await nothingFor('a reconcile pass after the unsigned push', async () => {
      const statuses = statusesOf(world.github!, REPOSITORY, commit);
      if (statuses.length > 0) return `statuses on ${commit.slice(0, 12)}: ${JSON.stringify(statuses)}`;
      const events = (await controller.store.events.recent({ limit: 1000 })).filter((e) => e.commit === commit);
      if (events.length > 0) return `events on ${commit.slice(0, 12)}: ${events.map((e) => `${e.tenant} ${e.reason}`).join(', ')}`;
      if (controller.loop.lastResult() !== before) return `a pass finished: ${controller.loop.lastResult()?.kind}`;
      return undefined;
    }, { forMs: quietMs });
    const status = await controller.store.status.get('pw-b');

    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'webhook.bad-signature' });
    expect(applied).toMatch(/^[0-9a-f]{40}$/);
    expect(applied).not.toBe(commit);
    expect(status).toMatchObject({ appliedCommit: applied, observedCommit: applied });
    expect(controller.loop.queueDepth()).toBe(0);
    expect(await routeWithHost(world.routesDir, 'pw-b', `pw-b.${world.environment}.test`)).toBeDefined();
  });

  it('applies the pushed commit when a signed push arrives', async () => {
    const commit = await world.push(tenantFile({ name: 'pw-a', mode: 'shared', subdomain: 'pw-a-hooked' }), 'pw-a: new subdomain');

    const answer = await postPush(controller.url, WEBHOOK_SECRET, { after: commit });
    const route = await until('pw-a routed at its new subdomain', () => routeWithHost(world.routesDir, 'pw-a', `pw-a-hooked.${world.environment}.test`), { timeoutMs: 10_000 });
    const statuses = await successOn(world, commit);

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ result: 'queued', after: commit });
    expect(route).toContain('http://n8n-shared:5678');
    expect(statuses).toEqual([
      { state: 'pending', context: `rp9/${world.environment}`, description: 'applying' },
      { state: 'success', context: `rp9/${world.environment}`, description: 'applied 2/2 tenants' },
    ]);
    expect(controller.logs.some((line) => line.includes('"push received"') && line.includes(commit))).toBe(true);
    expect(new Set(targetUrls(world, commit))).toEqual(new Set(['https://rp9.example.test/']));
  });
});

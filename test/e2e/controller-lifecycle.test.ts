// End to end, with the real edges (test dockerd, PostgreSQL, route files) and
// the tiny n8n stand-in image: what a push to a dedicated tenant's file does
// to its containers, database, volume and route. Each test changes only its
// own tenant; one controller (2 s interval) serves the whole file.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryBytes, nanoCpus } from '../../controller/docker/container-spec.js';
import { leaveContainerDead } from '../../controller/docker/test-support.js';
import { runCli } from './support/cli.js';
import { platformYaml, tenantFile, type TenantInput } from './support/config.js';
import { tenantContainers, volumeExists } from './support/docker.js';
import { readRoute } from './support/routes.js';
import { nothingFor, until } from './support/wait.js';
import { createWorld, type ControllerHandle, type World } from './support/world.js';

const TENANTS: Record<string, TenantInput> = {
  res: { name: 'lc-res' },
  work: { name: 'lc-work' },
  susp: { name: 'lc-susp' },
  gone: { name: 'lc-gone' },
  drift: { name: 'lc-drift' },
  dead: { name: 'lc-dead' },
  // Its own window: every day 22:00–23:00 UTC, read against the test's clock (windowClock).
  win: { name: 'lc-win', maintenanceWindows: '[{ weekdays: [0, 1, 2, 3, 4, 5, 6], startHourUtc: 22, durationHours: 1 }]' },
};

/** The clock the controller reads maintenance windows against: Sunday noon until a test moves it. */
let windowClock = new Date('2026-12-06T12:00:00Z');

let world: World;
let controller: ControllerHandle;

function routeFile(tenant: string): Promise<string | undefined> {
  return readRoute(world.routesDir, tenant);
}

async function running(tenant: string) {
  return (await tenantContainers(world.docker, world.environment, tenant)).filter((c) => c.state === 'running');
}

/** Waits until the store says `tenant` is Ready at `commit`. */
async function appliedAt(tenant: string, commit: string, timeoutMs = 40_000) {
  return until(`${tenant} applied at ${commit.slice(0, 12)}`, async () => {
    const status = await controller.store.status.get(tenant);
    const ready = status?.conditions.find((c) => c.type === 'Ready');
    return status?.appliedCommit === commit && ready?.status === 'True' ? status : undefined;
  }, { timeoutMs, intervalMs: 200 });
}

beforeAll(async () => {
  world = await createWorld({
    id: 'lc',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    images: ['rp9/n8n:1.123.4'],
    files: (environment) => Object.assign({ 'platform.yaml': platformYaml({ environment }) }, ...Object.values(TENANTS).map(tenantFile)),
  });
  controller = await world.startController({ intervalSeconds: 2, settings: { concurrency: 8 }, now: () => windowClock });
  for (const tenant of Object.values(TENANTS)) await appliedAt(tenant.name, world.repo.head, 90_000);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe('controller end to end: dedicated tenants', () => {
  it('provisions each tenant: main and worker running, database, volume and route', async () => {
    const containers = await running('lc-res');
    const databases = await world.query<{ datname: string }>('select datname from pg_database where datname = $1', ['rp9_lc_res']);

    expect(containers.map((c) => c.name)).toEqual(['rp9-lc-res-main', 'rp9-lc-res-worker-1']);
    expect(databases).toHaveLength(1);
    expect(await volumeExists(world.docker, 'rp9-lc-res-data')).toBe(true);
    expect(await routeFile('lc-res')).toContain('Host(`lc-res.');
  });

  it('rp9 plan shows no changes after a converged apply (exit 0)', async () => {
    const stateDir = `${controller.settings.stateDir}-plan`;

    const run = await runCli(['plan', '--repo', world.repoUrl, '--routes-dir', world.routesDir, '--state-dir', stateDir, '--output', 'json'], world.env(), stateDir);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { commit: string; summary: Record<string, number> };
    expect(plan.commit).toBe(world.repo.head);
    expect(plan.summary).toMatchObject({ create: 0, update: 0, recreate: 0, delete: 0, unchanged: Object.keys(TENANTS).length * 5 });
  });

  it('applies a cpu/memory change in place: same container, new limits', async () => {
    const before = await running('lc-res');

    const commit = await world.push(tenantFile({ name: 'lc-res', cpu: 1, memoryMb: 256 }), 'lc-res: more resources');
    await appliedAt('lc-res', commit);

    const after = await running('lc-res');
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
    for (const container of after) {
      const info = await world.docker.getContainer(container.id).inspect();
      expect(info.HostConfig.NanoCpus).toBe(nanoCpus(1));
      expect(info.HostConfig.Memory).toBe(memoryBytes(256));
      expect(info.HostConfig.Init).toBe(true);
    }
  });

  it('adds and removes worker containers when workers changes', async () => {
    const main = (await running('lc-work')).find((c) => c.role === 'main');

    const up = await world.push(tenantFile({ name: 'lc-work', workers: 3 }), 'lc-work: 3 workers');
    await appliedAt('lc-work', up);
    const scaledUp = await running('lc-work');
    const down = await world.push(tenantFile({ name: 'lc-work', workers: 1 }), 'lc-work: 1 worker');
    await appliedAt('lc-work', down);
    const scaledDown = await tenantContainers(world.docker, world.environment, 'lc-work');

    expect(scaledUp.map((c) => c.name)).toEqual(['rp9-lc-work-main', 'rp9-lc-work-worker-1', 'rp9-lc-work-worker-2', 'rp9-lc-work-worker-3']);
    expect(scaledDown.map((c) => `${c.name} ${c.state}`)).toEqual(['rp9-lc-work-main running', 'rp9-lc-work-worker-1 running']);
    expect(scaledDown[0]?.id).toBe(main?.id);
  });

  it('suspension stops the containers, keeps volume and database, and points the route at the suspended page', async () => {
    const commit = await world.push(tenantFile({ name: 'lc-susp', suspended: true }), 'lc-susp: suspend');
    const status = await appliedAt('lc-susp', commit);

    const containers = await tenantContainers(world.docker, world.environment, 'lc-susp');
    const databases = await world.query('select 1 from pg_database where datname = $1', ['rp9_lc_susp']);
    expect(status.phase).toBe('suspended');
    expect(containers.map((c) => `${c.name} ${c.state}`)).toEqual(['rp9-lc-susp-main exited', 'rp9-lc-susp-worker-1 exited']);
    expect(await volumeExists(world.docker, 'rp9-lc-susp-data')).toBe(true);
    expect(databases).toHaveLength(1);
    const route = await routeFile('lc-susp');
    expect(route).toContain('http://rp9-suspended.test:9090');
    expect(route).not.toContain('rp9-lc-susp-main');
  });

  it('a tenant removed from git loses its containers and route but keeps its database and volume', async () => {
    await world.push({ 'tenants/lc-gone.yaml': null }, 'remove lc-gone');

    await until('lc-gone containers removed', async () => (await tenantContainers(world.docker, world.environment, 'lc-gone')).length === 0, { timeoutMs: 30_000, intervalMs: 200 });
    await until('lc-gone route removed', async () => (await routeFile('lc-gone')) === undefined, { timeoutMs: 10_000 });
    await until('lc-gone status removed', async () => (await controller.store.status.get('lc-gone')) === undefined, { timeoutMs: 10_000 });

    const databases = await world.query('select 1 from pg_database where datname = $1', ['rp9_lc_gone']);
    expect(databases).toHaveLength(1);
    expect(await volumeExists(world.docker, 'rp9-lc-gone-data')).toBe(true);
  });

  it('restores a container removed by hand', async () => {
    const before = (await running('lc-drift')).find((c) => c.role === 'main');
    expect(before).toBeDefined();

    await world.docker.getContainer(before!.id).remove({ force: true });

    const restored = await until('rp9-lc-drift-main restored and running', async () => {
      const main = (await running('lc-drift')).find((c) => c.role === 'main');
      return main && main.id !== before!.id ? main : undefined;
    }, { timeoutMs: 40_000, intervalMs: 200 });
    expect(restored.name).toBe('rp9-lc-drift-main');
    const info = await world.docker.getContainer(restored.id).inspect();
    expect(info.HostConfig.Init).toBe(true);
  });

  it('starts again a container stopped by hand (the same container)', async () => {
    const worker = (await running('lc-drift')).find((c) => c.role === 'worker');
    expect(worker).toBeDefined();

    await world.docker.getContainer(worker!.id).stop({ t: 1 });

    const restarted = await until('rp9-lc-drift-worker-1 running again', async () => (await running('lc-drift')).find((c) => c.id === worker!.id), { timeoutMs: 40_000, intervalMs: 200 });
    expect(restarted.name).toBe('rp9-lc-drift-worker-1');
  });

  it('replaces a container left dead by a failed removal (same spec: a forced recreate)', async () => {
    const before = (await running('lc-dead')).find((c) => c.role === 'main');
    expect(before).toBeDefined();

    const dead = await leaveContainerDead(world.docker, before!.id);

    expect(dead.status).toBe('dead');
    const replaced = await until('rp9-lc-dead-main replaced and running', async () => {
      const main = (await running('lc-dead')).find((c) => c.role === 'main');
      return main && main.id !== before!.id ? main : undefined;
    }, { timeoutMs: 40_000, intervalMs: 200 });
    expect(replaced.name).toBe('rp9-lc-dead-main');
    await appliedAt('lc-dead', world.repo.head);
    expect(controller.logs.some((line) => line.includes('"action":"recreate container rp9-lc-dead-main"') && line.includes('container is '))).toBe(true);
  }, 60_000);

  it('a downtime change merged outside the tenant\'s maintenance window waits, shows Pending, and applies when the window opens', async () => {
    const before = await running('lc-win');
    // A new subdomain recreates the running main (downtime): outside 22:00–23:00 it waits, whole.
    const commit = await world.push(tenantFile({ ...TENANTS.win!, subdomain: 'lc-win-new' }), 'lc-win: new subdomain');
    const waiting = await until('lc-win pending its window', async () => {
      const status = await controller.store.status.get('lc-win');
      const ready = status?.conditions.find((c) => c.type === 'Ready');
      return status?.observedCommit === commit && ready?.reason === 'MaintenanceWindow' ? ready : undefined;
    }, { timeoutMs: 40_000, intervalMs: 200 });
    expect(waiting.status).toBe('False');
    expect(waiting.message).toMatch(/^Pending \(window opens 2026-12-06 22:00 UTC\): recreate container rp9-lc-win-main/);
    // Passes go by (2 s interval): nothing of the change is applied, neither the recreate nor the route.
    await nothingFor('lc-win changed before its window', async () => {
      const now = await running('lc-win');
      if (now.map((c) => c.id).join() !== before.map((c) => c.id).join()) return `containers ${now.map((c) => c.name).join(', ')} replaced`;
      return (await routeFile('lc-win'))?.includes('lc-win-new.') ? 'the route has the new host' : undefined;
    }, { forMs: 6_000, intervalMs: 500 });
    const status = await runCli(['status', '--state-dir', controller.settings.stateDir], world.env(), controller.settings.stateDir);
    expect(status.stdout).toMatch(/lc-win\s+\S+\s+False\s+Pending \(window opens 2026-12-06 22:00 UTC\)/);

    windowClock = new Date('2026-12-06T22:10:00Z');
    await appliedAt('lc-win', commit);

    const after = await running('lc-win');
    expect(after.map((c) => c.name)).toEqual(['rp9-lc-win-main', 'rp9-lc-win-worker-1']);
    expect(after.find((c) => c.role === 'main')?.id).not.toBe(before.find((c) => c.role === 'main')?.id);
    expect(await routeFile('lc-win')).toContain('Host(`lc-win-new.');
  });
});

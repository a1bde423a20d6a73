// The Swarm runtime on a real two-node swarm (test/harness/swarm.ts): node A
// is the manager in us-east, node B a worker in eu-west. Each test runs the
// controller's pass: compile (runtime: swarm) → observe the manager → the
// same pure plan → applyPlan through the Swarm ports (real PostgreSQL for the
// tenant databases, a real route directory, the store's secrets).
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { startSwarm, type TestSwarm } from '../../test/harness/swarm.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { waitFor } from '../../test/harness/processes.js';
import { applyPlan, type ApplyReport } from '../apply/apply-plan.js';
import { compileDesired } from '../compile/compile-desired.js';
import { createCompileContext } from '../compile/context.js';
import { examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedService, ObservedState, Plan } from '../model.js';
import { observePlatform } from '../observe/observe-platform.js';
import { plan } from '../plan/plan.js';
import { createDatabaseAdmin } from '../postgres/tenant-databases.js';
import { reasonFromCode } from '../reconcile/tenant-status.js';
import { openStore, type Store } from '../store/index.js';
import { DEFAULT_TRAEFIK_OPTIONS } from '../traefik/types.js';
import { degradedServices } from './service-health.js';
import { createSwarmApplyPorts } from './swarm-ports.js';

const id = randomBytes(3).toString('hex');
const environment = `sw${id}`;
const base = examplePlatform();
const platform = {
  ...base,
  spec: { ...base.spec, environment, runtime: 'swarm' as const, regions: { ...base.spec.regions, 'ap-south': { geography: 'ap' } } },
};
const context = createCompileContext(platform, {
  redis: { host: 'redis', port: 6379 },
  postgres: { host: 'postgres', port: 5432 },
  suspendedUrl: 'http://rp9:8080/suspended',
  healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], intervalSeconds: 1, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 0 },
});
const databases = createDatabaseAdmin(inject('postgresUrl'));
let swarm: TestSwarm;
let store: Store;
let routesDir = '';
const made = new Set<string>();

const tenantName = (name: string): string => `sw${id}-${name}`;
function tenant(name: string, region: string, resources: { cpu?: number; memoryMb?: number; workers?: number } = {}, spec: Partial<LoadedTenant['tenant']['spec']> = {}): LoadedTenant {
  made.add(tenantName(name));
  return loadedTenant(tenantName(name), { mode: 'dedicated', plan: 'pro', region, resources: { cpu: 0.25, memoryMb: 64, workers: 1, ...resources }, ...spec });
}

async function observe(): Promise<ObservedState> {
  return observePlatform({ environment, docker: swarm.manager, routesDir, databases, runtime: 'swarm' });
}

/** One pass over `tenants` (the whole desired state): observe, plan, apply. */
async function pass(tenants: LoadedTenant[]): Promise<{ plan: Plan; report: ApplyReport }> {
  const desired = compileDesired(platform, tenants, context);
  const planned = plan(desired, await observe(), { maxDeletionPercent: 100 });
  const ports = createSwarmApplyPorts({
    environment, network: context.network, docker: swarm.manager, databases, routesDir, traefik: DEFAULT_TRAEFIK_OPTIONS,
    secrets: store.secrets, healthTimeoutMs: 30_000, convergeTimeoutMs: 60_000,
  });
  const report = await applyPlan(planned, ports, { concurrency: 2, retry: { attempts: 2, baseMs: 200, maxMs: 500 } });
  return { plan: planned, report };
}

/** The failed tenants' error messages: empty when the apply went through. */
function failures(report: ApplyReport): string[] {
  return report.tenants.filter((t) => t.outcome === 'failed').map((t) => `${t.tenant}: ${t.error?.code} ${t.error?.message}`);
}

function actions(result: Plan, name: string): string[] {
  const planned = result.tenants.find((t) => t.tenant === tenantName(name));
  return (planned?.actions ?? []).filter((a) => a.op !== 'retain').map((a) => `${a.op} ${a.kind} ${a.name.replace(`sw${id}-`, '').replace(`rp9-sw${id}-`, 'rp9-')}${a.changes.length > 0 ? ` [${a.changes.map((c) => c.field).join(',')}]` : ''}`);
}

async function services(name: string): Promise<ObservedService[]> {
  return (await observe()).resources.filter((r): r is ObservedService => r.kind === 'service' && r.tenant === tenantName(name));
}

/** Hostnames of the nodes the service's running tasks are on, sorted. */
async function taskNodes(service: string): Promise<string[]> {
  const nodes = (await swarm.manager.listNodes()) as { ID: string; Description: { Hostname: string } }[];
  const tasks = (await swarm.manager.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as { NodeID: string; Status: { State: string } }[];
  return tasks.filter((t) => t.Status.State === 'running').map((t) => nodes.find((n) => n.ID === t.NodeID)?.Description.Hostname ?? '?').sort();
}

async function inspectService(name: string): Promise<{ ID: string; Spec: { Labels: Record<string, string>; Mode: { Replicated: { Replicas: number } }; TaskTemplate: { ContainerSpec: { Env: string[] }; Resources: Record<string, { NanoCPUs: number; MemoryBytes: number }>; Placement: { Constraints: string[] } }; UpdateConfig: { Order: string }; EndpointSpec: { Mode: string } }; Version: { Index: number } }> {
  return (await swarm.manager.getService(name).inspect()) as never;
}

/** The service's one running container on `node`, once the rolled-out task's predecessor has stopped (start-first keeps it briefly). */
async function containerOn(node: Docker, service: string): Promise<Docker.ContainerInspectInfo> {
  let listed: Docker.ContainerInfo[] = [];
  await waitFor(`one running container of ${service}`, async () => {
    listed = await node.listContainers({ filters: { label: [`com.docker.swarm.service.name=${service}`] } });
    return listed.length === 1;
  }, 150, 200);
  return node.getContainer(listed[0]!.Id).inspect();
}

beforeAll(async () => {
  swarm = await startSwarm({ a: 'us-east', b: 'eu-west' });
  await ensureTestImage(swarm.manager, 'rp9/n8n:1.123.4');
  await swarm.shareImages(['rp9/n8n:1.123.4']);
  store = await openStore({ memory: true, notify: () => undefined });
  routesDir = await tempDir('rp9-swarm-routes-');
}, 180_000);

afterAll(async () => {
  await swarm?.stop();
  for (const name of made) await databases.drop({ database: `rp9_${name.replaceAll('-', '_')}`, role: `rp9_${name.replaceAll('-', '_')}` }).catch(() => undefined);
  await databases.close();
  await store?.close();
}, 120_000);

describe('Swarm runtime on a real two-node swarm', () => {
  it('places each tenant on the nodes of its region, with owner labels, dnsrr and start-first; a second pass plans nothing', async () => {
    const tenants = [tenant('east', 'us-east'), tenant('west', 'eu-west')];
    const first = await pass(tenants);

    expect(failures(first.report)).toEqual([]);
    expect(actions(first.plan, 'east')).toEqual(['create database rp9_' + `sw${id}_east`, 'create service rp9-east-main', 'create service rp9-east-worker', 'create route east']);
    expect(await taskNodes(`rp9-${tenantName('east')}-main`)).toEqual(['rp9-swarm-a']);
    expect(await taskNodes(`rp9-${tenantName('east')}-worker`)).toEqual(['rp9-swarm-a']);
    expect(await taskNodes(`rp9-${tenantName('west')}-main`)).toEqual(['rp9-swarm-b']);
    expect(await taskNodes(`rp9-${tenantName('west')}-worker`)).toEqual(['rp9-swarm-b']);
    const spec = (await inspectService(`rp9-${tenantName('west')}-main`)).Spec;
    expect(spec.Labels).toMatchObject({ 'rp9.io/managed-by': 'rp9', 'rp9.io/environment': environment, 'rp9.io/tenant': tenantName('west'), 'rp9.io/role': 'main' });
    expect(spec.TaskTemplate.Placement.Constraints).toEqual(['node.labels.rp9.io.region==eu-west']);
    expect([spec.EndpointSpec.Mode, spec.UpdateConfig.Order]).toEqual(['dnsrr', 'start-first']);

    const second = await pass(tenants);
    expect(second.plan.tenants.map((t) => t.change)).toEqual(['noop', 'noop']);
    expect(degradedServices((await observe()).resources)).toEqual([]);
  }, 180_000);

  it('scales workers by a replica change of the same service', async () => {
    const before = await inspectService(`rp9-${tenantName('west')}-worker`);
    const result = await pass([tenant('east', 'us-east'), tenant('west', 'eu-west', { workers: 3 })]);

    expect(failures(result.report)).toEqual([]);
    expect(actions(result.plan, 'west')).toEqual(['update service rp9-west-worker [replicas]']);
    const after = await inspectService(`rp9-${tenantName('west')}-worker`);
    expect(after.ID).toBe(before.ID);
    expect(after.Spec.Mode.Replicated.Replicas).toBe(3);
    expect(await taskNodes(`rp9-${tenantName('west')}-worker`)).toEqual(['rp9-swarm-b', 'rp9-swarm-b', 'rp9-swarm-b']);
  }, 180_000);

  it('changes limits and reservations in place, down to the containers', async () => {
    const result = await pass([tenant('east', 'us-east', { cpu: 0.5, memoryMb: 96 }), tenant('west', 'eu-west', { workers: 3 })]);

    expect(failures(result.report)).toEqual([]);
    expect(actions(result.plan, 'east')).toEqual(['update service rp9-east-main [cpu,memoryMb]', 'update service rp9-east-worker [cpu,memoryMb]']);
    const spec = (await inspectService(`rp9-${tenantName('east')}-main`)).Spec;
    expect(spec.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 500_000_000, MemoryBytes: 96 * 1024 * 1024 }, Reservations: { NanoCPUs: 500_000_000, MemoryBytes: 96 * 1024 * 1024 } });
    const container = await containerOn(swarm.nodes.a.docker, `rp9-${tenantName('east')}-main`);
    expect([container.HostConfig.NanoCpus, container.HostConfig.Memory]).toEqual([500_000_000, 96 * 1024 * 1024]);
  }, 180_000);

  it('repairs a service spec changed outside rp9', async () => {
    const tenants = [tenant('east', 'us-east', { cpu: 0.5, memoryMb: 96 }), tenant('west', 'eu-west', { workers: 3 })];
    const name = `rp9-${tenantName('east')}-worker`;
    const current = await inspectService(name);
    const edited = structuredClone(current.Spec);
    edited.TaskTemplate.ContainerSpec.Env = [...edited.TaskTemplate.ContainerSpec.Env, 'EDITED_BY_HAND=1'];
    await swarm.manager.getService(current.ID).update({ _query: { version: current.Version.Index }, _body: edited } as never);

    const drifted = (await services('east')).find((s) => s.name === name);
    expect(drifted?.drifted).toBe(true);
    const result = await pass(tenants);
    expect(failures(result.report)).toEqual([]);
    expect(actions(result.plan, 'east')).toEqual(['update service rp9-east-worker [spec]']);
    expect(result.plan.tenants.find((t) => t.tenant === tenantName('east'))?.actions[0]?.reason).toBe('service spec changed outside rp9');
    expect((await inspectService(name)).Spec.TaskTemplate.ContainerSpec.Env).not.toContain('EDITED_BY_HAND=1');
    expect((await services('east')).every((s) => !s.drifted)).toBe(true);
    expect((await pass(tenants)).plan.tenants.every((t) => t.change === 'noop')).toBe(true);
  }, 180_000);

  it('stalls a tenant whose region has no node with capacity (NoCapacityInRegion), with nothing applied', async () => {
    const before = await observe();
    const result = await pass([
      tenant('east', 'us-east', { cpu: 0.5, memoryMb: 96 }), tenant('west', 'eu-west', { workers: 3 }),
      tenant('far', 'ap-south'),
      tenant('big', 'us-east', { cpu: 1.5, workers: 1 }),
    ]);

    const outcome = (name: string) => result.report.tenants.find((t) => t.tenant === tenantName(name));
    expect(outcome('far')).toMatchObject({ outcome: 'failed', done: [], error: { code: 'swarm.no-capacity-in-region', transient: false } });
    expect(outcome('far')?.error?.message).toContain('no node is labelled rp9.io.region=ap-south');
    expect(outcome('big')).toMatchObject({ outcome: 'failed', done: [], error: { code: 'swarm.no-capacity-in-region' } });
    expect(outcome('big')?.error?.message).toContain('no node in region us-east has room');
    expect(reasonFromCode(outcome('far')?.error?.code ?? '')).toBe('NoCapacityInRegion');
    const after = await observe();
    const of = (state: ObservedState, names: string[]) => state.resources.filter((r) => names.includes(r.tenant)).map((r) => `${r.kind} ${r.name}`);
    expect(of(after, [tenantName('far'), tenantName('big')])).toEqual([]);
    expect(of(after, [...made]).sort()).toEqual(of(before, [...made]).sort());
  }, 180_000);

  it('removes a tenant that left git: services and route go, the database stays', async () => {
    const result = await pass([tenant('west', 'eu-west', { workers: 3 })]);

    expect(failures(result.report)).toEqual([]);
    expect(actions(result.plan, 'east')).toEqual(['delete route east', 'delete service rp9-east-worker', 'delete service rp9-east-main']);
    const left = (await observe()).resources.filter((r) => r.tenant === tenantName('east')).map((r) => `${r.kind} ${r.name}`);
    expect(left).toEqual([`database rp9_sw${id}_east`]);
    expect(await swarm.manager.listServices({ filters: { label: [`rp9.io/tenant=${tenantName('east')}`] } })).toEqual([]);
  }, 180_000);

  it('a lost worker node: pinned tasks wait and the tenant reads degraded until they run again; movable tasks move', async () => {
    const west = [tenant('west', 'eu-west', { workers: 3 })];
    // Pinned: eu-west has only node B.
    await swarm.freeze('b');
    try {
      await swarm.waitNodeState('b', 'down');
      let degraded: string[] = [];
      await waitFor('west degraded', async () => {
        degraded = degradedServices(await services('west'));
        // Degraded, and the scheduler has said why the replacement tasks cannot be placed.
        return degraded.length === 2 && degraded.every((line) => line.includes('no suitable node'));
      }, 150, 200);
      expect(degraded[0]).toMatch(new RegExp(`^rp9-${tenantName('west')}-main: 0/1 tasks running \\(.*no suitable node`));
      expect(degraded[1]).toMatch(new RegExp(`^rp9-${tenantName('west')}-worker: 0/3 tasks running \\(.*no suitable node`));
    } finally {
      await swarm.thaw('b');
    }
    await swarm.waitNodeState('b', 'ready');
    await waitFor('west running again', async () => degradedServices(await services('west')).length === 0, 300, 200);
    expect((await pass(west)).plan.tenants.every((t) => t.change === 'noop')).toBe(true);

    // Movable: with node B in us-east too, a us-east tenant spreads over both nodes and moves to A when B is lost.
    await swarm.setRegion('b', 'us-east');
    const mover = [...west.map(() => tenant('west', 'eu-west', { workers: 3 })), tenant('mover', 'us-east', { workers: 2 })];
    try {
      const applied = await pass(mover);
      expect(failures(applied.report)).toEqual([]);
      const worker = `rp9-${tenantName('mover')}-worker`;
      expect(await taskNodes(worker)).toEqual(['rp9-swarm-a', 'rp9-swarm-b']);
      await swarm.freeze('b');
      try {
        await swarm.waitNodeState('b', 'down');
        await waitFor('mover tasks moved to node A', async () => (await taskNodes(worker)).join() === 'rp9-swarm-a,rp9-swarm-a' && degradedServices(await services('mover')).length === 0, 300, 200);
        expect(await taskNodes(`rp9-${tenantName('mover')}-main`)).toEqual(['rp9-swarm-a']);
      } finally {
        await swarm.thaw('b');
      }
      await swarm.waitNodeState('b', 'ready');
    } finally {
      await swarm.setRegion('b', 'eu-west');
    }
  }, 300_000);
});

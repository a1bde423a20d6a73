// The executor against the real engine: observe → plan → applyPlan through the
// production ports, and what it counts on rp9_autoscale_events_total.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { observeDocker } from '../docker/observe-docker.js';
import { createMetrics, type Metrics } from '../../kernel/metrics/registry.js';
import { LABEL, MANAGED_BY, type DesiredContainer, type DesiredState, type Plan } from '../model.js';
import { plan } from '../plan/plan.js';
import { ALL_AVAILABLE } from '../plan/fixtures.js';
import { createDatabaseAdmin } from '../postgres/tenant-databases.js';
import { createApplyPorts } from '../runtime/apply-ports.js';
import { openStore, type Store } from '../store/index.js';
import { DEFAULT_TRAEFIK_OPTIONS } from '../traefik/types.js';
import { applyPlan, type ApplyPorts, type ApplyReport } from './apply-plan.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-as${randomBytes(3).toString('hex')}`;
const environment = prefix;
const network = `${prefix}-net`;
const tenant = `${prefix}-acme`;
const databases = createDatabaseAdmin(inject('postgresUrl'));
let image = '';
let store: Store;
let ports: ApplyPorts;
/** CPUs the engine has: Docker refuses a limit above it. */
let hostCpus = 0;

function container(role: 'main' | 'worker', cpu: number, memoryMb: number): DesiredContainer {
  const name = role === 'main' ? `${tenant}-main` : `${tenant}-worker-1`;
  return {
    kind: 'container', name, tenant, role, index: role === 'main' ? 0 : 1,
    image, command: [],
    env: { N8N_PORT: '5678' },
    cpu, memoryMb, mounts: [],
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], intervalSeconds: 1, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 0 },
    restartPolicy: 'unless-stopped', network,
    labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: role, [LABEL.specHash]: 'h1' },
    running: true, hash: 'h1',
  };
}

/** One reconcile pass's core: observe the engine, plan the tenant's containers, apply with the metrics. */
async function pass(cpu: number, memoryMb: number, metrics: Metrics): Promise<{ plan: Plan; report: ApplyReport }> {
  const desired: DesiredState = {
    environment,
    tenants: [{ name: tenant, mode: 'dedicated', plan: 'pro', suspended: false, specHash: 's', generation: 'g', resources: [container('main', cpu, memoryMb), container('worker', cpu, memoryMb)] }],
  };
  const observed = await observeDocker(docker, environment);
  const planned = plan(desired, { availability: ALL_AVAILABLE, resources: observed.containers }, { maxDeletionPercent: 100 });
  const report = await applyPlan(planned, ports, { concurrency: 2, retry: { attempts: 2, baseMs: 10, maxMs: 10 }, metrics });
  return { plan: planned, report };
}

async function autoscaleSeries(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.autoscaleEvents.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.tenant === tenant ? 'acme' : v.labels.tenant}/${v.labels.action}/${v.labels.success}`, v.value]));
}

async function nanoCpus(name: string): Promise<number | undefined> {
  return (await docker.getContainer(name).inspect()).HostConfig.NanoCpus;
}

beforeAll(async () => {
  image = await ensureTestImage(docker, `rp9/n8n-${prefix}:1.123.4`);
  hostCpus = (await docker.info()).NCPU as number;
  store = await openStore({ memory: true, notify: () => undefined });
  ports = createApplyPorts({
    environment, network, docker, databases, routesDir: '/nonexistent-routes-not-used',
    traefik: DEFAULT_TRAEFIK_OPTIONS, secrets: store.secrets, healthTimeoutMs: 30_000,
  });
}, 120_000);

afterAll(async () => {
  const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  await docker.getNetwork(network).remove().catch(() => undefined);
  await docker.getImage(image).remove().catch(() => undefined);
  await store?.close();
  await databases.close();
});

describe('applyPlan counts cpu/memory changes of a dedicated tenant on rp9_autoscale_events_total', () => {
  // The step below the host's CPUs, the host's CPUs, and one above (on a 2-CPU machine: 1, 2, 3).
  const low = () => (hostCpus >= 2 ? hostCpus - 1 : 0.5);

  it('counts nothing for a new tenant, once for a scale-up of main and worker, and a failure when the engine refuses it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    // Act 1: the tenant is created (not scaling).
    const created = await pass(low(), 256, metrics);
    expect(created.plan.tenants[0]?.change).toBe('create');
    expect(created.report.failed).toBe(0);
    expect(await autoscaleSeries(metrics)).toEqual({});

    // Act 2: cpu low → host CPUs on main and worker-1: one event.
    const up = await pass(hostCpus, 256, metrics);
    expect(up.plan.tenants[0]?.actions.map((a) => [a.op, a.name, a.changes])).toEqual([
      ['update', `${tenant}-main`, [{ field: 'cpu', from: low(), to: hostCpus }]],
      ['update', `${tenant}-worker-1`, [{ field: 'cpu', from: low(), to: hostCpus }]],
    ]);
    expect(up.report.failed).toBe(0);
    expect(await nanoCpus(`${tenant}-main`)).toBe(hostCpus * 1e9);
    expect(await autoscaleSeries(metrics)).toEqual({ 'acme/scale_up/true': 1 });

    // Act 3: cpu host → host + 1 (2 → 3 here): Docker refuses more CPUs than the host has.
    const beyond = await pass(hostCpus + 1, 256, metrics);
    expect(beyond.report.failed).toBe(1);
    expect(beyond.report.tenants[0]?.error?.message).toMatch(/CPU/i);
    expect(await autoscaleSeries(metrics)).toEqual({ 'acme/scale_up/true': 1, 'acme/scale_up/false': 1 });

    // Act 4: memory 256 → 192 MB at the host's CPUs: a scale_down.
    const down = await pass(hostCpus, 192, metrics);
    expect(down.report.failed).toBe(0);
    expect((await docker.getContainer(`${tenant}-worker-1`).inspect()).HostConfig.Memory).toBe(192 * 1024 * 1024);
    expect(await autoscaleSeries(metrics)).toEqual({ 'acme/scale_up/true': 1, 'acme/scale_up/false': 1, 'acme/scale_down/true': 1 });

    // Act 5: nothing changes: nothing is counted.
    const again = await pass(hostCpus, 192, metrics);
    expect(again.plan.tenants[0]?.change).toBe('noop');
    expect(await autoscaleSeries(metrics)).toEqual({ 'acme/scale_up/true': 1, 'acme/scale_up/false': 1, 'acme/scale_down/true': 1 });

    // And on /metrics, with the documented names.
    expect(await metrics.registry.metrics()).toContain(`rp9_autoscale_events_total{tenant="${tenant}",action="scale_up",success="true"} 1`);
  }, 120_000);
});

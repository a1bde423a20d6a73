import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { LABEL, type DesiredContainer, type DesiredVolume } from '../model.js';
import { createContainer, ensureNetwork, ensureVolume, startContainer } from './apply-docker.js';
import { healthFromStatus, observeDocker } from './observe-docker.js';
import { waitHealthy } from './wait-healthy.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-t${randomBytes(4).toString('hex')}`;
const environment = prefix;
const network = `${prefix}-net`;
const tenant = `${prefix}-acme`;
const secrets = (): string => 'not-in-labels';
let image = '';

function desired(role: 'main' | 'worker', overrides: Partial<DesiredContainer> = {}): DesiredContainer {
  const name = role === 'main' ? `${tenant}-main` : `${tenant}-worker-1`;
  return {
    kind: 'container', name, tenant, role, index: role === 'main' ? 0 : 1,
    image, command: role === 'main' ? [] : ['worker'],
    env: { EXECUTIONS_MODE: 'queue', N8N_ENCRYPTION_KEY: { secret: 'encryption-key' } },
    cpu: role === 'main' ? 1 : 0.5, memoryMb: role === 'main' ? 512 : 256, mounts: [],
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], intervalSeconds: 1, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 0 },
    restartPolicy: 'unless-stopped', network,
    labels: { [LABEL.environment]: environment, 'rp9.io/plan': 'pro' },
    running: true, hash: `hash-${role}`,
    ...overrides,
  };
}

beforeAll(async () => {
  image = await ensureTestImage(docker);
  await ensureNetwork(docker, network, { [LABEL.managedBy]: 'rp9', [LABEL.environment]: environment });
}, 120_000);

afterAll(async () => {
  const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const { Volumes } = await docker.listVolumes({ filters: { name: [prefix] } });
  await Promise.all((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  await docker.getNetwork(network).remove().catch(() => undefined);
});

describe('observeDocker', () => {
  it('sees nothing in an environment with no containers', async () => {
    const observed = await observeDocker(docker, `${prefix}-empty`);

    expect(observed).toEqual({ available: true, containers: [], volumes: [] });
  });

  it('reports a main and a worker running, with their limits, hash and labels, and healthy once probed', async () => {
    const main = desired('main');
    const worker = desired('worker');
    for (const c of [main, worker]) {
      await createContainer(docker, c, secrets);
      await startContainer(docker, c.name);
    }
    const health = await Promise.all([main, worker].map((c) => waitHealthy(docker, c.name, { timeoutMs: 20_000, intervalMs: 100, probe: false })));

    const observed = await observeDocker(docker, environment);

    expect(health.map((h) => h.status)).toEqual(['healthy', 'healthy']);
    expect(observed.available).toBe(true);
    expect(observed.containers).toEqual([
      {
        kind: 'container', id: expect.stringMatching(/^[0-9a-f]{64}$/), name: main.name, tenant, role: 'main', image,
        state: 'running', health: 'healthy', cpu: 1, memoryMb: 512, hash: 'hash-main',
        labels: { [LABEL.managedBy]: 'rp9', [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: 'main', [LABEL.specHash]: 'hash-main', 'rp9.io/plan': 'pro' },
      },
      {
        kind: 'container', id: expect.stringMatching(/^[0-9a-f]{64}$/), name: worker.name, tenant, role: 'worker', image,
        state: 'running', health: 'healthy', cpu: 0.5, memoryMb: 256, hash: 'hash-worker',
        labels: { [LABEL.managedBy]: 'rp9', [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: 'worker', [LABEL.specHash]: 'hash-worker', 'rp9.io/plan': 'pro' },
      },
    ]);
    expect(JSON.stringify(observed)).not.toContain('not-in-labels');
  });

  it('reports stopped containers too', async () => {
    const c = desired('main', { name: `${tenant}-stopped-main`, tenant: `${tenant}-stopped` });
    await createContainer(docker, c, secrets);

    const observed = await observeDocker(docker, environment);

    expect(observed.containers.find((o) => o.name === c.name)).toMatchObject({ state: 'created', tenant: `${tenant}-stopped` });
    expect(observed.containers.find((o) => o.name === c.name)).not.toHaveProperty('health');
  });

  it('no longer reports a container removed by hand', async () => {
    const c = desired('worker', { name: `${tenant}-worker-9`, index: 9 });
    await createContainer(docker, c, secrets);
    const before = await observeDocker(docker, environment);

    await docker.getContainer(c.name).remove({ force: true });
    const after = await observeDocker(docker, environment);

    expect(before.containers.map((o) => o.name)).toContain(c.name);
    expect(after.containers.map((o) => o.name)).not.toContain(c.name);
  });

  it('reports only rp9 volumes of this environment', async () => {
    const volume: DesiredVolume = { kind: 'volume', name: `${tenant}-data`, tenant, labels: { [LABEL.environment]: environment }, sizeGb: 1, hash: 'v' };
    await ensureVolume(docker, volume);
    await ensureVolume(docker, { ...volume, name: `${tenant}-other-env`, labels: { [LABEL.environment]: `${prefix}-other` } });
    await docker.createVolume({ Name: `${tenant}-unmanaged`, Labels: { [LABEL.environment]: environment, [LABEL.tenant]: tenant } });

    const observed = await observeDocker(docker, environment);

    expect(observed.volumes).toEqual([{ kind: 'volume', name: `${tenant}-data`, tenant }]);
  });

  it('leaves out containers of other environments and containers rp9 did not create', async () => {
    await createContainer(docker, desired('main', { name: `${prefix}-other-main`, labels: { [LABEL.environment]: `${prefix}-other` } }), secrets);
    await docker.createContainer({ name: `${prefix}-foreign`, Image: image, Labels: { [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: 'main' } });

    const observed = await observeDocker(docker, environment);

    expect(observed.containers.map((o) => o.name)).not.toContain(`${prefix}-other-main`);
    expect(observed.containers.map((o) => o.name)).not.toContain(`${prefix}-foreign`);
    expect((await observeDocker(docker, `${prefix}-other`)).containers.map((o) => o.name)).toEqual([`${prefix}-other-main`]);
  });

  it('reports an unreachable socket as unavailable, with the reason, without throwing', async () => {
    const socketPath = join(tmpdir(), `${prefix}-missing`, 'docker.sock');

    const observed = await observeDocker(new Docker({ socketPath }), environment);

    expect(observed).toEqual({ available: false, reason: `Docker not reachable at ${socketPath}: ENOENT`, containers: [], volumes: [] });
  });
});

describe('healthFromStatus', () => {
  it.each([
    ['Up 3 seconds (healthy)', 'healthy'],
    ['Up 10 seconds (unhealthy)', 'unhealthy'],
    ['Up 1 second (health: starting)', 'starting'],
    ['Up 2 minutes', undefined],
    ['Exited (0) 5 seconds ago', undefined],
  ])('reads %s', (status, health) => {
    expect(healthFromStatus(status)).toBe(health);
  });
});

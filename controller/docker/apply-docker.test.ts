import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { LABEL, type DesiredContainer, type DesiredVolume, type SecretRef } from '../model.js';
import {
  createContainer, ensureNetwork, ensureVolume, recreateContainer, removeContainer, startContainer, stopContainer, updateResources,
} from './apply-docker.js';
import { describeDockerError, DockerError } from './docker-errors.js';
import { leaveContainerDead } from './test-support.js';
import { waitHealthy } from './wait-healthy.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-t${randomBytes(4).toString('hex')}`;
const environment = prefix;
const network = `${prefix}-net`;
const SECRET = `s3cret-${randomBytes(6).toString('hex')}`;
const secrets = (ref: SecretRef, tenant: string): string => `${ref.secret}:${tenant}:${SECRET}`;
let image = '';
let nextImage = '';

function desired(tenant: string, overrides: Partial<DesiredContainer> = {}): DesiredContainer {
  return {
    kind: 'container', name: `${prefix}-${tenant}-main`, tenant: `${prefix}-${tenant}`, role: 'main', index: 0,
    image, command: [],
    env: { N8N_PORT: '5678', EXECUTIONS_MODE: 'queue', DB_POSTGRESDB_PASSWORD: { secret: 'db-password' }, N8N_ENCRYPTION_KEY: { secret: 'encryption-key' } },
    cpu: 0.5, memoryMb: 256, mounts: [],
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], intervalSeconds: 1, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 0 },
    restartPolicy: 'unless-stopped', network,
    labels: { [LABEL.environment]: environment },
    running: true, hash: 'hash-1',
    ...overrides,
  };
}

function volume(name: string): DesiredVolume {
  return { kind: 'volume', name: `${prefix}-${name}`, tenant: `${prefix}-${name}`, labels: { [LABEL.environment]: environment }, sizeGb: 1, hash: 'v1' };
}

async function inspect(name: string): Promise<Docker.ContainerInspectInfo> {
  return docker.getContainer(name).inspect();
}

async function rejection(promise: Promise<unknown>): Promise<DockerError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DockerError);
  return err as DockerError;
}

beforeAll(async () => {
  image = await ensureTestImage(docker, `rp9/n8n-${prefix}:1.123.4`);
  nextImage = await ensureTestImage(docker, `rp9/n8n-${prefix}:1.123.5`);
  await ensureNetwork(docker, network, { [LABEL.managedBy]: 'rp9', [LABEL.environment]: environment });
}, 120_000);

afterAll(async () => {
  const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const { Volumes } = await docker.listVolumes({ filters: { name: [prefix] } });
  await Promise.all((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  await docker.getNetwork(network).remove().catch(() => undefined);
  await Promise.all([image, nextImage].map((ref) => docker.getImage(ref).remove().catch(() => undefined)));
});

describe('ensureNetwork and ensureVolume', () => {
  it('creates a network once and then finds it', async () => {
    const first = await ensureNetwork(docker, `${prefix}-n2`, { [LABEL.managedBy]: 'rp9' });
    const second = await ensureNetwork(docker, `${prefix}-n2`, { [LABEL.managedBy]: 'rp9' });

    expect(first.changed).toBe(true);
    expect(second).toEqual({ changed: false, id: first.id });
    await docker.getNetwork(`${prefix}-n2`).remove();
  });

  it('creates a labelled volume once and then leaves it alone', async () => {
    const first = await ensureVolume(docker, volume('vol'));
    const second = await ensureVolume(docker, volume('vol'));

    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    const labels = (await docker.getVolume(`${prefix}-vol`).inspect()).Labels;
    expect(labels).toMatchObject({ [LABEL.managedBy]: 'rp9', [LABEL.tenant]: `${prefix}-vol`, [LABEL.environment]: environment });
  });

  it('refuses to adopt a volume rp9 did not create', async () => {
    await docker.createVolume({ Name: `${prefix}-foreign` });

    const err = await rejection(ensureVolume(docker, volume('foreign')));

    expect(err.code).toBe('docker.not-managed');
    expect(err.retry).toBe('terminal');
  });
});

describe('createContainer', () => {
  it('creates with secrets in Env only, limits, init, network and labels; again is a no-op', async () => {
    const c = desired('create', { mounts: [{ volume: `${prefix}-create-data`, target: '/data' }] });
    await ensureVolume(docker, volume('create-data'));

    const first = await createContainer(docker, c, secrets);
    const second = await createContainer(docker, c, secrets);

    expect(first.changed).toBe(true);
    expect(second).toEqual({ changed: false, id: first.id });
    const info = await inspect(c.name);
    expect(info.Config.Env).toEqual(expect.arrayContaining([`DB_POSTGRESDB_PASSWORD=db-password:${c.tenant}:${SECRET}`, `N8N_ENCRYPTION_KEY=encryption-key:${c.tenant}:${SECRET}`]));
    expect(JSON.stringify(info.Config.Labels)).not.toContain(SECRET);
    expect(info.Config.Labels).toMatchObject({ [LABEL.managedBy]: 'rp9', [LABEL.tenant]: c.tenant, [LABEL.role]: 'main', [LABEL.specHash]: 'hash-1' });
    expect(info.HostConfig).toMatchObject({ Init: true, NanoCpus: 500_000_000, Memory: 256 * 1024 * 1024, MemorySwap: 256 * 1024 * 1024, NetworkMode: network });
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: `${prefix}-create-data`, Destination: '/data' })]);
    expect(info.State.Status).toBe('created');
  });

  it('reports a transient conflict when the name exists with another spec hash', async () => {
    await createContainer(docker, desired('conflict'), secrets);

    const err = await rejection(createContainer(docker, desired('conflict', { hash: 'hash-2' }), secrets));

    expect(err.code).toBe('docker.conflict');
    expect(err.retry).toBe('transient');
  });

  it('reports a missing image as terminal docker.image-missing', async () => {
    const err = await rejection(createContainer(docker, desired('noimage', { image: `rp9/n8n-${prefix}:0.0.0` }), secrets));

    expect(err.code).toBe('docker.image-missing');
    expect(err.retry).toBe('terminal');
  });

  it('classifies a command the runtime cannot run as terminal', async () => {
    const c = desired('badcmd');
    await createContainer(docker, c, secrets);
    await docker.getContainer(c.name).remove();
    await docker.createContainer({ name: c.name, Image: image, Entrypoint: ['/no/such/binary'], Labels: { [LABEL.managedBy]: 'rp9' } });

    const err = await rejection(startContainer(docker, c.name));

    expect(err.code).toBe('docker.invalid-config');
    expect(err.retry).toBe('terminal');
  });
});

describe('start, stop, update, recreate, remove', () => {
  it('starts and stops, each a no-op the second time', async () => {
    const c = desired('startstop');
    await createContainer(docker, c, secrets);

    const started = await startContainer(docker, c.name);
    const startedAgain = await startContainer(docker, c.name);
    const running = (await inspect(c.name)).State.Running;
    const stopped = await stopContainer(docker, c.name, 5);
    const stoppedAgain = await stopContainer(docker, c.name, 5);

    expect([started.changed, startedAgain.changed, running, stopped.changed, stoppedAgain.changed]).toEqual([true, false, true, true, false]);
    expect((await inspect(c.name)).State.Running).toBe(false);
  });

  it('raises memory above the old swap in place, keeping the container', async () => {
    const c = desired('update');
    const { id } = await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);
    const memoryAlone = await docker.getContainer(c.name).update({ Memory: 512 * 1024 * 1024 }).then(() => undefined, (e: unknown) => e);

    const updated = await updateResources(docker, c.name, 1, 512);
    const again = await updateResources(docker, c.name, 1, 512);

    expect(describeDockerError(memoryAlone)).toMatchObject({ code: 'docker.invalid-config', retry: 'terminal' });
    expect(updated).toEqual({ changed: true, id });
    expect(again).toEqual({ changed: false, id });
    const info = await inspect(c.name);
    expect(info.Id).toBe(id);
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig).toMatchObject({ NanoCpus: 1_000_000_000, Memory: 512 * 1024 * 1024, MemorySwap: 512 * 1024 * 1024 });
  });

  it('recreates on a new image and hash with a new id, and is a no-op when already there', async () => {
    const c = desired('recreate');
    const { id: oldId } = await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);
    const next = { ...c, image: nextImage, hash: 'hash-2' };

    const recreated = await recreateContainer(docker, next, secrets, { stopTimeoutSeconds: 5 });
    const again = await recreateContainer(docker, next, secrets);

    const info = await inspect(c.name);
    expect(recreated.changed).toBe(true);
    expect(recreated.id).not.toBe(oldId);
    expect(info.Id).toBe(recreated.id);
    expect(info.Config.Image).toBe(nextImage);
    expect(info.Config.Labels?.[LABEL.specHash]).toBe('hash-2');
    expect(info.State.Running).toBe(true);
    expect(again).toEqual({ changed: false, id: recreated.id });
  });

  it('replaces a dead container that carries the desired spec only when forced', async () => {
    const c = desired('dead');
    const { id: oldId } = await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);
    const dead = await leaveContainerDead(docker, c.name);

    const unforced = await recreateContainer(docker, c, secrets, { stopTimeoutSeconds: 5 });
    const stillDead = (await inspect(c.name)).State.Status;
    const forced = await recreateContainer(docker, c, secrets, { force: true, stopTimeoutSeconds: 5 });

    expect(dead).toEqual({ id: oldId, status: 'dead', listed: expect.stringMatching(/^(dead|removing)$/) });
    expect(unforced).toEqual({ changed: false, id: oldId });
    expect(stillDead).toBe('dead');
    expect(forced.changed).toBe(true);
    expect(forced.id).not.toBe(oldId);
    const info = await inspect(c.name);
    expect(info.Id).toBe(forced.id);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels?.[LABEL.specHash]).toBe('hash-1');
  });

  it('keeps the old container when the new image is missing', async () => {
    const c = desired('keep');
    const { id } = await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const err = await rejection(recreateContainer(docker, { ...c, image: `rp9/n8n-${prefix}:0.0.1`, hash: 'hash-2' }, secrets));

    expect(err.code).toBe('docker.image-missing');
    const info = await inspect(c.name);
    expect(info.Id).toBe(id);
    expect(info.State.Running).toBe(true);
  });

  it('recreates a suspended tenant stopped', async () => {
    const c = desired('suspended');
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const recreated = await recreateContainer(docker, { ...c, running: false, hash: 'hash-2' }, secrets, { stopTimeoutSeconds: 5 });

    expect(recreated.changed).toBe(true);
    expect((await inspect(c.name)).State.Status).toBe('created');
  });

  it('removes a running container, keeps its named volume, and is a no-op when gone', async () => {
    const c = desired('remove', { mounts: [{ volume: `${prefix}-remove-data`, target: '/data' }] });
    await ensureVolume(docker, volume('remove-data'));
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const removed = await removeContainer(docker, c.name, 5);
    const again = await removeContainer(docker, c.name, 5);

    expect(removed.changed).toBe(true);
    expect(again.changed).toBe(false);
    expect(await docker.getContainer(c.name).inspect().then(() => 'exists', (e: { statusCode?: number }) => e.statusCode)).toBe(404);
    expect((await docker.getVolume(`${prefix}-remove-data`).inspect()).Name).toBe(`${prefix}-remove-data`);
  });

  it('refuses to stop, update or remove a container rp9 did not create', async () => {
    const name = `${prefix}-foreign-main`;
    await docker.createContainer({ name, Image: image, HostConfig: { Init: true } });

    const errors = await Promise.all([stopContainer(docker, name), updateResources(docker, name, 1, 64), removeContainer(docker, name)].map(rejection));

    expect(errors.map((e) => e.code)).toEqual(['docker.not-managed', 'docker.not-managed', 'docker.not-managed']);
    expect((await inspect(name)).Name).toBe(`/${name}`);
  });

  it('reports starting or updating a missing container as transient docker.not-found', async () => {
    const errors = await Promise.all([startContainer(docker, `${prefix}-nope`), updateResources(docker, `${prefix}-nope`, 1, 64)].map(rejection));

    expect(errors.map((e) => [e.code, e.retry])).toEqual([['docker.not-found', 'transient'], ['docker.not-found', 'transient']]);
  });
});

describe('waitHealthy', () => {
  it('sees the test image become healthy', async () => {
    const c = desired('healthy');
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const result = await waitHealthy(docker, c.name, { timeoutMs: 20_000, intervalMs: 100 });

    expect(result).toMatchObject({ ok: true, status: 'healthy' });
  });

  it('sees a container ready as soon as its healthcheck command answers, long before the engine\'s first check', async () => {
    const c = desired('quick', { healthcheck: { test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:5678/healthz/readiness || exit 1'], intervalSeconds: 60, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 } });
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const result = await waitHealthy(docker, c.name, { timeoutMs: 20_000, intervalMs: 100 });
    const engine = (await inspect(c.name)).State.Health?.Status;

    // The engine checks first after 60 s: only the exec probe can have seen it ready.
    expect(result).toMatchObject({ ok: true, status: 'healthy' });
    expect(result.detail).toContain('health starting');
    expect(result.detail).toContain('answered through exec');
    expect(engine).toBe('starting');
    const without = await waitHealthy(docker, c.name, { timeoutMs: 500, intervalMs: 100, probe: false });
    expect(without).toMatchObject({ ok: false, status: 'timeout' });
  });

  it('never runs a second exec probe next to one that hangs', async () => {
    const c = desired('hangs', { healthcheck: { test: ['CMD', 'sleep', '30'], intervalSeconds: 60, timeoutSeconds: 1, retries: 3, startPeriodSeconds: 60 } });
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const result = await waitHealthy(docker, c.name, { timeoutMs: 3_500, intervalMs: 50, probeIntervalMs: 50 });
    const top = await docker.getContainer(c.name).top({ ps_args: '-o pid,args' }).catch(() => docker.getContainer(c.name).top());
    const sleeps = (top.Processes as string[][]).filter((row) => row.join(' ').includes('sleep 30'));

    expect(result).toMatchObject({ ok: false, status: 'timeout' });
    expect(result.detail).toContain('probe still running');
    expect(sleeps).toHaveLength(1);
  });

  it('reports unhealthy when the probe keeps failing', async () => {
    const c = desired('unhealthy', { healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5999/healthz'], intervalSeconds: 1, timeoutSeconds: 1, retries: 1, startPeriodSeconds: 0 } });
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const result = await waitHealthy(docker, c.name, { timeoutMs: 20_000, intervalMs: 100 });

    expect(result).toMatchObject({ ok: false, status: 'unhealthy' });
    expect(result.detail).toContain('health unhealthy');
  });

  it('gives up after the timeout while the container is still starting', async () => {
    const c = desired('slow', { healthcheck: { test: ['CMD', 'false'], intervalSeconds: 30, timeoutSeconds: 1, retries: 1, startPeriodSeconds: 0 } });
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const result = await waitHealthy(docker, c.name, { timeoutMs: 300, intervalMs: 100 });

    expect(result).toMatchObject({ ok: false, status: 'timeout' });
    expect(result.detail).toContain('health starting');
  });

  it('reports a container that exited, and one that does not exist', async () => {
    const c = desired('exits', { command: ['frobnicate'] });
    await createContainer(docker, c, secrets);
    await startContainer(docker, c.name);

    const exited = await waitHealthy(docker, c.name, { timeoutMs: 10_000, intervalMs: 100 });
    const missing = await waitHealthy(docker, `${prefix}-nope`, { timeoutMs: 1_000, intervalMs: 100 });

    expect(exited).toMatchObject({ ok: false, status: 'exited' });
    // Either seen stopped (exit code 2) or already restarted by its policy.
    expect(exited.detail).toMatch(/exit code 2|crashed and restarted [1-9]/);
    expect(missing).toMatchObject({ ok: false, status: 'missing' });
  });
});

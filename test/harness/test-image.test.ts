import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestImage, TEST_IMAGE } from './test-image.js';
import { waitFor } from './processes.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-t${randomBytes(4).toString('hex')}`;
const HEALTHCHECK = { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], Interval: 500_000_000, Timeout: 2_000_000_000, Retries: 3 };

async function run(name: string, env: string[], cmd?: string[]): Promise<Docker.ContainerInspectInfo> {
  const container = await docker.createContainer({
    name: `${prefix}-${name}`, Image: TEST_IMAGE, Env: env, ...(cmd ? { Cmd: cmd } : {}),
    Healthcheck: HEALTHCHECK, HostConfig: { Init: true },
  });
  await container.start();
  return container.inspect();
}

function ipOf(info: Docker.ContainerInspectInfo): string {
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
  if (!ip) throw new Error(`container ${info.Name} has no IP address`);
  return ip;
}

async function logs(id: string): Promise<string> {
  return (await docker.getContainer(id).logs({ stdout: true, stderr: true })).toString('utf8');
}

async function get(ip: string, port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://${ip}:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

describe('ensureTestImage', () => {
  beforeAll(async () => {
    await ensureTestImage(docker);
  }, 120_000);

  afterAll(async () => {
    const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it('is a no-op when the image exists, and tags more versions of the same image', async () => {
    const before = await docker.getImage(TEST_IMAGE).inspect();

    const again = await ensureTestImage(docker);
    const v4 = await ensureTestImage(docker, `rp9/n8n-${prefix}:1.123.4`);
    const v5 = await ensureTestImage(docker, `rp9/n8n-${prefix}:1.123.5`);

    expect(again).toBe(TEST_IMAGE);
    expect(v4).toBe(`rp9/n8n-${prefix}:1.123.4`);
    expect((await docker.getImage(TEST_IMAGE).inspect()).Id).toBe(before.Id);
    expect((await docker.getImage(v4).inspect()).Id).toBe(before.Id);
    expect((await docker.getImage(v5).inspect()).Id).toBe(before.Id);
    await Promise.all([docker.getImage(v4).remove(), docker.getImage(v5).remove()]);
  });

  it('answers /healthz and /healthz/readiness on N8N_PORT and prints its role', async () => {
    const info = await run('main', ['N8N_PORT=5690', 'EXECUTIONS_MODE=queue']);
    const ip = ipOf(info);
    await waitFor('test image to listen', async () => (await get(ip, 5690, '/healthz')).status === 200, 50, 100);

    const healthz = await get(ip, 5690, '/healthz');
    const readiness = await get(ip, 5690, '/healthz/readiness');
    const other = await get(ip, 5690, '/rest/settings');

    expect(healthz).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(readiness).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(other.status).toBe(404);
    const log = await logs(info.Id);
    expect(log).toContain('rp9-test-n8n role=main port=5690 executions_mode=queue');
    expect(log).toMatch(/env=[^\n]*N8N_PORT/);
  });

  it('stays up in worker mode, serves health on 5678 and passes its healthcheck', async () => {
    const info = await run('worker', ['EXECUTIONS_MODE=queue'], ['worker']);

    await waitFor('worker to be healthy', async () => (await docker.getContainer(info.Id).inspect()).State.Health?.Status === 'healthy', 100, 100);

    const now = await docker.getContainer(info.Id).inspect();
    expect(now.State.Running).toBe(true);
    expect(await logs(info.Id)).toContain('role=worker port=5678');
    expect((await get(ipOf(info), 5678, '/healthz')).status).toBe(200);
  });

  it('exits with an error on a command n8n would not know', async () => {
    const info = await run('bad', [], ['frobnicate']);

    await waitFor('bad command to exit', async () => !(await docker.getContainer(info.Id).inspect()).State.Running, 50, 100);

    expect((await docker.getContainer(info.Id).inspect()).State.ExitCode).toBe(2);
    expect(await logs(info.Id)).toContain('unknown command: frobnicate');
  });
});

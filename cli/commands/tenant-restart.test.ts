import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { restartOrder } from '../../controller/docker/restart-tenant.js';
import { LABEL, MANAGED_BY } from '../../controller/model.js';
import { openStore } from '../../controller/store/store.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { main } from '../main.js';

const ROOT = new URL('../../', import.meta.url);
const socket = inject('dockerSocket');
const docker = new Docker({ socketPath: socket });
const environment = `restart-${randomBytes(3).toString('hex')}`;
const databases = scratchDatabases(inject('postgresUrl'), 'rp9_tenant_restart');
let dir: string;
let image: string;

// n8n's healthcheck as the controller sets it, fast: /healthz on 5678.
const HEALTHCHECK = { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], Interval: 300_000_000, Timeout: 2_000_000_000, Retries: 2 };

async function tenantContainer(tenant: string, role: 'main' | 'worker', index: number, env: string[] = []): Promise<string> {
  const name = `${environment}-${tenant}-${role}-${index}`;
  const container = await docker.createContainer({
    name, Image: image, Env: env, ...(role === 'worker' ? { Cmd: ['worker'] } : {}), Healthcheck: HEALTHCHECK, HostConfig: { Init: true },
    Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: tenant, [LABEL.role]: role },
  });
  await container.start();
  return name;
}

async function startedAt(name: string): Promise<string> {
  return (await docker.getContainer(name).inspect()).State.StartedAt;
}

beforeAll(async () => {
  image = await ensureTestImage(docker);
  dir = await mkdtemp(join(tmpdir(), 'rp9-tenant-restart-'));
  await mkdir(join(dir, 'tenants'));
  const platform = (await readFile(new URL('platform.yaml', ROOT), 'utf8')).replace('environment: example', `environment: ${environment}`);
  await writeFile(join(dir, 'platform.yaml'), platform);
  for (const name of ['acme', 'wayne', 'soylent']) await writeFile(join(dir, 'tenants', `${name}.yaml`), await readFile(new URL(`tenants/${name}.yaml`, ROOT), 'utf8'));
}, 180_000);
async function removeAll(): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${environment}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

afterAll(async () => {
  await removeAll();
  await rm(dir, { recursive: true, force: true });
  await databases.dropAll();
});

async function rp9(args: string[], databaseUrl: string) {
  const t = captureIo({ DATABASE_URL: databaseUrl, DOCKER_HOST: `unix://${socket}`, USER: 'ops-ana', RP9_LOG_LEVEL: 'error' }, dir);
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

describe('rp9 tenant restart (test dockerd, PostgreSQL store)', () => {
  afterEach(removeAll);
  it('restarts main then workers, waits for health, records RestartStarted and Restarted (exit 0)', async () => {
    const url = await databases.create();
    const names = [await tenantContainer('acme', 'worker', 2), await tenantContainer('acme', 'main', 1), await tenantContainer('acme', 'worker', 1)];
    const other = await tenantContainer('wayne', 'main', 1);
    const before = await Promise.all([...names, other].map(startedAt));

    const result = await rp9(['tenant', 'restart', 'acme', '--timeout', '60', '-o', 'json'], url);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.steps.map((s: { name: string; outcome: string }) => [s.name, s.outcome])).toEqual([
      [`${environment}-acme-main-1`, 'healthy'], [`${environment}-acme-worker-1`, 'healthy'], [`${environment}-acme-worker-2`, 'healthy'],
    ]);
    const after = await Promise.all([...names, other].map(startedAt));
    for (let i = 0; i < names.length; i += 1) expect(after[i]).not.toBe(before[i]);
    expect(after[3]).toBe(before[3]); // another tenant's container is untouched
    for (const name of names) expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);

    const store = await openStore({ databaseUrl: url, notify: () => undefined });
    try {
      const events = (await store.events.recent({ tenant: 'acme', limit: 10 })).reverse();
      expect(events.map((e) => [e.reason, e.type, e.actor])).toEqual([['RestartStarted', 'Normal', 'cli:ops-ana'], ['Restarted', 'Normal', 'cli:ops-ana']]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('exits 3 and records RestartFailed when the main does not come back healthy; the workers are left alone', async () => {
    const url = await databases.create();
    // Listens on 5690, while the healthcheck asks 5678: never healthy.
    const main1 = await tenantContainer('wayne', 'main', 1, ['N8N_PORT=5690']);
    const worker = await tenantContainer('wayne', 'worker', 1);
    const workerBefore = await startedAt(worker);

    const result = await rp9(['tenant', 'restart', 'wayne', '--timeout', '20'], url);
    expect(result.code).toBe(3);
    expect(result.out).toMatch(new RegExp(`${main1}\\s+main\\s+unhealthy after`));
    expect(result.out).toMatch(new RegExp(`${worker}\\s+worker\\s+not restarted`));
    expect(result.out).toContain('Restart of wayne FAILED');
    expect(await startedAt(worker)).toBe(workerBefore);
    const store = await openStore({ databaseUrl: url, notify: () => undefined });
    try {
      const events = await store.events.recent({ tenant: 'wayne', limit: 10 });
      expect(events[0]).toMatchObject({ reason: 'RestartFailed', type: 'Warning' });
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses a shared, unknown or container-less tenant (exit 1) and a bad timeout (exit 2)', async () => {
    const url = await databases.create();
    const shared = await rp9(['tenant', 'restart', 'soylent'], url);
    const unknown = await rp9(['tenant', 'restart', 'nobody', '-o', 'json'], url);
    const none = await rp9(['tenant', 'restart', 'acme'], url);
    const bad = await rp9(['tenant', 'restart', 'acme', '--timeout', 'soon'], url);
    expect(shared.code).toBe(1);
    expect(shared.out).toContain('Refused [restart.shared-tenant]: tenant soylent is shared: it runs on the shared n8n');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out).refused.code).toBe('restart.unknown-tenant');
    expect(none.code).toBe(1);
    expect(none.out).toContain('[restart.no-containers]');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--timeout must be whole seconds');
  });
});

describe('restartOrder', () => {
  it.each([
    [[{ name: 'w2', role: 'worker' }, { name: 'm', role: 'main' }, { name: 'w1', role: 'worker' }], ['m', 'w1', 'w2']],
    [[{ name: 'w1', role: 'worker' }], ['w1']],
    [[], []],
  ] as const)('%j', (input, names) => {
    expect(restartOrder(input).map((c) => c.name)).toEqual(names);
  });
});

import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../test/harness/processes.js';
import { ensureTestImage, TEST_IMAGE } from '../../test/harness/test-image.js';
import { LABEL, MANAGED_BY } from '../model.js';
import { createContainerUsageSource } from './docker-source.js';
import { cpuCoresUsed, memoryUsedBytes, tenantResourceUsage } from './docker-stats.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-tel${randomBytes(3).toString('hex')}`;
const environment = `${prefix}-env`;
const MiB = 1024 * 1024;
// Holds a 20 MB string, says so, then spins: CFS caps it at its 0.5-core limit.
const SPIN = ['/bin/sh', '-c', 'x=$(head -c 20000000 /dev/zero | tr "\\000" a); echo held; while :; do :; done'];

async function start(name: string, tenant: string, role: string, hostConfig: Docker.HostConfig, entrypoint?: string[], env = environment): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `${prefix}-${name}`,
    Image: TEST_IMAGE,
    ...(entrypoint ? { Entrypoint: entrypoint } : {}),
    Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: env, [LABEL.tenant]: tenant, [LABEL.role]: role },
    HostConfig: { Init: true, ...hostConfig },
  });
  await container.start();
  return container;
}

describe('createContainerUsageSource (test dockerd)', () => {
  beforeAll(async () => {
    await ensureTestImage(docker);
    const main = await start('acme-main', 'acme', 'main', { NanoCpus: 500_000_000, Memory: 64 * MiB, MemorySwap: 64 * MiB }, SPIN);
    await start('acme-worker-1', 'acme', 'worker', { NanoCpus: 1_000_000_000, Memory: 128 * MiB, MemorySwap: 128 * MiB });
    const stopped = await start('acme-worker-2', 'acme', 'worker', { NanoCpus: 1_000_000_000, Memory: 128 * MiB, MemorySwap: 128 * MiB });
    await stopped.stop({ t: 0 });
    await start('other-main', 'other', 'main', { NanoCpus: 1_000_000_000, Memory: 128 * MiB, MemorySwap: 128 * MiB });
    await start('acme-elsewhere', 'acme', 'main', { NanoCpus: 1_000_000_000, Memory: 128 * MiB, MemorySwap: 128 * MiB }, undefined, `${environment}-2`);
    await waitFor('the busy container to hold its memory', async () => (await main.logs({ stdout: true })).toString().includes('held'), 100, 100);
  }, 120_000);

  afterAll(async () => {
    const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it("reads the tenant's running containers in its environment, with their limits", async () => {
    const source = createContainerUsageSource(docker, environment);

    const usage = await source('acme', AbortSignal.timeout(10_000));

    expect(usage.map((c) => [c.name, c.cpuLimitCores, c.memoryLimitBytes])).toEqual([
      [`${prefix}-acme-main`, 0.5, 64 * MiB],
      [`${prefix}-acme-worker-1`, 1, 128 * MiB],
    ]);
  });

  it('gives stats with two CPU reads, so usage and memory can be computed', async () => {
    const source = createContainerUsageSource(docker, environment);

    const [main, worker] = await source('acme', AbortSignal.timeout(10_000));
    const tenant = tenantResourceUsage([main!, worker!]);

    // The spinning shell is capped at 0.5 core by CFS (how much of that it gets
    // depends on the machine's load, so only "clearly busy" is asserted); the
    // idle one uses next to nothing.
    expect(cpuCoresUsed(main!.stats)).toBeGreaterThan(0.02);
    expect(cpuCoresUsed(main!.stats)).toBeLessThan(0.6);
    expect(cpuCoresUsed(worker!.stats)).toBeLessThan(cpuCoresUsed(main!.stats)!);
    expect(cpuCoresUsed(worker!.stats)).toBeLessThan(0.05);
    expect(memoryUsedBytes(main!.stats)).toBeGreaterThan(20_000_000);
    expect(memoryUsedBytes(main!.stats)).toBeLessThan(64 * MiB);
    expect(tenant.memBytes).toBe(memoryUsedBytes(main!.stats)! + memoryUsedBytes(worker!.stats)!);
    expect(tenant.memPercent).toBeCloseTo((tenant.memBytes / (192 * MiB)) * 100, 9);
    expect(tenant.cpuPercent).toBeCloseTo(((cpuCoresUsed(main!.stats)! + cpuCoresUsed(worker!.stats)!) / 1.5) * 100, 9);
  });

  it('returns nothing for a tenant without running containers', async () => {
    const source = createContainerUsageSource(docker, environment);

    expect(await source('nobody', AbortSignal.timeout(10_000))).toEqual([]);
  });

  it('rejects once its signal is aborted', async () => {
    const source = createContainerUsageSource(docker, environment);

    await expect(source('acme', AbortSignal.abort())).rejects.toThrow(/abort/i);
  });
});

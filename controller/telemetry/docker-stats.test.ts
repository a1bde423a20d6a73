import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuCoresUsed, memoryUsedBytes, tenantResourceUsage, type ContainerUsage, type DockerStats } from './docker-stats.js';

// Recorded from the test dockerd (Docker 28, cgroup v1) with `stats({stream:false})`:
// busy: a shell spinning under a 0.5-core, 64 MiB limit holding a 20 MB string;
// idle: the test image serving /healthz, 1 core, 128 MiB;
// cache: 30 MB written and read back in /tmp (page cache), 1 core, 256 MiB;
// oneshot: the busy container read with `one-shot=true` (no previous CPU read).
function fixture(name: string): DockerStats {
  return JSON.parse(readFileSync(new URL(`./fixtures/docker-stats-v1-${name}.json`, import.meta.url), 'utf8')) as DockerStats;
}
const busy = fixture('busy');
const idle = fixture('idle');
const cache = fixture('cache');
const oneshot = fixture('oneshot');
const MiB = 1024 * 1024;

// A cgroup v2 answer has inactive_file (no total_* keys) and no percpu_usage.
const v2: DockerStats = {
  cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000, online_cpus: 4 },
  memory_stats: { usage: 500 * MiB, limit: 1024 * MiB, stats: { inactive_file: 100 * MiB, anon: 380 * MiB, file: 120 * MiB } },
};

describe('cpuCoresUsed', () => {
  it.each([
    // cpu delta / system delta × online cpus
    ['busy (v1)', busy, (416_686_378 / 2_020_000_000) * 2],
    ['idle (v1)', idle, 0],
    ['page cache only (v1)', cache, 0],
    ['one-shot: no previous read', oneshot, undefined],
    ['cgroup v2', v2, (1_000_000_000 / 4_000_000_000) * 4],
    ['online_cpus missing: percpu_usage length', { ...busy, cpu_stats: { ...busy.cpu_stats, online_cpus: undefined } }, (416_686_378 / 2_020_000_000) * 2],
    ['system clock did not move', { ...v2, precpu_stats: { ...v2.precpu_stats, system_cpu_usage: 20_000_000_000 } }, undefined],
    ['counter went backwards (container restarted)', { ...v2, precpu_stats: { ...v2.precpu_stats, cpu_usage: { total_usage: 9_000_000_000 } } }, undefined],
  ] as [string, DockerStats, number | undefined][])('%s', (_name, stats, expected) => {
    const cores = cpuCoresUsed(stats);

    if (expected === undefined) expect(cores).toBeUndefined();
    else expect(cores).toBeCloseTo(expected, 9);
  });
});

describe('memoryUsedBytes', () => {
  it.each([
    ['busy: anonymous memory only', busy, 20_635_648],
    ['idle', idle, 335_872],
    ['page cache is not counted (total_inactive_file)', cache, 31_334_400 - 30_003_200],
    ['cgroup v2: inactive_file', v2, 400 * MiB],
    ['old engines: cache', { ...v2, memory_stats: { usage: 300, stats: { cache: 100 } } }, 200],
    ['reclaimable larger than usage: usage', { ...v2, memory_stats: { usage: 300, stats: { inactive_file: 900 } } }, 300],
    ['no usage (stopped container)', { ...v2, memory_stats: {} }, undefined],
  ] as [string, DockerStats, number | undefined][])('%s', (_name, stats, expected) => {
    expect(memoryUsedBytes(stats)).toBe(expected);
  });
});

describe('tenantResourceUsage', () => {
  const main: ContainerUsage = { name: 'rp9-acme-main', stats: busy, cpuLimitCores: 0.5, memoryLimitBytes: 64 * MiB };
  const worker: ContainerUsage = { name: 'rp9-acme-worker-1', stats: idle, cpuLimitCores: 1, memoryLimitBytes: 128 * MiB };

  it('sums cores and memory over main and workers, relative to what they were given', () => {
    const usage = tenantResourceUsage([main, worker]);

    expect(usage.cpuPercent).toBeCloseTo(((416_686_378 / 2_020_000_000) * 2 / 1.5) * 100, 9);
    expect(usage.memBytes).toBe(20_635_648 + 335_872);
    expect(usage.memPercent).toBeCloseTo(((20_635_648 + 335_872) / (192 * MiB)) * 100, 9);
  });

  it('gives the percent of the allocation, so a container at its limit is near 100', () => {
    const usage = tenantResourceUsage([{ ...main, stats: v2, cpuLimitCores: 1 }]);

    expect(usage.cpuPercent).toBeCloseTo(100, 9);
  });

  it('leaves CPU out for a container read without a previous sample, memory still counts', () => {
    const usage = tenantResourceUsage([{ ...main, stats: oneshot }, worker]);

    expect(usage.cpuPercent).toBe(0);
    expect(usage.memBytes).toBe(20_430_848 + 335_872);
  });

  it('counts an unlimited container with the host cores and the engine-reported memory limit', () => {
    const usage = tenantResourceUsage([{ name: 'x', stats: v2, cpuLimitCores: 0, memoryLimitBytes: 0 }]);

    expect(usage.cpuPercent).toBeCloseTo(25, 9);
    expect(usage.memPercent).toBeCloseTo((400 / 1024) * 100, 9);
  });

  it('reports zero memory and no percents for a tenant with no running containers', () => {
    expect(tenantResourceUsage([])).toEqual({ memBytes: 0 });
  });
});

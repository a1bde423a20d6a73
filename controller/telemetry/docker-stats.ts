// Pure arithmetic over Docker's container stats (`GET /containers/{id}/stats?stream=false`):
// the cores a container used between two reads, the memory it really holds,
// and a tenant's total over its containers, relative to what it was given.
// Same formulas as the docker CLI (`docker stats`), so the numbers agree.

/** The fields of a stats answer this module reads (cgroup v1 and v2 both fit). */
export interface DockerStats {
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: {
    usage?: number;
    limit?: number;
    stats?: Record<string, number | undefined>;
  };
}

interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** One running container of a tenant: its stats and the limits it was created with. */
export interface ContainerUsage {
  name: string;
  stats: DockerStats;
  /** HostConfig.NanoCpus / 1e9; 0 when unlimited. */
  cpuLimitCores: number;
  /** HostConfig.Memory in bytes; 0 when unlimited. */
  memoryLimitBytes: number;
}

export interface TenantResourceUsage {
  /** Cores used over allocated cores × 100; absent when no container had two CPU reads. */
  cpuPercent?: number;
  memBytes: number;
  /** Memory held over the memory limits × 100; absent when no container has a limit. */
  memPercent?: number;
}

/**
 * Cores the container used between `precpu_stats` and `cpu_stats` (1.0 = one
 * full core). Undefined when there is no previous read (a one-shot answer, or
 * the first read of a just-started container) or the system clock did not move.
 */
export function cpuCoresUsed(stats: DockerStats): number | undefined {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  if (now.system_cpu_usage === undefined || before.system_cpu_usage === undefined) return undefined;
  const systemDelta = now.system_cpu_usage - before.system_cpu_usage;
  const cpuDelta = now.cpu_usage.total_usage - before.cpu_usage.total_usage;
  if (!(systemDelta > 0) || cpuDelta < 0) return undefined;
  const online = now.online_cpus || now.cpu_usage.percpu_usage?.length || 0;
  if (!(online > 0)) return undefined;
  return (cpuDelta / systemDelta) * online;
}

/**
 * Memory the container holds, without the page cache the kernel can drop:
 * usage minus inactive_file (cgroup v2) or total_inactive_file (cgroup v1),
 * falling back to `cache` on engines that report neither.
 */
export function memoryUsedBytes(stats: DockerStats): number | undefined {
  const usage = stats.memory_stats.usage;
  if (typeof usage !== 'number') return undefined;
  const detail = stats.memory_stats.stats ?? {};
  const reclaimable = detail.total_inactive_file ?? detail.inactive_file ?? detail.cache ?? 0;
  return reclaimable < usage ? usage - reclaimable : usage;
}

/**
 * A tenant's usage: the sum over its containers (main + workers). CPU percent
 * is cores used over cores allocated, so 100 means the tenant uses all it was
 * given. A container without a CPU limit counts with the host's online cores;
 * one without a memory limit counts with the limit the engine reports.
 * Containers without two CPU reads count for memory but not for CPU.
 */
export function tenantResourceUsage(containers: readonly ContainerUsage[]): TenantResourceUsage {
  let coresUsed = 0;
  let coresAllocated = 0;
  let memBytes = 0;
  let memLimit = 0;
  for (const container of containers) {
    const cores = cpuCoresUsed(container.stats);
    if (cores !== undefined) {
      coresUsed += cores;
      coresAllocated += container.cpuLimitCores > 0 ? container.cpuLimitCores : container.stats.cpu_stats.online_cpus ?? 0;
    }
    const used = memoryUsedBytes(container.stats);
    if (used !== undefined) {
      memBytes += used;
      memLimit += container.memoryLimitBytes > 0 ? container.memoryLimitBytes : container.stats.memory_stats.limit ?? 0;
    }
  }
  const usage: TenantResourceUsage = { memBytes };
  if (coresAllocated > 0) usage.cpuPercent = (coresUsed / coresAllocated) * 100;
  if (memLimit > 0) usage.memPercent = (memBytes / memLimit) * 100;
  return usage;
}

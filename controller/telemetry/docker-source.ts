// Docker edge of the collector: a dedicated tenant's running containers (found
// by rp9's owner labels), each read once with `stats?stream=false` and
// inspected for the limits it was created with. Reads run in parallel; an
// aborted signal cancels the requests still in flight.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '../model.js';
import type { ContainerUsage, DockerStats } from './docker-stats.js';

export type ContainerUsageSource = (tenant: string, signal: AbortSignal) => Promise<ContainerUsage[]>;

function tenantFilters(environment: string, tenant: string): Record<string, string[]> {
  return {
    label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${environment}`, `${LABEL.tenant}=${tenant}`],
    status: ['running'],
  };
}

function isGone(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 404 || status === 409;
}

async function readContainer(docker: Docker, id: string, signal: AbortSignal): Promise<ContainerUsage | undefined> {
  const container = docker.getContainer(id);
  try {
    const [info, stats] = await Promise.all([
      container.inspect({ abortSignal: signal } as Docker.ContainerInspectOptions),
      container.stats({ stream: false, abortSignal: signal } as { stream: false }),
    ]);
    return {
      name: info.Name.replace(/^\//, ''),
      stats: stats as unknown as DockerStats,
      cpuLimitCores: (info.HostConfig.NanoCpus ?? 0) / 1_000_000_000,
      memoryLimitBytes: info.HostConfig.Memory ?? 0,
    };
  } catch (err) {
    // Stopped or removed between list and read: it uses nothing now.
    if (isGone(err)) return undefined;
    throw err;
  }
}

/**
 * Reads the running containers of a tenant in `environment` (main and
 * workers). Takes about one engine stats cycle (~1 s) whatever the count.
 */
export function createContainerUsageSource(docker: Docker, environment: string): ContainerUsageSource {
  return async (tenant, signal) => {
    const listed = await docker.listContainers({ filters: tenantFilters(environment, tenant), abortSignal: signal } as Docker.ContainerListOptions);
    const read = await Promise.all(listed.map((c) => readContainer(docker, c.Id, signal)));
    return read.filter((c): c is ContainerUsage => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  };
}

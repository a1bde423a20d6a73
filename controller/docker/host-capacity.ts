// The Docker host's capacity as its engine reports it (`docker info`): NCPU
// and MemTotal. What GET /analytics/recommendations divides the dedicated
// tenants' allocation by. The engine counts the CPUs it may schedule on and
// the machine's whole memory; it knows nothing of what else runs there.
import type Docker from 'dockerode';
import type { HostCapacity } from '../http/api/capacity.js';

const MIB = 1024 * 1024;

export async function dockerHostCapacity(docker: Docker): Promise<HostCapacity> {
  const info = (await docker.info()) as { Name?: string; NCPU?: number; MemTotal?: number };
  return { name: info.Name ?? 'docker', cpus: info.NCPU ?? 0, memoryMb: Math.floor((info.MemTotal ?? 0) / MIB), source: 'docker-info' };
}

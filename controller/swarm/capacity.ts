// Whether a tenant's services fit in its region: its region's nodes that
// take new tasks, their resources less what other services reserve. Pure.
// A tenant that does not fit stalls with NoCapacityInRegion before anything
// of it changes (Swarm itself would leave the tasks pending).
import { REGION_LABEL } from '../compile/services.js';

export interface NodeCapacity {
  hostname: string;
  /** The node's rp9.io.region label; undefined without one. */
  region: string | undefined;
  /** ready and active: takes new tasks. */
  available: boolean;
  /** Why not, when not: `down`, `drain`, ... */
  state: string;
  cpu: number;
  memoryMb: number;
  /** Reservations of the tasks that should run on it, by service name. */
  reserved: { service: string; cpu: number; memoryMb: number }[];
}

/** One task's reservation, of a service being created or updated. */
export interface TaskDemand {
  service: string;
  cpu: number;
  memoryMb: number;
}

export type CapacityVerdict = { ok: true } | { ok: false; message: string };

const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * `replacing`: the services whose tasks the demand replaces (their current
 * reservations are freed first). First-fit decreasing over the available
 * nodes of the region, most free CPU first.
 */
export function regionCapacity(nodes: readonly NodeCapacity[], region: string, demand: readonly TaskDemand[], replacing: ReadonlySet<string>): CapacityVerdict {
  if (demand.length === 0) return { ok: true };
  const inRegion = nodes.filter((n) => n.region === region);
  if (inRegion.length === 0) return { ok: false, message: `no node is labelled ${REGION_LABEL}=${region}` };
  const free = inRegion.filter((n) => n.available).map((n) => {
    const kept = n.reserved.filter((r) => !replacing.has(r.service));
    return { hostname: n.hostname, cpu: n.cpu - kept.reduce((sum, r) => sum + r.cpu, 0), memoryMb: n.memoryMb - kept.reduce((sum, r) => sum + r.memoryMb, 0) };
  });
  const unavailable = inRegion.filter((n) => !n.available).map((n) => `${n.hostname} is ${n.state}`);
  const sorted = [...demand].sort((a, b) => b.cpu - a.cpu || b.memoryMb - a.memoryMb);
  for (const task of sorted) {
    free.sort((a, b) => b.cpu - a.cpu);
    const node = free.find((n) => n.cpu + 1e-9 >= task.cpu && n.memoryMb + 1e-9 >= task.memoryMb);
    if (!node) {
      const nodesText = [...free.map((n) => `${n.hostname} has ${round(n.cpu)} CPU and ${round(n.memoryMb)} MB left`), ...unavailable].join('; ');
      const total = demand.reduce((sum, t) => ({ cpu: sum.cpu + t.cpu, memoryMb: sum.memoryMb + t.memoryMb }), { cpu: 0, memoryMb: 0 });
      return { ok: false, message: `no node in region ${region} has room for a task of ${task.service} (${task.cpu} CPU, ${task.memoryMb} MB reserved; ${demand.length} tasks need ${round(total.cpu)} CPU, ${round(total.memoryMb)} MB): ${nodesText}` };
    }
    node.cpu -= task.cpu;
    node.memoryMb -= task.memoryMb;
  }
  return { ok: true };
}

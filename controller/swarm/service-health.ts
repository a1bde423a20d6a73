// Whether a tenant's services run as many tasks as they should. Pure. A
// lost node leaves tasks that cannot move (their region has no other node
// with room) waiting; the tenant reports degraded until they run again.
import type { ObservedResource } from '../model.js';

/** One line per service short of tasks, empty when all run: `rp9-acme-worker: 1/2 tasks running (no suitable node ...)`. */
export function degradedServices(resources: readonly ObservedResource[]): string[] {
  const lines: string[] = [];
  for (const r of resources) {
    if (r.kind !== 'service' || r.running >= r.replicas) continue;
    const why = r.waiting.length > 0 ? ` (${r.waiting.join('; ')})` : '';
    lines.push(`${r.name}: ${r.running}/${r.replicas} tasks running${why}`);
  }
  return lines.sort();
}

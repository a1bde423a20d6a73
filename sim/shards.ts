// Splitting a simulation by tenant for worker threads, and joining the parts.
// Tenants never interact in the simulator (each has its own queue, pull
// requests and bot figures; the deciders judge each tenant alone), so a
// tenant's minutes are the same in any shard, and the joined result is the
// one-thread result exactly. Pure.
import { generateTraces } from './generate.js';
import { sumOf, type PolicyTotals, type SimulationResult } from './simulate.js';
import type { DemandSource, SourceShard } from './trace.js';

/** Tenant indices of each of `count` shards, dealt round-robin (neighbours differ in cost less than halves do). */
export function shardIndices(tenants: number, count: number): number[][] {
  const shards: number[][] = Array.from({ length: Math.max(1, Math.min(count, tenants)) }, () => []);
  for (let i = 0; i < tenants; i++) shards[i % shards.length]!.push(i);
  return shards;
}

/** The source a worker thread simulates: the shard's tenants, in shard order, with the demand of the whole source. */
export function shardSource(shard: SourceShard): DemandSource {
  if (shard.kind === 'generate') {
    const full = generateTraces(shard.options);
    const indices = shard.indices;
    return {
      start: full.start,
      minutes: full.minutes,
      tenants: indices.map((i) => full.tenants[i]!),
      demand(index, minute, out) {
        full.demand(indices[index]!, minute, out);
      },
    };
  }
  const { executionsPerMinute, cpuCores, memoryMb } = shard;
  return {
    start: new Date(shard.start),
    minutes: shard.minutes,
    tenants: shard.tenants,
    demand(index, minute, out) {
      out.executionsPerMinute = executionsPerMinute[index]![minute]!;
      out.cpuCores = cpuCores[index]![minute]!;
      out.memoryMb = memoryMb[index]![minute]!;
    },
  };
}

const COUNTED = ['sloMinutes', 'prsOpened', 'reviewPrs', 'prsMerged', 'prsClosed', 'flaps', 'promotions', 'restarts', 'planActions', 'memoryOverMinutes'] as const satisfies readonly (keyof PolicyTotals)[];

/** One policy's result over all tenants from its shards' results (`indices[k]` are shard k's tenants). */
export function joinShards(parts: readonly SimulationResult[], indices: readonly (readonly number[])[], tenants: number): SimulationResult {
  const first = parts[0]!;
  const hours = first.hours;
  const totals: PolicyTotals = { ...first.totals };
  for (const field of COUNTED) totals[field] = 0;
  const tenantSloMinutes = new Int32Array(tenants);
  const hourlyDemand = new Float32Array(tenants * hours);
  const hourlyCapacity = new Float32Array(tenants * hours);
  const changes: SimulationResult['changes'] = new Array(tenants);
  const coreMinutes = new Float64Array(tenants);
  const mbMinutes = new Float64Array(tenants);
  parts.forEach((part, k) => {
    for (const field of COUNTED) totals[field] += part.totals[field];
    indices[k]!.forEach((i, j) => {
      tenantSloMinutes[i] = part.tenantSloMinutes[j]!;
      hourlyDemand.set(part.hourlyDemand.subarray(j * hours, (j + 1) * hours), i * hours);
      hourlyCapacity.set(part.hourlyCapacity.subarray(j * hours, (j + 1) * hours), i * hours);
      changes[i] = part.changes[j]!;
      coreMinutes[i] = part.coreMinutes[j]!;
      mbMinutes[i] = part.mbMinutes[j]!;
    });
  });
  totals.coreHours = sumOf(coreMinutes) / 60;
  totals.gbHours = sumOf(mbMinutes) / 1024 / 60;
  return { totals, tenantSloMinutes, hours, hourlyDemand, hourlyCapacity, changes, coreMinutes, mbMinutes };
}

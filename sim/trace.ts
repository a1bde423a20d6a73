// What the simulator replays: each tenant's demand, minute by minute, and what
// it needs to know about the tenant. See docs/simulate.md#trace-format.

import type { GenerateOptions } from './generate.js';

export type TenantMode = 'shared' | 'dedicated';

/** The allocation a trace's cpu % and mem % were measured against. */
export interface RecordedAllocation {
  cpu: number;
  memoryMb: number;
  workers: number;
}

export interface TenantMeta {
  name: string;
  plan: string;
  mode: TenantMode;
  /** Mean execution time in seconds with the CPU it needs (the queueing model's S). */
  serviceSeconds: number;
  recorded: RecordedAllocation;
}

/** One tenant's demand in one minute, independent of what it is given. */
export interface Demand {
  executionsPerMinute: number;
  /** Cores the work would use unthrottled (cpu % × the recorded allocation's cores). */
  cpuCores: number;
  /** Memory the work uses, MB. */
  memoryMb: number;
}

export interface DemandSource {
  /** Minute 0; every tenant shares the grid. */
  start: Date;
  minutes: number;
  tenants: TenantMeta[];
  /** Writes tenant `index`'s demand at `minute` into `out`. */
  demand(index: number, minute: number, out: Demand): void;
  /**
   * A structured-cloneable description of the tenants at `indices` (source order), from which
   * `shardSource` (sim/shards.ts) rebuilds the same demand in a worker thread. Absent: the source
   * runs in one thread only.
   */
  shard?(indices: readonly number[]): SourceShard;
}

/** A part of a source for a worker thread: a generated fleet (rebuilt from its options), or columns of demand. */
export type SourceShard =
  | { kind: 'generate'; options: GenerateOptions; indices: number[] }
  | { kind: 'columns'; start: Date; minutes: number; tenants: TenantMeta[]; executionsPerMinute: Float64Array[]; cpuCores: Float64Array[]; memoryMb: Float64Array[] };

/** Containers of a dedicated tenant: main plus the workers (cpu and memoryMb are per container). */
export function recordedCores(recorded: RecordedAllocation): number {
  return (1 + recorded.workers) * recorded.cpu;
}

export function recordedMemoryMb(recorded: RecordedAllocation): number {
  return (1 + recorded.workers) * recorded.memoryMb;
}

/** Executions one n8n worker runs at once (n8n's default `--concurrency`; rp9 sets no other). */
export const EXECUTIONS_PER_WORKER = 10;

export const MINUTE_MS = 60_000;

export function emptyDemand(): Demand {
  return { executionsPerMinute: 0, cpuCores: 0, memoryMb: 0 };
}

// Running `simulateAll` on worker threads, one shard of tenants each (see
// sim/shards.ts for why the joined result is the one-thread result). Only
// from the built JavaScript (dist/): the worker is a .js file beside this one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SimError, type SimErrorCode } from './errors.js';
import { joinShards, shardIndices } from './shards.js';
import type { PolicyName, SimulationOptions, SimulationResult } from './simulate.js';
import type { SourceShard } from './trace.js';

export interface ShardJob {
  options: Omit<SimulationOptions, 'policy' | 'source' | 'context'>;
  shard: SourceShard;
  policies: readonly PolicyName[];
}

/** What a worker posts back: its results, or the fields of the SimError it stopped on. */
export type ShardReply = { results: SimulationResult[] } | { simError: { code: SimErrorCode; message: string; file?: string; line?: number; field?: string } };

const WORKER = new URL('./shard-worker.js', import.meta.url);

/** Whether `simulateInThreads` can run here (the built worker exists). */
export function threadsAvailable(): boolean {
  return WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));
}

function runShard(job: ShardJob): Promise<SimulationResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job });
    let done = false;
    worker.once('message', (reply: ShardReply) => {
      done = true;
      if ('results' in reply) resolve(reply.results);
      else reject(new SimError(reply.simError.code, reply.simError.message, reply.simError.file, reply.simError.line, reply.simError.field));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`simulate.worker-exit: a simulation thread exited with code ${code} before its result`));
    });
  });
}

/**
 * The policies over `options.source` split into `threads` shards of tenants, one worker thread each;
 * undefined when the source cannot be split (no `shard`), or fewer than two threads would run.
 */
export async function simulateInThreads(options: Omit<SimulationOptions, 'policy' | 'context'>, policies: readonly PolicyName[], threads: number): Promise<SimulationResult[] | undefined> {
  const { source, ...rest } = options;
  if (!source.shard || !threadsAvailable()) return undefined;
  const indices = shardIndices(source.tenants.length, threads);
  if (indices.length < 2) return undefined;
  const parts = await Promise.all(indices.map((shard) => runShard({ options: rest, shard: source.shard!(shard), policies })));
  return policies.map((_, k) => joinShards(parts.map((part) => part[k]!), indices, source.tenants.length));
}

// A worker thread's part of `compare` (sim/run.ts): every policy over one
// shard of the tenants. Reads its shard from workerData, posts the results.
import { parentPort, workerData } from 'node:worker_threads';
import { simulatedContext } from './context.js';
import { shardSource } from './shards.js';
import { simulateAll } from './simulate.js';
import type { ShardJob } from './parallel.js';

const job = workerData as ShardJob;
const results = await simulateAll({ ...job.options, source: shardSource(job.shard), context: simulatedContext(job.options.platform) }, job.policies);
parentPort!.postMessage(results);

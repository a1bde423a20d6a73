// A worker thread's part of `compare` (sim/run.ts): every policy over one
// shard of the tenants. Reads its shard from workerData, posts the results,
// or a SimError's fields (the class does not cross threads) for the main
// thread to throw again.
import { parentPort, workerData } from 'node:worker_threads';
import { simulatedContext } from './context.js';
import { SimError } from './errors.js';
import { shardSource } from './shards.js';
import { simulateAll } from './simulate.js';
import type { ShardJob, ShardReply } from './parallel.js';

const job = workerData as ShardJob;
let reply: ShardReply;
try {
  reply = { results: await simulateAll({ ...job.options, source: shardSource(job.shard), context: simulatedContext(job.options.platform) }, job.policies) };
} catch (error) {
  if (!(error instanceof SimError)) throw error;
  reply = { simError: { code: error.code, message: error.message, file: error.file, line: error.line, field: error.field } };
}
parentPort!.postMessage(reply);

// The upgrade gate's smoke execution on blue, the I/O around smoke-canary.ts:
// remove what an earlier run of this gate left; import rp9's canary into
// blue's main with `--activeState=fromJson` (the webhook is registered in
// blue's database); call it from inside blue's main (127.0.0.1, nothing about
// the network assumed), so main enqueues it on blue's Bull queue and a blue
// worker runs it; read the execution row and blue's worker logs; then remove
// the canary, its execution and its webhook, whatever the verdict.
//
// Only for a blue on n8n 2.x: 1.x's CLI cannot activate a workflow in a
// running instance (its import always deactivates), so a 1.x blue (a 1.x →
// 1.x upgrade) is not smoke-tested, and the result says so.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { execIn } from '../../edges/n8n/cli-exec.js';
import { importItems } from '../../edges/n8n/cli-export.js';
import { n8nLineOf } from '../compile/n8n-env.js';
import { newestExecution, removeWorkflowRows } from './canary-rows.js';
import { callWorthRetrying, canaryFor, canaryUrl, judgeSmoke, workerRan, type SmokeObservation, type SmokeVerdict } from './smoke-canary.js';

export interface BlueSmokeInput {
  operationId: string;
  /** Blue's n8n version: the smoke needs 2.x. */
  version: string;
  main: string;
  workers: readonly string[];
  /** N8N_PORT of blue's main. */
  port: number;
  /** Blue's database (admin URL with blue's database name). */
  databaseUrl: string;
}

export type BlueSmokeResult =
  | (SmokeVerdict & { seconds: number; removed: Record<string, number> })
  | { ok: true; skipped: string };

/** Tries of the call while main has not yet registered the new webhook or its database check is down (callWorthRetrying), 1 s apart. */
const CALL_TRIES = 30;
/** How long one call may wait for blue's worker to run the canary. */
const CALL_TIMEOUT_MS = 120_000;

// Run by `node -e` inside blue's main: one GET, its status and body as one JSON line.
const CALL_SCRIPT = `fetch(process.argv[1], { signal: AbortSignal.timeout(${CALL_TIMEOUT_MS}) })
  .then(async (r) => console.log(JSON.stringify({ status: r.status, body: (await r.text()).slice(0, 4000) })))
  .catch((e) => console.log(JSON.stringify({ error: String(e && e.message || e) })));`;

async function callFromMain(docker: Docker, main: string, url: string): Promise<SmokeObservation['call']> {
  const run = await execIn(docker, main, ['node', '-e', CALL_SCRIPT, url], { maxBytes: 1024 * 1024 });
  const line = run.stdout.toString('utf8').trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SmokeObservation['call'];
  } catch {
    return { error: `node exited ${run.exitCode}: ${`${line}\n${run.stderr}`.trim().slice(-400)}` };
  }
}

async function callUntilAnswered(docker: Docker, main: string, url: string, signal?: AbortSignal): Promise<SmokeObservation['call']> {
  let call = await callFromMain(docker, main, url);
  for (let i = 1; i < CALL_TRIES && callWorthRetrying(call) && !signal?.aborted; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    call = await callFromMain(docker, main, url);
  }
  return call;
}

async function logsOf(docker: Docker, container: string): Promise<string> {
  // Multiplexed frames: each log line is one write, so a line is never split; the 8-byte headers do not matter to a search.
  const buffer = (await docker.getContainer(container).logs({ stdout: true, stderr: true, follow: false, tail: 5_000 })) as unknown as Buffer;
  return buffer.toString('utf8');
}

export async function runBlueSmoke(docker: Docker, input: BlueSmokeInput, signal?: AbortSignal): Promise<BlueSmokeResult> {
  if (n8nLineOf(input.version) !== 'v2') return { ok: true, skipped: `blue runs n8n ${input.version}: its CLI cannot activate a workflow in a running instance, so the canary cannot run through its queue` };
  const canary = canaryFor(input.operationId);
  const started = Date.now();
  await removeWorkflowRows(input.databaseUrl, canary.id);
  try {
    await importItems(docker, input.main, 'workflows', [canary.workflow], { activeState: 'fromJson' });
    const token = randomBytes(12).toString('hex');
    const call = await callUntilAnswered(docker, input.main, canaryUrl(canary, input.port, token), signal);
    const execution = await newestExecution(input.databaseUrl, canary.id);
    const workers = await Promise.all(input.workers.map(async (container) => ({
      container,
      ran: execution ? workerRan(await logsOf(docker, container).catch(() => ''), execution.id) : false,
    })));
    const verdict = judgeSmoke({ token, call, ...(execution ? { execution } : {}), workers });
    const removed = await removeWorkflowRows(input.databaseUrl, canary.id);
    return { ...verdict, seconds: (Date.now() - started) / 1000, removed };
  } catch (error) {
    await removeWorkflowRows(input.databaseUrl, canary.id).catch(() => undefined);
    throw error;
  }
}

// The upgrade gate's smoke execution, pure: rp9's own canary workflow (a
// Webhook trigger answering with its last node, then a NoOp: no side effects,
// no credential), the ids it is known by, and the verdict on what the smoke
// saw. The canary runs on blue's main and queue: main takes the webhook and
// enqueues the execution on blue's Bull queue, a blue worker runs it, main
// answers with the NoOp's item (the request's query, so the token sent comes
// back). `n8n execute` cannot prove that: its CLI runs the workflow in its own
// process (EXECUTIONS_MODE=regular), never through the queue.
import { createHash } from 'node:crypto';

export interface Canary {
  /** The workflow id: `rp9smoke` + 8 hex of the operation id (n8n ids are 16 characters). */
  id: string;
  /** The webhook's path (unique per operation: n8n's webhook cache is keyed by method and path). */
  path: string;
  /** The workflow as `n8n import:workflow` reads it (active: imported with --activeState=fromJson). */
  workflow: Record<string, unknown>;
}

export const CANARY_NAME = 'rp9 upgrade smoke (removed by rp9)';

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The canary of one upgrade operation: the same ids on every run of the gate, so a re-run after a crash removes what an earlier run left. */
export function canaryFor(operationId: string): Canary {
  const id = `rp9smoke${hex(`workflow:${operationId}`, 8)}`;
  const path = `rp9-smoke-${hex(`path:${operationId}`, 24)}`;
  const workflow = {
    id,
    name: CANARY_NAME,
    active: true,
    nodes: [
      {
        id: uuidFrom(`webhook-node:${operationId}`),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: uuidFrom(`webhook-id:${operationId}`),
        parameters: { path, httpMethod: 'GET', responseMode: 'lastNode', options: {} },
      },
      { id: uuidFrom(`noop-node:${operationId}`), name: 'NoOp', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
    ],
    connections: { Webhook: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } },
    // Saved whatever the instance's defaults: the execution row is the proof the gate reads, then removes.
    settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
    pinData: {},
    tags: [],
  };
  return { id, path, workflow };
}

/** The URL blue's main serves the canary on, called from inside the main container. */
export function canaryUrl(canary: Canary, port: number, token: string): string {
  return `http://127.0.0.1:${port}/webhook/${canary.path}?token=${encodeURIComponent(token)}`;
}

/**
 * Whether the canary call is worth another try (bounded by the caller): 404, main has not registered the
 * new webhook yet (2.x publishes through an outbox its main drains); 503 "Database is not ready!", main's
 * own database health check missed a ping (it marks the connection down until the next one succeeds,
 * seen on a loaded host by bench:upgrade). Any other answer is the verdict's.
 */
export function callWorthRetrying(call: SmokeObservation['call']): boolean {
  if ('error' in call) return false;
  return call.status === 404 || (call.status === 503 && /database is not ready/i.test(call.body));
}

/** What the smoke saw on blue. */
export interface SmokeObservation {
  /** The token sent in the call's query. */
  token: string;
  /** The canary webhook's answer through blue's main, or why there was none. */
  call: { status: number; body: string } | { error: string };
  /** The canary's newest execution row in blue's database. */
  execution?: { id: string; status: string; mode: string };
  /** Blue's workers and whether each logged `Worker finished execution <id>` for that row. */
  workers: { container: string; ran: boolean }[];
}

export type SmokeVerdict =
  | { ok: true; detail: string; executionId: string; worker: string }
  | { ok: false; detail: string };

function tokenOf(body: string): string | undefined {
  try {
    const item = JSON.parse(body) as { query?: { token?: unknown } };
    return typeof item?.query?.token === 'string' ? item.query.token : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict: the call answered 200 with the token, the execution succeeded in webhook mode, and a blue worker ran it. */
export function judgeSmoke(seen: SmokeObservation): SmokeVerdict {
  if ('error' in seen.call) return { ok: false, detail: `the canary webhook could not be called on blue's main: ${seen.call.error}` };
  if (seen.call.status !== 200) return { ok: false, detail: `the canary webhook answered ${seen.call.status} on blue's main: ${seen.call.body.slice(0, 300)}` };
  if (tokenOf(seen.call.body) !== seen.token) return { ok: false, detail: `the canary webhook answered 200 without the token sent: ${seen.call.body.slice(0, 300)}` };
  if (!seen.execution) return { ok: false, detail: 'blue\'s database holds no execution of the canary' };
  const { id, status, mode } = seen.execution;
  if (status !== 'success') return { ok: false, detail: `the canary's execution ${id} ended ${status}` };
  if (mode !== 'webhook') return { ok: false, detail: `the canary's execution ${id} ran in mode ${mode}, not webhook` };
  if (seen.workers.length === 0) return { ok: false, detail: 'blue has no worker: nothing proves the queue works' };
  const worker = seen.workers.find((w) => w.ran);
  if (!worker) return { ok: false, detail: `no blue worker (${seen.workers.map((w) => w.container).join(', ')}) logged execution ${id}: it did not go through blue's queue` };
  return { ok: true, detail: `execution ${id} of the canary ran on ${worker.container} through blue's queue`, executionId: id, worker: worker.container };
}

/** True when a worker's log says it finished that execution (n8n 1.x and 2.x: `Worker finished execution <id> (job <n>)`). */
export function workerRan(log: string, executionId: string): boolean {
  return new RegExp(`Worker finished execution ${executionId.replace(/\D/g, '')} \\(job `).test(log);
}

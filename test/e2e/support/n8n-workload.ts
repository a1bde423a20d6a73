// A small real workload for the real-n8n tests: an owner with an API key, a
// header-auth credential and a webhook workflow that uses it, created through
// rp9's n8n edge (edges/n8n) with the adapter of the running major; and what
// n8n's own database says about executions. Works on 1.123.x and 2.41.x.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { bootstrapOwner, createApiKey, login, N8nError, type CredentialSummary, type N8nApi, type N8nConnection, type WorkflowSummary } from '../../../edges/n8n/index.js';
import { httpGet } from '../n8n-containers.js';
import { until } from './wait.js';

export const OWNER = { email: 'owner@rp9.test', firstName: 'Rp9', lastName: 'Owner', password: 'Rp9-owner-Passw0rd' };
export const WEBHOOK_HEADER = { name: 'X-Rp9-Key', value: 'rp9-webhook-secret' };

export interface Workload {
  connection: N8nConnection;
  credential: CredentialSummary;
  workflow: WorkflowSummary;
  webhookPath: string;
}

/**
 * How long a real-n8n test waits for n8n's REST API, then for it to stop
 * answering 503 "n8n is starting up": bounded, but generous for a loaded
 * machine (at a load average of ~70, 120 s was not enough for 1.x).
 */
export const N8N_REST_TIMEOUT_MS = 300_000;

/**
 * Polls the REST API until it answers (it comes up a little after readiness),
 * then sets up the owner and an API key, retrying only while n8n answers 503
 * (still starting up); any other error fails at once. A setup whose answer was
 * a 503 but that did happen is found as "already set up" and logs in instead.
 */
export async function ownerConnection(baseUrl: string, timeoutMs = N8N_REST_TIMEOUT_MS): Promise<N8nConnection> {
  const started = Date.now();
  await until(`n8n REST at ${baseUrl} (GET /rest/settings answering 200)`, async () => (await httpGet(`${baseUrl}/rest/settings`, 3_000)).status === 200, { timeoutMs, intervalMs: 1_000 });
  const outcome = await until(`owner setup at ${baseUrl} (retried while n8n answers that it is starting up)`, async () => {
    try {
      return { connection: await setUpOwner(baseUrl) };
    } catch (error) {
      if (startingUp(error)) throw error;
      return { error };
    }
  }, { timeoutMs: Math.max(30_000, timeoutMs - (Date.now() - started)), intervalMs: 2_000 });
  if ('error' in outcome) throw outcome.error;
  return outcome.connection;
}

/** n8n's answer while it is up but not ready: 503, with "n8n is starting up" in the body. */
function startingUp(error: unknown): boolean {
  return error instanceof N8nError && (error.details?.status === 503 || /starting up/i.test(error.message));
}

async function setUpOwner(baseUrl: string): Promise<N8nConnection> {
  try {
    return await bootstrapOwner(baseUrl, OWNER);
  } catch (error) {
    if (!(error instanceof N8nError && error.details?.status === 400 && /already set ?up/i.test(error.message))) throw error;
    const cookie = await login(baseUrl, OWNER.email, OWNER.password);
    return { baseUrl, cookie, apiKey: await createApiKey({ baseUrl, cookie }, 'rp9') };
  }
}

/** A header-auth credential and a published webhook workflow (Webhook → Set) that answers `{ msg: "hello <path>" }`. */
export async function createWorkload(api: N8nApi, connection: N8nConnection, webhookPath: string): Promise<Workload> {
  const credential = await api.createCredential(connection, { name: 'rp9 webhook key', type: 'httpHeaderAuth', data: { name: WEBHOOK_HEADER.name, value: WEBHOOK_HEADER.value } });
  const workflow = await api.createWorkflow(connection, {
    name: `rp9 ${webhookPath}`,
    nodes: [
      {
        id: randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: randomUUID(),
        parameters: { httpMethod: 'GET', path: webhookPath, authentication: 'headerAuth', responseMode: 'lastNode', options: {} },
        credentials: { httpHeaderAuth: { id: credential.id, name: credential.name } },
      },
      {
        id: randomUUID(),
        name: 'Set',
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        position: [220, 0],
        parameters: { assignments: { assignments: [{ id: randomUUID(), name: 'msg', value: `={{ "hello " + "${webhookPath}" }}`, type: 'string' }] }, options: {} },
      },
    ],
    connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  });
  await api.publishWorkflow(connection, workflow.id);
  return { connection, credential, workflow: await api.getWorkflow(connection, workflow.id), webhookPath };
}

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** Calls the workflow's production webhook, with or without the credential's header. */
export async function callWebhook(baseUrl: string, path: string, withKey = true, timeoutMs = 30_000): Promise<WebhookAnswer> {
  const headers: Record<string, string> = withKey ? { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value } : {};
  const response = await fetch(`${baseUrl}/webhook/${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** Calls until the webhook answers 200 (registration follows publishing by a moment); fails with the last answer. */
export async function callWebhookUntilServed(baseUrl: string, path: string): Promise<WebhookAnswer> {
  return until(`webhook ${path} to answer 200`, async () => {
    const answer = await callWebhook(baseUrl, path);
    if (answer.status === 200) return answer;
    throw new Error(`${answer.status} ${answer.body.slice(0, 200)}`);
  }, { timeoutMs: 60_000, intervalMs: 1_000 });
}

export interface ExecutionRow {
  id: string;
  status: string;
  mode: string;
  finished: boolean;
}

/** The workflow's executions, newest first, from n8n's execution_entity in the tenant database. */
export async function executionsOf(databaseUrl: string, workflowId: string): Promise<ExecutionRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<ExecutionRow>(
      'select id::text as id, status, mode, finished from execution_entity where "workflowId" = $1 order by id desc',
      [workflowId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** How many migrations n8n has recorded in the tenant database. */
export async function migrationCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>('select count(*) from migrations');
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** Rows of every table with a `workflowId` column (and workflow_entity by id) that name `workflowId`, by table; empty when none does. */
export async function rowsNamingWorkflow(databaseUrl: string, workflowId: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'workflowId' order by table_name`,
    );
    const found: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      const { rows } = await client.query<{ count: string }>(`select count(*) from "${table}" where "workflowId"::text = $1`, [workflowId]);
      if (Number(rows[0]?.count) > 0) found[table] = Number(rows[0]?.count);
    }
    const { rows } = await client.query<{ count: string }>('select count(*) from workflow_entity where id = $1', [workflowId]);
    if (Number(rows[0]?.count) > 0) found.workflow_entity = Number(rows[0]?.count);
    return found;
  } finally {
    await client.end();
  }
}

// A small real workload for the real-n8n tests: an owner with an API key, a
// header-auth credential and a webhook workflow that uses it, created through
// rp9's n8n edge (edges/n8n) with the adapter of the running major; and what
// n8n's own database says about executions. Works on 1.123.x and 2.41.x.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { bootstrapOwner, type CredentialSummary, type N8nApi, type N8nConnection, type WorkflowSummary } from '../../../edges/n8n/index.js';
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

/** Polls the REST API until it answers (it comes up a little after readiness), then sets up the owner and an API key. */
export async function ownerConnection(baseUrl: string): Promise<N8nConnection> {
  await until(`n8n REST at ${baseUrl}`, async () => (await httpGet(`${baseUrl}/rest/settings`, 3_000)).status === 200, { timeoutMs: 120_000, intervalMs: 1_000 });
  return bootstrapOwner(baseUrl, OWNER);
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
export async function callWebhook(baseUrl: string, path: string, withKey = true): Promise<WebhookAnswer> {
  const headers: Record<string, string> = withKey ? { [WEBHOOK_HEADER.name]: WEBHOOK_HEADER.value } : {};
  const response = await fetch(`${baseUrl}/webhook/${path}`, { headers, signal: AbortSignal.timeout(30_000) });
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

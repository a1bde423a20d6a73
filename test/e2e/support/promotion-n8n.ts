// The promotion e2e's world: a real shared n8n and a tenant's real dedicated
// n8n (main + queue worker each, 2.x image, host network) on the test
// dockerd, each on its own PostgreSQL database and Redis database; a tenant
// user (member) on shared, invited and accepted headlessly, who owns ten
// workflows (four active webhooks, one of them authenticated by a
// credential; six inactive webhooks) in its personal project.
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { createApiKey, login, type N8nApi, type N8nConnection } from '../../../edges/n8n/index.js';
import { freePort } from '../../harness/processes.js';
import { httpGet, queueModeEnv, waitWhileRunning, type TenantDatabase } from '../n8n-containers.js';
import { createWorkload } from './n8n-workload.js';

/** Readiness polls, 500 ms apart: 2.x runs ~150 migrations on a fresh database, minutes on a loaded machine. */
const READY_POLLS = 1_800;

export interface N8nStack {
  main: Docker.Container;
  worker: Docker.Container;
  url: string;
}

export interface StackOptions {
  docker: Docker;
  image: string;
  version: string;
  db: TenantDatabase;
  redisUrl: string;
  /** Its own Redis database: two instances on one queue would run each other's jobs. */
  redisDb: number;
  names: { main: string; worker: string };
  labels?: Record<string, string>;
  encryptionKey: string;
}

/** Main, then its worker; resolves once both answer readiness (bounded, failing with the logs). */
export async function startStack(options: StackOptions, track: (c: Docker.Container) => void): Promise<N8nStack> {
  const mainPort = await freePort();
  const workerPort = await freePort();
  const common = { db: options.db, redisUrl: options.redisUrl, encryptionKey: options.encryptionKey, version: options.version };
  const create = async (role: 'main' | 'worker', port: number) => {
    const env = [...queueModeEnv({ ...common, port, brokerPort: await freePort() }), `QUEUE_BULL_REDIS_DB=${options.redisDb}`, 'DB_POSTGRESDB_CONNECTION_TIMEOUT=120000'];
    const container = await options.docker.createContainer({
      name: role === 'main' ? options.names.main : options.names.worker,
      Image: options.image,
      Cmd: [role === 'main' ? 'start' : 'worker'],
      Env: role === 'main' ? env : [...env, 'QUEUE_HEALTH_CHECK_ACTIVE=true', `QUEUE_HEALTH_CHECK_PORT=${port}`, 'N8N_WORKER_SERVER_ADDRESS=127.0.0.1'],
      Labels: options.labels ?? {},
      HostConfig: { NetworkMode: 'host', Init: true },
    });
    track(container);
    await container.start();
    await waitWhileRunning(`${role} readiness`, container, async () => (await httpGet(`http://127.0.0.1:${port}/healthz/readiness`, 2_000)).status === 200, READY_POLLS, 500);
    return container;
  };
  const main = await create('main', mainPort);
  const worker = await create('worker', workerPort);
  return { main, worker, url: `http://127.0.0.1:${mainPort}` };
}

export interface TenantWorkload {
  member: N8nConnection;
  credentialId: string;
  credentialData: Record<string, unknown>;
  workflowIds: string[];
  activeIds: string[];
  authWebhook: string;
  openWebhooks: string[];
  idleWebhooks: string[];
}

function webhookWorkflow(name: string, path: string) {
  return {
    name,
    nodes: [
      { id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path, responseMode: 'lastNode', options: {} } },
      { id: randomUUID(), name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [220, 0], parameters: { assignments: { assignments: [{ id: randomUUID(), name: 'msg', value: `hello ${path}`, type: 'string' }] }, options: {} } },
    ],
    connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

/** The tenant's user on shared (invited by the owner, accepted headlessly) and its ten workflows, four of them active. */
export async function seedTenant(api: N8nApi, owner: N8nConnection, email: string, prefix: string): Promise<TenantWorkload> {
  const person = { firstName: 'Tenant', lastName: prefix, password: 'Tenant-Passw0rd-1' };
  await api.acceptInvitation(owner, await api.inviteMember(owner, email), person);
  const cookie = await login(owner.baseUrl, email, person.password);
  const member: N8nConnection = { baseUrl: owner.baseUrl, apiKey: await createApiKey({ baseUrl: owner.baseUrl, cookie }, 'tenant') };
  const authWebhook = `${prefix}-auth`;
  const workload = await createWorkload(api, member, authWebhook);
  const openWebhooks = [1, 2, 3].map((i) => `${prefix}-open-${i}`);
  const idleWebhooks = [1, 2, 3, 4, 5, 6].map((i) => `${prefix}-idle-${i}`);
  const activeIds = [workload.workflow.id];
  const workflowIds = [workload.workflow.id];
  for (const path of openWebhooks) {
    const wf = await api.createWorkflow(member, webhookWorkflow(`open ${path}`, path));
    await api.publishWorkflow(member, wf.id);
    activeIds.push(wf.id);
    workflowIds.push(wf.id);
  }
  for (const path of idleWebhooks) workflowIds.push((await api.createWorkflow(member, webhookWorkflow(`idle ${path}`, path))).id);
  return {
    member,
    credentialId: workload.credential.id,
    credentialData: { name: 'X-Rp9-Key', value: 'rp9-webhook-secret' },
    workflowIds: workflowIds.sort(),
    activeIds: activeIds.sort(),
    authWebhook,
    openWebhooks,
    idleWebhooks,
  };
}

/** The ids among `ids` that are active on the instance; an instance that does not answer (stopped) has none active. */
export async function activeOn(api: N8nApi, connection: N8nConnection | undefined, ids: readonly string[]): Promise<string[]> {
  if (!connection) return [];
  const active: string[] = [];
  for (const id of ids) {
    try {
      if ((await api.getWorkflow({ ...connection, timeoutMs: 5_000 }, id)).active) active.push(id);
    } catch (error) {
      const status = (error as { details?: { status?: number } }).details?.status;
      if (status === 404) continue;
      if ((error as { code?: string }).code === 'n8n.unreachable') return [];
      throw error;
    }
  }
  return active.sort();
}

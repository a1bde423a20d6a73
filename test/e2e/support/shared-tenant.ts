// A shared tenant on a real shared n8n, ready to be promoted: its tenant
// files (shared, then dedicated with a promotion window open now), and its
// workload as the tenant's member user makes it (the invitation accepted,
// its own API key): 10 workflows, 5 of them active, the first a webhook that
// uses a header-auth credential, four more webhooks and five manual ones.
import { randomUUID } from 'node:crypto';
import { createApiKey, login, type N8nApi, type N8nConnection } from '../../../edges/n8n/index.js';
import { createWorkload, type Workload } from './n8n-workload.js';

export const MEMBER_PERSON = { firstName: 'Tenant', lastName: 'Member', password: 'Tenant-member-Passw0rd' };

export interface SharedTenantInput {
  name: string;
  email: string;
  /** spec.region; the example platform.yaml has us-east. */
  region?: string;
}

export function sharedTenantYaml(input: SharedTenantInput): string {
  return ['apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${input.name}`, `  email: ${input.email}`, 'spec:', '  plan: starter', '  mode: shared', `  region: ${input.region ?? 'us-east'}`, `  subdomain: ${input.name}`, ''].join('\n');
}

/** The merged promotion: dedicated (one worker, 1.5 GB for n8n 2.x), window opened a minute ago. */
export function promotionYaml(input: SharedTenantInput & { ttlMinutes?: number; reason?: string }): string {
  return [
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${input.name}`, `  email: ${input.email}`, 'spec:', '  plan: starter',
    '  mode: dedicated', `  region: ${input.region ?? 'us-east'}`, `  subdomain: ${input.name}`,
    '  resources: { workers: 1, memoryMb: 1536, cpu: 1 }',
    '  promotion:', `    window: "${new Date(Date.now() - 60_000).toISOString()}"`, `    ttlMinutes: ${input.ttlMinutes ?? 10}`, `    reason: "${input.reason ?? 'e2e'}"`, '',
  ].join('\n');
}

export function webhookWorkflow(name: string, path: string) {
  return {
    name,
    nodes: [{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path, responseMode: 'onReceived', options: {} } }],
    connections: {},
    settings: { executionOrder: 'v1' },
  };
}

export function plainWorkflow(name: string) {
  return { name, nodes: [{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }], connections: {}, settings: { executionOrder: 'v1' } };
}

export interface SharedTenantWorkload {
  /** The member's own connection (cookie and API key). */
  connection: N8nConnection;
  /** The webhook workflow that uses the credential. */
  workload: Workload;
  /** All 10 workflow ids, sorted. */
  workflows: string[];
  /** The 5 active ones, sorted. */
  active: string[];
}

/** Accepts the member's invitation (rp9's members pass made it) and creates the workload as the member. */
export async function seedSharedTenant(api: N8nApi, sharedUrl: string, member: { email: string; acceptUrl: string }, slug: string): Promise<SharedTenantWorkload> {
  await api.acceptInvitation({ baseUrl: sharedUrl, timeoutMs: 60_000 }, { email: member.email, acceptUrl: member.acceptUrl }, MEMBER_PERSON);
  const cookie = await login(sharedUrl, member.email, MEMBER_PERSON.password);
  const connection: N8nConnection = { baseUrl: sharedUrl, cookie, apiKey: await createApiKey({ baseUrl: sharedUrl, cookie, timeoutMs: 60_000 }, 'tenant'), timeoutMs: 60_000 };
  const workload = await createWorkload(api, connection, `${slug}-main`);
  const workflows = [workload.workflow.id];
  const active = [workload.workflow.id];
  for (let i = 1; i <= 4; i += 1) {
    const w = await api.createWorkflow(connection, webhookWorkflow(`hook${i}`, `${slug}-hook${i}`));
    await api.publishWorkflow(connection, w.id);
    workflows.push(w.id);
    active.push(w.id);
  }
  for (let i = 1; i <= 5; i += 1) workflows.push((await api.createWorkflow(connection, plainWorkflow(`plain${i}`))).id);
  return { connection, workload, workflows: workflows.sort(), active: active.sort() };
}

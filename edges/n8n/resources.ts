// Public-API calls that are the same on n8n 1.x and 2.x.
import type { CredentialSummary, Invitation, WorkflowInput, WorkflowSummary } from './api.js';
import { N8nError } from './errors.js';
import { dataOf, n8nCall, stringField, type N8nConnection } from './http.js';

export async function createCredential(connection: N8nConnection, credential: { name: string; type: string; data: Record<string, unknown> }): Promise<CredentialSummary> {
  const operation = 'create-credential';
  const { json } = await n8nCall(connection, { operation, method: 'POST', path: '/api/v1/credentials', body: credential, auth: 'api-key' });
  return credentialSummary(json, operation);
}

export async function createWorkflow(connection: N8nConnection, workflow: WorkflowInput): Promise<WorkflowSummary> {
  const operation = 'create-workflow';
  const body = { settings: {}, ...workflow };
  const { json } = await n8nCall(connection, { operation, method: 'POST', path: '/api/v1/workflows', body, auth: 'api-key' });
  return workflowSummary(json, operation);
}

export async function getWorkflow(connection: N8nConnection, id: string): Promise<WorkflowSummary> {
  const operation = 'get-workflow';
  const { json } = await n8nCall(connection, { operation, method: 'GET', path: `/api/v1/workflows/${encodeURIComponent(id)}`, auth: 'api-key' });
  return workflowSummary(json, operation);
}

export async function inviteMember(connection: N8nConnection, email: string): Promise<Invitation> {
  const operation = 'invite-member';
  const { json } = await n8nCall(connection, { operation, method: 'POST', path: '/api/v1/users', body: [{ email, role: 'global:member' }], auth: 'api-key' });
  const first = Array.isArray(json) ? json[0] : undefined;
  const user = first !== null && typeof first === 'object' ? (first as { user?: unknown; error?: unknown }) : undefined;
  if (!user?.user || user.error) {
    throw new N8nError('n8n.bad-response', `${operation}: n8n did not invite ${email}: ${JSON.stringify(json)?.slice(0, 300)}`, { operation });
  }
  return { email, acceptUrl: stringField(user.user, 'inviteAcceptUrl', operation) };
}

export function credentialSummary(value: unknown, operation: string): CredentialSummary {
  return { id: stringField(value, 'id', operation), name: stringField(value, 'name', operation), type: stringField(value, 'type', operation) };
}

export function workflowSummary(value: unknown, operation: string): WorkflowSummary {
  const data = dataOf(value);
  const active = data !== null && typeof data === 'object' ? (data as { active?: unknown }).active : undefined;
  return { id: stringField(data, 'id', operation), name: stringField(data, 'name', operation), active: active === true };
}

/** `DELETE /api/v1/workflows/{id}` (the same on 1.x and 2.x); an absent workflow is already deleted. */
export async function deleteWorkflow(connection: N8nConnection, id: string): Promise<'deleted' | 'absent'> {
  return deleteOrAbsent(connection, 'delete-workflow', `/api/v1/workflows/${encodeURIComponent(id)}`);
}

/** `DELETE /api/v1/credentials/{id}` (the same on 1.x and 2.x); an absent credential is already deleted. */
export async function deleteCredential(connection: N8nConnection, id: string): Promise<'deleted' | 'absent'> {
  return deleteOrAbsent(connection, 'delete-credential', `/api/v1/credentials/${encodeURIComponent(id)}`);
}

async function deleteOrAbsent(connection: N8nConnection, operation: string, path: string): Promise<'deleted' | 'absent'> {
  try {
    await n8nCall(connection, { operation, method: 'DELETE', path, auth: 'api-key' });
    return 'deleted';
  } catch (error) {
    if (error instanceof N8nError && error.code === 'n8n.http-error' && error.details.status === 404) return 'absent';
    throw error;
  }
}

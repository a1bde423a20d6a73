// n8n 1.x: activate/deactivate, credentials listed only through REST (the
// public API answers 405), invitations accepted by invitee id.
import type { CredentialSummary, N8nApi } from './api.js';
import { N8nError } from './errors.js';
import { dataOf, n8nCall } from './http.js';
import { inviteKeyOf } from './invitation.js';
import { createCredential, createWorkflow, credentialSummary, getWorkflow, inviteMember } from './resources.js';

export const n8nApiV1: N8nApi = {
  major: 1,
  async publishWorkflow(connection, id) {
    await n8nCall(connection, { operation: 'activate-workflow', method: 'POST', path: `/api/v1/workflows/${encodeURIComponent(id)}/activate`, auth: 'api-key' });
  },
  async unpublishWorkflow(connection, id) {
    await n8nCall(connection, { operation: 'deactivate-workflow', method: 'POST', path: `/api/v1/workflows/${encodeURIComponent(id)}/deactivate`, auth: 'api-key' });
  },
  async listCredentials(connection) {
    const operation = 'list-credentials';
    const data = dataOf((await n8nCall(connection, { operation, method: 'GET', path: '/rest/credentials', auth: 'cookie' })).json);
    if (!Array.isArray(data)) throw new N8nError('n8n.bad-response', `${operation}: expected a list`, { operation });
    return data.map((item): CredentialSummary => credentialSummary(item, operation));
  },
  inviteMember,
  async acceptInvitation(connection, invitation, person) {
    const key = inviteKeyOf(invitation.acceptUrl, 1);
    if (key.kind !== 'ids') throw new N8nError('n8n.invalid-invite', `not a 1.x invitation: ${invitation.acceptUrl}`);
    await n8nCall({ baseUrl: connection.baseUrl, timeoutMs: connection.timeoutMs }, {
      operation: 'accept-invitation',
      method: 'POST',
      path: `/rest/invitations/${encodeURIComponent(key.inviteeId)}/accept`,
      body: { inviterId: key.inviterId, ...person },
      auth: 'none',
    });
  },
  createCredential,
  createWorkflow,
  getWorkflow,
};

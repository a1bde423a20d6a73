// n8n 2.x: publish/unpublish (activate/deactivate are deprecated), credential
// metadata from the public API, invitations accepted by token.
import type { CredentialSummary, N8nApi } from './api.js';
import { N8nError } from './errors.js';
import { n8nCall } from './http.js';
import { inviteKeyOf } from './invitation.js';
import { createCredential, createWorkflow, credentialSummary, getWorkflow, inviteMember } from './resources.js';

/** Pages of 100; a tenant with more than this many pages of credentials is refused rather than looped on. */
const MAX_CREDENTIAL_PAGES = 100;

export const n8nApiV2: N8nApi = {
  major: 2,
  async publishWorkflow(connection, id) {
    await n8nCall(connection, { operation: 'publish-workflow', method: 'POST', path: `/api/v1/workflows/${encodeURIComponent(id)}/publish`, auth: 'api-key' });
  },
  async unpublishWorkflow(connection, id) {
    await n8nCall(connection, { operation: 'unpublish-workflow', method: 'POST', path: `/api/v1/workflows/${encodeURIComponent(id)}/unpublish`, auth: 'api-key' });
  },
  async listCredentials(connection) {
    const operation = 'list-credentials';
    const all: CredentialSummary[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_CREDENTIAL_PAGES; page++) {
      const query = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const { json } = await n8nCall(connection, { operation, method: 'GET', path: `/api/v1/credentials${query}`, auth: 'api-key' });
      const body = json as { data?: unknown; nextCursor?: unknown } | undefined;
      if (!body || !Array.isArray(body.data)) throw new N8nError('n8n.bad-response', `${operation}: expected { data: [...] }`, { operation });
      for (const item of body.data) all.push(credentialSummary(item, operation));
      if (typeof body.nextCursor !== 'string' || body.nextCursor === '') return all;
      cursor = body.nextCursor;
    }
    throw new N8nError('n8n.bad-response', `${operation}: more than ${MAX_CREDENTIAL_PAGES} pages of credentials`, { operation });
  },
  inviteMember,
  async acceptInvitation(connection, invitation, person) {
    const key = inviteKeyOf(invitation.acceptUrl, 2);
    if (key.kind !== 'token') throw new N8nError('n8n.invalid-invite', `not a 2.x invitation: ${invitation.acceptUrl}`);
    await n8nCall({ baseUrl: connection.baseUrl, timeoutMs: connection.timeoutMs }, {
      operation: 'accept-invitation', method: 'POST', path: '/rest/invitations/accept', body: { token: key.token, ...person }, auth: 'none',
    });
  },
  createCredential,
  createWorkflow,
  getWorkflow,
};

// The n8n edge: REST and public API of an n8n instance, one adapter per major
// behind N8nApi. (The CLI export/import edge lives beside it in cli-*.ts.)
import type { N8nApi } from './api.js';
import { n8nApiV1 } from './api-v1.js';
import { n8nApiV2 } from './api-v2.js';
import { N8nError } from './errors.js';

export type { CredentialSummary, Invitation, N8nApi, N8nMajor, Person, WorkflowInput, WorkflowSummary } from './api.js';
export { bootstrapOwner, createApiKey, login, type Owner } from './bootstrap.js';
export { N8nError, isN8nError, type N8nErrorCode } from './errors.js';
export type { N8nConnection } from './http.js';
export { inviteKeyOf, type InviteKey } from './invitation.js';
export { deleteUser, findUserByEmail, inviteUser, type InvitedUser, type N8nUser } from './users.js';
export { listProjectWorkflows, setWorkflowActive } from './project-workflows.js';
export { deleteCredential, deleteWorkflow } from './resources.js';
export { disableUser, isUserDisabled, setUserDisabled, type N8nDatabase } from './user-disabled.js';

/** The adapter for an n8n version ("1.123.81", "2.41.1", "v2.41.1"); n8n.unsupported-version for anything else. */
export function n8nApiFor(version: string): N8nApi {
  const match = /^v?(\d+)\.\d+\.\d+/.exec(version);
  const major = match ? Number(match[1]) : NaN;
  if (major === 1) return n8nApiV1;
  if (major === 2) return n8nApiV2;
  throw new N8nError('n8n.unsupported-version', `rp9 talks to n8n 1.x and 2.x; got version ${JSON.stringify(version)}`);
}

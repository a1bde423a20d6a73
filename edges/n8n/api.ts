// The one interface rp9 uses to talk to an n8n instance's REST and public API.
// Where 1.x and 2.x differ (activation vs publishing, credential listing,
// invitation acceptance) each major has its adapter (api-v1.ts, api-v2.ts);
// n8nApiFor(version) picks it. What is the same on both (owner setup, login,
// API keys, creating credentials and workflows) lives in bootstrap.ts and
// resources.ts and is shared by the adapters.
import type { N8nConnection } from './http.js';

export type N8nMajor = 1 | 2;

export interface CredentialSummary {
  id: string;
  name: string;
  type: string;
}

export interface Person {
  firstName: string;
  lastName: string;
  password: string;
}

export interface Invitation {
  email: string;
  /** n8n's inviteAcceptUrl: 1.x carries inviterId/inviteeId, 2.x a token. */
  acceptUrl: string;
}

export interface WorkflowInput {
  name: string;
  nodes: unknown[];
  connections: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  active: boolean;
}

export interface N8nApi {
  readonly major: N8nMajor;
  /** Makes the workflow's current version serve its triggers: 1.x activate, 2.x publish. */
  publishWorkflow(connection: N8nConnection, id: string): Promise<void>;
  /** Stops serving it: 1.x deactivate, 2.x unpublish. */
  unpublishWorkflow(connection: N8nConnection, id: string): Promise<void>;
  /** Credential metadata, never secrets: 1.x only through REST (needs the cookie), 2.x the public API. */
  listCredentials(connection: N8nConnection): Promise<CredentialSummary[]>;
  /** Invites a member through the public API (the same on both majors). */
  inviteMember(connection: N8nConnection, email: string): Promise<Invitation>;
  /** Accepts an invitation without a person clicking the link: 1.x by invitee id, 2.x by token. */
  acceptInvitation(connection: N8nConnection, invitation: Invitation, person: Person): Promise<void>;
  createCredential(connection: N8nConnection, credential: { name: string; type: string; data: Record<string, unknown> }): Promise<CredentialSummary>;
  createWorkflow(connection: N8nConnection, workflow: WorkflowInput): Promise<WorkflowSummary>;
  getWorkflow(connection: N8nConnection, id: string): Promise<WorkflowSummary>;
}

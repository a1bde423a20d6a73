// Members of an n8n instance through its public API (the same on 1.x and 2.x):
// find a user by email, invite one, delete one. A shared tenant is one member
// of the shared n8n; its personal project is the tenant's data boundary.
import { N8nError, isN8nError } from './errors.js';
import { n8nCall, stringField, type N8nConnection } from './http.js';

export interface N8nUser {
  id: string;
  email: string;
  /** True until the invitation is accepted. */
  isPending: boolean;
}

export interface InvitedUser extends N8nUser {
  /** n8n's inviteAcceptUrl (1.x: inviterId/inviteeId, 2.x: token). */
  acceptUrl: string;
}

function userOf(value: unknown, operation: string): N8nUser {
  const pending = value !== null && typeof value === 'object' ? (value as { isPending?: unknown }).isPending : undefined;
  return { id: stringField(value, 'id', operation), email: stringField(value, 'email', operation).toLowerCase(), isPending: pending === true };
}

/** The user with this email (n8n's `GET /users/{id|email}`), or undefined when n8n has none. */
export async function findUserByEmail(connection: N8nConnection, email: string): Promise<N8nUser | undefined> {
  const operation = 'find-user';
  try {
    const { json } = await n8nCall(connection, { operation, method: 'GET', path: `/api/v1/users/${encodeURIComponent(email.trim().toLowerCase())}`, auth: 'api-key' });
    return userOf(json, operation);
  } catch (error) {
    if (isN8nError(error, 'n8n.http-error') && error.details.status === 404) return undefined;
    throw error;
  }
}

/** Invites a member (`POST /users`); n8n answers with the user it created and its accept URL. */
export async function inviteUser(connection: N8nConnection, email: string): Promise<InvitedUser> {
  const operation = 'invite-user';
  const { json } = await n8nCall(connection, { operation, method: 'POST', path: '/api/v1/users', body: [{ email, role: 'global:member' }], auth: 'api-key' });
  const first = Array.isArray(json) ? (json[0] as { user?: unknown; error?: unknown } | undefined) : undefined;
  if (!first || first.error || first.user === null || typeof first.user !== 'object') {
    throw new N8nError('n8n.bad-response', `${operation}: n8n did not invite ${email}: ${JSON.stringify(json)?.slice(0, 300)}`, { operation });
  }
  return { ...userOf({ isPending: true, ...first.user }, operation), acceptUrl: stringField(first.user, 'inviteAcceptUrl', operation) };
}

/** Deletes a user and, with no transfer, everything in its personal project (`DELETE /users/{id}`); an absent user is already deleted. */
export async function deleteUser(connection: N8nConnection, id: string): Promise<'deleted' | 'absent'> {
  try {
    await n8nCall(connection, { operation: 'delete-user', method: 'DELETE', path: `/api/v1/users/${encodeURIComponent(id)}`, auth: 'api-key' });
    return 'deleted';
  } catch (error) {
    if (isN8nError(error, 'n8n.http-error') && error.details.status === 404) return 'absent';
    throw error;
  }
}

// A fresh instance's owner, session and API key, headless. The REST calls are
// the same on 1.x and 2.x (measured on 1.123.81 and 2.41.1); only the number
// of scopes differs, so the key gets every scope the instance offers.
import { N8nError } from './errors.js';
import { dataOf, n8nCall, type N8nConnection } from './http.js';

export interface Owner {
  email: string;
  firstName: string;
  lastName: string;
  /** 8-64 characters, with a number and an uppercase letter. */
  password: string;
}

/** Sets up the owner (once per instance), logs in and creates an API key with every scope; returns a connection holding both. */
export async function bootstrapOwner(baseUrl: string, owner: Owner, label = 'rp9'): Promise<N8nConnection> {
  const anonymous: N8nConnection = { baseUrl };
  await n8nCall(anonymous, { operation: 'owner-setup', method: 'POST', path: '/rest/owner/setup', body: owner, auth: 'none' });
  const cookie = await login(baseUrl, owner.email, owner.password);
  const apiKey = await createApiKey({ baseUrl, cookie }, label);
  return { baseUrl, cookie, apiKey };
}

/** Logs in; returns the n8n-auth session cookie. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const operation = 'login';
  const response = await n8nCall({ baseUrl }, { operation, method: 'POST', path: '/rest/login', body: { emailOrLdapLoginId: email, password }, auth: 'none' });
  if (!response.authCookie) throw new N8nError('n8n.bad-response', `${operation}: n8n set no n8n-auth cookie`, { operation });
  return response.authCookie;
}

/** An API key with every scope the logged-in user may grant, never expiring. */
export async function createApiKey(connection: N8nConnection, label: string): Promise<string> {
  const scopes = dataOf((await n8nCall(connection, { operation: 'api-key-scopes', method: 'GET', path: '/rest/api-keys/scopes', auth: 'cookie' })).json);
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string')) {
    throw new N8nError('n8n.bad-response', `api-key-scopes: expected a list of scopes, got ${JSON.stringify(scopes)?.slice(0, 200)}`, { operation: 'api-key-scopes' });
  }
  const created = dataOf((await n8nCall(connection, {
    operation: 'create-api-key', method: 'POST', path: '/rest/api-keys', body: { label, scopes, expiresAt: null }, auth: 'cookie',
  })).json);
  const raw = created !== null && typeof created === 'object' ? (created as { rawApiKey?: unknown }).rawApiKey : undefined;
  if (typeof raw !== 'string' || raw === '') throw new N8nError('n8n.bad-response', 'create-api-key: no rawApiKey in the answer', { operation: 'create-api-key' });
  return raw;
}

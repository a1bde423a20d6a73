// One HTTP call to an n8n instance: REST (`/rest/*`, session cookie) or the
// public API (`/api/v1/*`, X-N8N-API-KEY). Bounded in time; any non-2xx is an
// N8nError naming the operation, the status and the start of the body.
import { N8nError } from './errors.js';

export interface N8nConnection {
  /** The instance's base URL, e.g. http://10.0.0.5:5678 (no trailing path). */
  baseUrl: string;
  /** Public API key (X-N8N-API-KEY). */
  apiKey?: string;
  /** The `n8n-auth` session cookie, for REST calls. */
  cookie?: string;
  /** Per call; default 15 s (n8n answers slowly on a loaded machine). */
  timeoutMs?: number;
}

export interface N8nRequest {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  auth: 'api-key' | 'cookie' | 'none';
}

export interface N8nResponse {
  status: number;
  json: unknown;
  /** The value of an `n8n-auth` Set-Cookie, when the call set one. */
  authCookie: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export async function n8nCall(connection: N8nConnection, request: N8nRequest): Promise<N8nResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.auth === 'api-key') {
    if (!connection.apiKey) throw new N8nError('n8n.http-error', `${request.operation}: no API key on this connection`, { operation: request.operation });
    headers['x-n8n-api-key'] = connection.apiKey;
  }
  if (request.auth === 'cookie') {
    if (!connection.cookie) throw new N8nError('n8n.http-error', `${request.operation}: not logged in (no n8n-auth cookie)`, { operation: request.operation });
    headers.cookie = `n8n-auth=${connection.cookie}`;
  }
  const url = new URL(request.path, connection.baseUrl).toString();
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(connection.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    throw new N8nError('n8n.unreachable', `${request.operation}: ${request.method} ${url} failed: ${(error as Error).message}`, { operation: request.operation });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new N8nError('n8n.http-error', `${request.operation}: ${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`, {
      operation: request.operation,
      status: response.status,
      body: text.slice(0, 2_000),
    });
  }
  let json: unknown = undefined;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new N8nError('n8n.bad-response', `${request.operation}: ${request.path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, { operation: request.operation, status: response.status });
    }
  }
  return { status: response.status, json, authCookie: authCookieOf(response.headers.getSetCookie()) };
}

/** The `n8n-auth` value among Set-Cookie headers. */
export function authCookieOf(setCookies: string[]): string | undefined {
  for (const header of setCookies) {
    const match = /^n8n-auth=([^;]*)/.exec(header);
    if (match && match[1]) return match[1];
  }
  return undefined;
}

/** `json.data` when n8n wraps its answer (REST does, the public API mostly does not). */
export function dataOf(json: unknown): unknown {
  if (json !== null && typeof json === 'object' && 'data' in json) return (json as { data: unknown }).data;
  return json;
}

export function stringField(value: unknown, field: string, operation: string): string {
  const got = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  if (typeof got !== 'string' || got === '') {
    throw new N8nError('n8n.bad-response', `${operation}: expected a string "${field}" in ${JSON.stringify(value)?.slice(0, 200)}`, { operation });
  }
  return got;
}

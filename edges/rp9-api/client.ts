// rp9/client: a small client of rp9's signed API (docs/api.md). Every request
// carries the JWT and a fresh HMAC signature (timestamp and nonce), so a
// front end's server side (or `rp9 api`) can call the API without building
// the signature by hand.
import { signatureHeaders } from '../../kernel/api-signature/signature.js';

export { signatureHeaders, signRequest, canonicalRequest, newNonce } from '../../kernel/api-signature/signature.js';

export interface Rp9ClientOptions {
  /** Base URL of the controller, e.g. https://orchestrator.example.com */
  url: string;
  /** The JWT, or a function returning a fresh one per request. */
  token: string | (() => string | Promise<string>);
  /** RP9_API_HMAC_SECRET. */
  hmacSecret: string;
  fetch?: typeof fetch;
  now?(): Date;
}

export interface Rp9Response<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the answer is not JSON. */
  body: T;
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Idempotency-Key: a retry with the same key gets the first answer. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export interface Rp9Client {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<Rp9Response<T>>;
  get<T = unknown>(path: string): Promise<Rp9Response<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<Rp9Response<T>>;
}

export function createRp9Client(options: Rp9ClientOptions): Rp9Client {
  const base = new URL(options.url);
  const send = options.fetch ?? fetch;
  async function request<T>(method: string, path: string, init: RequestOptions = {}): Promise<Rp9Response<T>> {
    const target = new URL(path, base);
    const signedPath = `${target.pathname}${target.search}`;
    const body = init.body === undefined ? '' : JSON.stringify(init.body);
    const token = typeof options.token === 'string' ? options.token : await options.token();
    const headers: Record<string, string> = {
      ...init.headers,
      authorization: `Bearer ${token}`,
      ...signatureHeaders(options.hmacSecret, { method, path: signedPath, body }, options.now?.() ?? new Date()),
      ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    };
    const response = await send(target, { method, headers, ...(body ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  return {
    request,
    get: (path) => request('GET', path),
    post: (path, body, init = {}) => request('POST', path, { ...init, body: body ?? {} }),
  };
}

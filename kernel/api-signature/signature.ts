// The request signature of rp9's API (docs/api.md), shared by the server and
// the client so both build the same string: HMAC-SHA256, hex, over
//   METHOD \n path?query \n timestamp \n nonce \n sha256-hex(body)
// The nonce is signed too, so a replay cannot just change it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-rp9-signature';
export const TIMESTAMP_HEADER = 'x-rp9-timestamp';
export const NONCE_HEADER = 'x-rp9-nonce';
/** A nonce: 16 to 128 URL-safe characters. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export interface SignedParts {
  method: string;
  /** Path with its query string, as sent on the request line. */
  path: string;
  /** Unix seconds, as sent in x-rp9-timestamp. */
  timestamp: string;
  nonce: string;
  body: string | Uint8Array;
}

export function canonicalRequest(parts: SignedParts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, bodyHash].join('\n');
}

export function signRequest(secret: string | Uint8Array, parts: SignedParts): string {
  return createHmac('sha256', secret).update(canonicalRequest(parts)).digest('hex');
}

/** Constant-time check of a hex signature. */
export function signatureMatches(secret: string | Uint8Array, parts: SignedParts, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signRequest(secret, parts), 'hex'), Buffer.from(signature, 'hex'));
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** The three signature headers for a request, with a fresh nonce and the current time. */
export function signatureHeaders(secret: string | Uint8Array, request: { method: string; path: string; body?: string | Uint8Array }, now: Date = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = newNonce();
  const signature = signRequest(secret, { method: request.method, path: request.path, timestamp, nonce, body: request.body ?? '' });
  return { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp, [NONCE_HEADER]: nonce };
}

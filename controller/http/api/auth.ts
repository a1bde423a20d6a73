// Who is calling the API, and may they: a JWT (Authorization: Bearer, with
// issuer, audience, expiry, subject and a role claim) and an HMAC signature
// of the request (kernel/api-signature) with a timestamp within the window
// and a nonce never seen in it (kept in the store, so a replay is refused
// after a restart or on another controller). Both are required. Failures
// carry a reason for the log and the metric; the caller sees only the code.
import { readFileSync, statSync } from 'node:fs';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTHeaderParameters, type JWTVerifyGetKey } from 'jose';
import { NONCE_HEADER, NONCE_PATTERN, SIGNATURE_HEADER, signatureMatches, TIMESTAMP_HEADER } from '../../../kernel/api-signature/signature.js';
import type { ApiAuthSettings, Caller, Role } from './types.js';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export type AuthFailureReason =
  | 'no-token'
  | 'bad-token'
  | 'expired'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'no-role'
  | 'wrong-role'
  | 'no-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'replayed-nonce';

export type AuthResult = { ok: true; caller: Caller } | { ok: false; status: 401 | 403; reason: AuthFailureReason };

export interface SignedRequest {
  method: string;
  /** Path and query as on the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface NonceMemory {
  acceptNonce(nonce: string, expiresAt: Date, now: Date): Promise<boolean>;
}

export interface Authenticator {
  authenticate(request: SignedRequest, needed: Role, nonces: NonceMemory, now: Date): Promise<AuthResult>;
}

export const DEFAULT_WINDOW_SECONDS = 300;

function refuse(reason: AuthFailureReason): AuthResult {
  return { ok: false, status: reason === 'wrong-role' ? 403 : 401, reason };
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The JWKS file, read again when its modification time changes (key rotation: add the new `kid`, then drop the old). */
function jwksFileKeys(path: string): JWTVerifyGetKey {
  let loaded: { mtimeMs: number; keys: JWTVerifyGetKey } | undefined;
  return (protectedHeader, token) => {
    const mtimeMs = statSync(path).mtimeMs;
    if (!loaded || loaded.mtimeMs !== mtimeMs) loaded = { mtimeMs, keys: createLocalJWKSet(JSON.parse(readFileSync(path, 'utf8'))) };
    return loaded.keys(protectedHeader, token);
  };
}

export function createAuthenticator(settings: ApiAuthSettings): Authenticator {
  const window = settings.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const secret = settings.jwt.secret !== undefined ? new TextEncoder().encode(settings.jwt.secret) : undefined;
  const jwks = settings.jwt.jwksFile !== undefined ? jwksFileKeys(settings.jwt.jwksFile) : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['RS256', 'ES256', 'EdDSA'] : [])];
  const key = async (protectedHeader: JWTHeaderParameters, token: Parameters<JWTVerifyGetKey>[1]) => {
    if (protectedHeader.alg === 'HS256' && secret) return secret;
    if (jwks) return jwks(protectedHeader, token);
    throw new joseErrors.JOSEAlgNotAllowed('algorithm not allowed');
  };

  async function verifyToken(request: SignedRequest, now: Date): Promise<AuthResult> {
    const authorization = header(request.headers, 'authorization');
    const match = authorization ? /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(authorization.trim()) : null;
    if (!match) return refuse('no-token');
    try {
      const { payload } = await jwtVerify(match[1] as string, key, { issuer: settings.jwt.issuer, audience: settings.jwt.audience, algorithms, requiredClaims: ['exp', 'sub'], currentDate: now, clockTolerance: 30 });
      const role = payload.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return refuse('no-role');
      return { ok: true, caller: { subject: String(payload.sub), role: role as Role } };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return refuse('expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        if (error.claim === 'iss') return refuse('wrong-issuer');
        if (error.claim === 'aud') return refuse('wrong-audience');
      }
      return refuse('bad-token');
    }
  }

  async function verifySignature(request: SignedRequest, nonces: NonceMemory, now: Date): Promise<AuthFailureReason | undefined> {
    const signature = header(request.headers, SIGNATURE_HEADER);
    const timestamp = header(request.headers, TIMESTAMP_HEADER);
    const nonce = header(request.headers, NONCE_HEADER);
    if (!signature || !timestamp || !nonce || !NONCE_PATTERN.test(nonce)) return 'no-signature';
    if (!/^[0-9]{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > window) return 'stale-timestamp';
    if (!signatureMatches(settings.hmacSecret, { method: request.method, path: request.url, timestamp, nonce, body: request.body }, signature.toLowerCase())) return 'bad-signature';
    // Kept until the timestamp leaves the window: past it the timestamp check refuses the request anyway.
    const expiresAt = new Date((Number(timestamp) + window) * 1000);
    if (!(await nonces.acceptNonce(nonce, expiresAt, now))) return 'replayed-nonce';
    return undefined;
  }

  return {
    async authenticate(request, needed, nonces, now) {
      const token = await verifyToken(request, now);
      if (!token.ok) return token;
      const problem = await verifySignature(request, nonces, now);
      if (problem) return refuse(problem);
      if (!roleAllows(token.caller.role, needed)) return refuse('wrong-role');
      return token;
    },
  };
}

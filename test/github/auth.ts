import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Actor } from './model.js';

/** Who may call the contract server: personal tokens, GitHub Apps (JWT) and the installation tokens they mint. */
export interface AppRecord {
  appId: string;
  slug: string;
  publicKey: KeyObject;
  installationIds: Set<number>;
  bot: Actor;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  appId: string;
  expiresAt: number;
  revoked: boolean;
}

export interface AuthRegistry {
  personal: Map<string, Actor>;
  apps: Map<string, AppRecord>;
  issued: IssuedToken[];
}

export type Credential =
  | { kind: 'token'; actor: Actor }
  | { kind: 'jwt'; app: AppRecord }
  | { kind: 'none' }
  | { kind: 'invalid'; message: string };

export function createAuthRegistry(): AuthRegistry {
  return { personal: new Map(), apps: new Map(), issued: [] };
}

export function registerApp(registry: AuthRegistry, input: { appId: number | string; publicKey: string; installationId: number; slug?: string; botId: number }): void {
  const appId = String(input.appId);
  const existing = registry.apps.get(appId);
  if (existing) {
    existing.installationIds.add(input.installationId);
    return;
  }
  const slug = input.slug ?? `rp9-app-${appId}`;
  registry.apps.set(appId, {
    appId,
    slug,
    publicKey: createPublicKey(input.publicKey),
    installationIds: new Set([input.installationId]),
    bot: { login: `${slug}[bot]`, id: input.botId, type: 'Bot' },
  });
}

export function issueInstallationToken(registry: AuthRegistry, app: AppRecord, installationId: number, expiresAt: number): IssuedToken {
  const issued: IssuedToken = { token: `ghs_${randomBytes(18).toString('base64url')}`, installationId, appId: app.appId, expiresAt, revoked: false };
  registry.issued.push(issued);
  return issued;
}

/** Reads an `Authorization` header the way GitHub does (`token x`, `bearer x`). */
export function authenticate(registry: AuthRegistry, header: string | undefined, nowMs: number): Credential {
  if (!header) return { kind: 'none' };
  const match = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!match) return { kind: 'invalid', message: 'Bad credentials' };
  const secret = match[2] as string;
  if (secret.split('.').length === 3) return verifyJwt(registry, secret, nowMs);
  const personal = registry.personal.get(secret);
  if (personal) return { kind: 'token', actor: personal };
  const issued = registry.issued.find((t) => t.token === secret);
  if (!issued || issued.revoked || issued.expiresAt <= nowMs) return { kind: 'invalid', message: 'Bad credentials' };
  const app = registry.apps.get(issued.appId);
  return app ? { kind: 'token', actor: app.bot } : { kind: 'invalid', message: 'Bad credentials' };
}

function verifyJwt(registry: AuthRegistry, jwt: string, nowMs: number): Credential {
  const [head, body, signature] = jwt.split('.') as [string, string, string];
  let header: { alg?: string };
  let claims: { iss?: string | number; iat?: number; exp?: number };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { kind: 'invalid', message: 'A JSON web token could not be decoded' };
  }
  if (header.alg !== 'RS256') return { kind: 'invalid', message: 'A JSON web token could not be decoded' };
  const app = registry.apps.get(String(claims.iss));
  if (!app) return { kind: 'invalid', message: `Integration not found for 'iss' claim ${String(claims.iss)}` };
  const valid = verify('RSA-SHA256', Buffer.from(`${head}.${body}`), app.publicKey, Buffer.from(signature, 'base64url'));
  if (!valid) return { kind: 'invalid', message: 'A JSON web token could not be decoded' };
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return { kind: 'invalid', message: "'Issued at' and 'Expiration time' claims are required" };
  if (claims.exp <= now) return { kind: 'invalid', message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
  if (claims.exp - now > 600) return { kind: 'invalid', message: "'Expiration time' claim ('exp') is too far in the future" };
  if (claims.iat > now + 60) return { kind: 'invalid', message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
  return { kind: 'jwt', app };
}

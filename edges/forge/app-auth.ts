import { createPrivateKey, sign } from 'node:crypto';
import { asHttpFailure, ForgeError } from './errors.js';

/** GitHub App authentication with node:crypto only: an RS256 JWT, exchanged for a cached installation token. */
export interface AppCredentials {
  appId: number | string;
  /** PEM (PKCS#1 or PKCS#8), as downloaded from the App settings. */
  privateKey: string;
  installationId: number;
}

/**
 * A JWT for the App: issued 60 s in the past (clock drift), valid 9 minutes (GitHub allows at most 10).
 * `iss` is the numeric App ID, or the client ID string GitHub also accepts.
 */
export function createAppJwt(appId: number | string, privateKey: string, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: now - 60, exp: now + 9 * 60, iss: /^\d+$/.test(String(appId)) ? Number(appId) : String(appId) })}`;
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch (error) {
    throw new ForgeError('forge.invalid-input', `GitHub App ${appId}: the private key is not a valid PEM key (${(error as Error).message})`);
  }
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

type RequestFn = ((route: string, parameters?: Record<string, unknown>) => Promise<{ data: unknown }>) & {
  endpoint: { merge(route: unknown, parameters?: unknown): { url: string; headers: Record<string, string> } & Record<string, unknown> };
};

interface StrategyOptions extends AppCredentials {
  request: RequestFn;
  now?: () => number;
  /** Refresh this long before `expires_at` (default 5 minutes). */
  refreshMarginMs?: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * An Octokit `authStrategy`. Requests under `/app` are signed with a fresh JWT; all others carry the
 * installation token, fetched through Octokit's own request (so rate-limit retries apply) and cached
 * until shortly before it expires. One 401 drops the cached token and retries once with a new one.
 */
export function createAppAuthStrategy(options: StrategyOptions) {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;

  async function exchange(): Promise<CachedToken> {
    const jwt = createAppJwt(options.appId, options.privateKey, now());
    const response = await options.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: options.installationId,
      headers: { authorization: `bearer ${jwt}` },
    });
    const data = response.data as { token: string; expires_at: string };
    return { token: data.token, expiresAt: Date.parse(data.expires_at) };
  }

  async function installationToken(): Promise<string> {
    if (cached && cached.expiresAt - margin > now()) return cached.token;
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached.token;
  }

  async function auth(): Promise<{ type: 'token'; tokenType: 'installation'; token: string }> {
    return { type: 'token', tokenType: 'installation', token: await installationToken() };
  }

  async function hook(request: RequestFn, route: unknown, parameters?: unknown): Promise<unknown> {
    const endpoint = request.endpoint.merge(route, parameters);
    const path = endpoint.url.replace(/^https?:\/\/[^/]+/, '').replace(/^\/api\/v3/, '');
    if (/^\/app(\/|$)/.test(path)) {
      if (!/^bearer /i.test(endpoint.headers.authorization ?? '')) endpoint.headers.authorization = `bearer ${createAppJwt(options.appId, options.privateKey, now())}`;
      return (request as unknown as (o: unknown) => Promise<unknown>)(endpoint);
    }
    endpoint.headers.authorization = `token ${await installationToken()}`;
    try {
      return await (request as unknown as (o: unknown) => Promise<unknown>)(endpoint);
    } catch (error) {
      if (asHttpFailure(error)?.status !== 401) throw error;
      cached = undefined;
      endpoint.headers.authorization = `token ${await installationToken()}`;
      return (request as unknown as (o: unknown) => Promise<unknown>)(endpoint);
    }
  }

  return Object.assign(auth, { hook });
}

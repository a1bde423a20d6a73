// Shared by the API tests (not shipped behaviour): the controller's HTTP
// server with the API mounted over real parts — the repo's own config
// (platform.yaml, tenants/), a state store, the operation engine with the
// backup and drill kinds, and the GitHub contract server holding the same
// config — plus JWT minting and request signing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../../config/load-config.js';
import { readConfigDir } from '../../../config/read-config-dir.js';
import type { ConfigFiles } from '../../../config/types.js';
import { createGitHubForge } from '../../../edges/forge/index.js';
import { fsObjectStore } from '../../../edges/object-store/fs-store.js';
import { signatureHeaders } from '../../../kernel/api-signature/signature.js';
import { createLogger } from '../../../kernel/log/logger.js';
import { createMetrics } from '../../../kernel/metrics/registry.js';
import { startGitHubServer, type GitHubServer } from '../../../test/github/server.js';
import { tempDir } from '../../../test/harness/temp-dirs.js';
import { backupRuntime } from '../../backups/runtime.js';
import type { GoodConfig } from '../../reconcile/config-tracker.js';
import { storeOn } from '../../store/index.js';
import { openPgliteSql } from '../../store/pglite-sql.js';
import type { Store } from '../../store/store.js';
import { startHttpServer, type HttpServerHandle } from '../server.js';
import { healthy, SHA } from '../test-support.js';
import type { ApiAuthSettings, ApiDeps, Role } from './types.js';

export const JWT_SECRET = 'jwt-secret-for-tests-0123456789-abcdef';
export const HMAC_SECRET = 'hmac-secret-for-tests-0123456789-abcdef';
export const AUTH: ApiAuthSettings = { jwt: { issuer: 'rp9', audience: 'rp9-api', secret: JWT_SECRET }, hmacSecret: HMAC_SECRET };
export const REPO = 'acme/config';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ApiWorld {
  gh: GitHubServer;
  good: GoodConfig;
  files: ConfigFiles;
  /** Started servers, closed by close(). */
  servers: HttpServerHandle[];
  close(): Promise<void>;
}

/** The repo's own config, served by a GitHub contract server as acme/config@main; its first commit is dated `seededHoursAgo` (default 0) ago. */
export async function apiWorld(options: { seededHoursAgo?: number } = {}): Promise<ApiWorld> {
  const files = await readConfigDir(ROOT);
  const seed = Object.fromEntries([files.platform!, ...files.tenants].map((f) => [f.path, new TextDecoder().decode(f.bytes)]));
  let offset = -(options.seededHoursAgo ?? 0) * 3_600_000;
  const gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: seed }], now: () => Date.now() + offset });
  offset = 0;
  const commit = gh.state.repo(REPO).refs.get('refs/heads/main') as string;
  const config = loadConfig(files);
  const servers: HttpServerHandle[] = [];
  return {
    gh,
    files,
    good: { commit, platform: config.platform!, config },
    servers,
    async close() {
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await gh.stop();
    },
  };
}

export interface ApiServer {
  url: string;
  port: number;
  metrics: ReturnType<typeof createMetrics>;
  logs(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** The controller's HTTP server with the API on `store`, journaling backups on the real engine. */
export async function startApi(world: ApiWorld, store: Store, overrides: Partial<ApiDeps> = {}): Promise<ApiServer> {
  const lines: string[] = [];
  const logger = createLogger({ stream: { write: (chunk: string) => lines.push(chunk) }, level: 'debug', env: {} });
  const metrics = createMetrics({ defaultMetrics: false });
  const { engine } = backupRuntime({ store, objects: fsObjectStore(await tempDir('rp9-api-objects-')), tenantDatabaseAdminUrl: undefined, logger, runner: 'controller' });
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    deps: {
      readiness: async () => healthy,
      tenants: async () => [],
      lastCommit: async () => ({ sha: SHA }),
      onGithubPush: () => undefined,
      metricsRegistry: metrics.registry,
      requestMetrics: metrics,
    },
    api: {
      auth: AUTH,
      store: () => store,
      config: () => world.good,
      configFiles: async () => world.files,
      forge: createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: world.gh.url }),
      baseBranch: 'main',
      startOperation: (kind, tenant, state) => engine.start(kind, tenant, state),
      // No tenant database server here: the engine has the backup kind only (a drill restores into a sandbox).
      operationKinds: () => ['backup'],
      ...overrides,
    },
  });
  world.servers.push(server);
  return {
    url: server.url,
    port: server.port,
    metrics,
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      world.servers.splice(world.servers.indexOf(server), 1);
      await server.close();
    },
  };
}

export interface TokenInput {
  role?: Role | string;
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  secret?: string;
}

export async function token(input: TokenInput = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...(input.role !== undefined ? { role: input.role } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(input.iss ?? 'rp9')
    .setAudience(input.aud ?? 'rp9-api')
    .setSubject(input.sub ?? 'front-end')
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (input.expiresIn ?? 300));
  return jwt.sign(new TextEncoder().encode(input.secret ?? JWT_SECRET));
}

export interface Signed {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** A request as a well-behaved client sends it; pass `at` to sign with another clock. */
export async function signed(method: string, path: string, body?: unknown, options: { role?: Role; at?: Date; headers?: Record<string, string>; hmacSecret?: string } = {}): Promise<Signed> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    method,
    path,
    body: text,
    headers: {
      authorization: `Bearer ${await token({ role: options.role ?? 'admin' })}`,
      ...signatureHeaders(options.hmacSecret ?? HMAC_SECRET, { method, path, body: text }, options.at),
      ...(text ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
  };
}

export function readRepoFile(path: string): string {
  return readFileSync(new URL(path, `file://${ROOT}`), 'utf8');
}

/** What useApiSuite gives a test file once its beforeAll has run. */
export interface ApiSuite {
  world: ApiWorld;
  store: Store;
  api: ApiServer;
}

/**
 * Registers a file's world, in-memory store and API server: made in beforeAll
 * (handed to `set`), closed in afterAll, even when a test failed.
 */
export function useApiSuite(set: (suite: ApiSuite) => void): void {
  let suite: Partial<ApiSuite> = {};
  beforeAll(async () => {
    suite.world = await apiWorld();
    suite.store = await storeOn(await openPgliteSql({ memory: true }));
    suite.api = await startApi(suite.world, suite.store);
    set(suite as ApiSuite);
  }, 120_000);
  afterAll(async () => {
    await suite.world?.close();
    await suite.store?.close();
    suite = {};
  });
}

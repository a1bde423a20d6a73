import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { authenticate } from './auth.js';
import { loadContract, type Contract, type Operation } from './contract.js';
import { runGraphql } from './graphql.js';
import { HttpError } from './model.js';
import { settleAutoMerge } from './repo-ops.js';
import { createSmartHttp } from './smart-http.js';
import type { Urls } from './render.js';
import type { Route, RouteResult } from './route.js';
import { appRoutes } from './routes-app.js';
import { gitRoutes } from './routes-git.js';
import { issueRoutes } from './routes-issues.js';
import { pullRoutes } from './routes-pulls.js';
import { statusRoutes } from './routes-status.js';
import { createState, type GitHubServerState, type RateLimitInjection, type RecordedRequest, type RepoSeed } from './state.js';

export type { GitHubServerState, RateLimitInjection, RecordedRequest, RepoSeed };

export interface GitHubServerOptions {
  /** Repositories to create (default: acme/config with a README). */
  repos?: RepoSeed[];
  /** Personal tokens the server accepts (default: ['test-token']). */
  tokens?: string[];
  /** Clock for timestamps, token expiry and rate-limit resets (default Date.now). */
  now?: () => number;
  /** Lifetime of installation tokens (default one hour, like GitHub). */
  installationTokenTtlMs?: number;
  /** Serve POST /graphql (default true); false answers 404 like a server without GraphQL. */
  graphql?: boolean;
}

export interface GitHubServer {
  url: string;
  state: GitHubServerState;
  /** Stops the server; rejects when any response broke the contract during the run. */
  stop(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const MAX_BODY = 5 * 1024 * 1024;
let requestCounter = 0;

interface CompiledRoute {
  route: Route;
  op: Operation;
  pattern: RegExp;
  names: string[];
}

/**
 * An in-memory GitHub on 127.0.0.1 that implements the REST endpoints the Forge uses. Every request body
 * and query is checked against GitHub's OpenAPI description (violations → 422 with the reason), and every
 * response body is checked before it is sent (violations → 500 and a recorded violation, so the server
 * cannot drift from GitHub's contract).
 */
export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const contract = loadContract();
  const state = createState({ ...(options.now ? { now: options.now } : {}), ...(options.tokens ? { tokens: options.tokens } : {}) });
  for (const seed of options.repos ?? [{ owner: 'acme', name: 'config' }]) state.createRepo(seed);
  const ttl = options.installationTokenTtlMs ?? 3_600_000;
  const routes = [...gitRoutes, ...statusRoutes, ...pullRoutes, ...issueRoutes, ...appRoutes(state.auth, () => ttl)].map((route) => compile(contract, route));
  const gitRoot = mkdtempSync(join(tmpdir(), 'rp9-github-git-'));
  const smartHttp = createSmartHttp({ world: state.world, auth: state.auth, root: gitRoot, onRequest: (endpoint, status) => state.gitRequests.push({ endpoint, status }) });
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      state.violations.push(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, { message: `contract server error: ${(error as Error).message}`, documentation_url: DOCS });
    });
  });

  let urls: Urls = { api: '', web: '' };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', urls.api);
    const method = (req.method ?? 'GET').toUpperCase();
    if (smartHttp.handle(req, res, url)) return;
    const raw = await readBody(req);
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path: url.pathname, query, body: undefined, status: 0 };
    state.requests.push(record);
    let parsed: unknown;
    try {
      parsed = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      return reply(res, record, undefined, { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS } });
    }
    record.body = parsed;
    const match = matchRoute(routes, method, url.pathname);
    if (match) record.operationId = match.compiled.op.operationId;
    state.notifyRequest(record);
    const limit = state.takeRateLimit(method, url.pathname);
    if (limit) return reply(res, record, match?.compiled.op, rateLimited(limit, state.world.now()));
    if (method === 'POST' && url.pathname === '/graphql' && options.graphql !== false) {
      const credential = authenticate(state.auth, req.headers.authorization, state.world.now());
      if (credential.kind !== 'token') return reply(res, record, undefined, { status: 401, body: { message: credential.kind === 'invalid' ? credential.message : 'This endpoint requires you to be authenticated.', documentation_url: DOCS } });
      return reply(res, record, undefined, { status: 200, body: runGraphql(state.world, credential.actor, parsed) });
    }
    if (!match) return reply(res, record, undefined, { status: 404, body: { message: 'Not Found', documentation_url: DOCS } });
    const { compiled, params } = match;
    const credential = authenticate(state.auth, req.headers.authorization, state.world.now());
    const expected = compiled.route.auth === 'jwt' ? 'jwt' : 'token';
    if (credential.kind !== expected) {
      const message = credential.kind === 'invalid' ? credential.message : credential.kind === 'none' ? 'Requires authentication' : expected === 'jwt' ? 'A JSON web token could not be decoded' : 'Bad credentials';
      return reply(res, record, compiled.op, { status: 401, body: { message, documentation_url: DOCS } });
    }
    const problems = contract.checkRequest(compiled.op, parsed, query);
    if (problems.length > 0) {
      const body = { message: `Invalid request.\n\n${problems.join('\n')}`, documentation_url: DOCS, status: '422' };
      return reply(res, record, compiled.op, { status: 422, body });
    }
    let result: RouteResult;
    try {
      result = compiled.route.handle({
        world: state.world,
        urls,
        params,
        query,
        body: parsed,
        actor: credential.kind === 'token' ? credential.actor : credential.kind === 'jwt' ? credential.app.bot : state.user,
        ...(credential.kind === 'jwt' ? { app: credential.app } : {}),
        url,
        afterWrite: (repo) => settleAutoMerge(state.world, repo),
      });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      result = { status: error.status, body: { message: error.message, documentation_url: DOCS, ...error.extra, status: String(error.status) } };
    }
    reply(res, record, compiled.op, result);
  }

  function reply(res: ServerResponse, record: RecordedRequest, op: Operation | undefined, result: RouteResult): void {
    if (op) {
      const problems = contract.checkResponse(op, result.status, result.body);
      if (problems.length > 0) {
        const violation = `${op.operationId} ${result.status}: ${problems.join('; ')}`;
        state.violations.push(violation);
        result = { status: 500, body: { message: `contract server: response violates the OpenAPI description: ${violation}`, documentation_url: DOCS } };
      }
    }
    record.status = result.status;
    send(res, result.status, result.body, { ...rateHeaders(state.world.now()), ...result.headers });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  urls = { api: `http://127.0.0.1:${port}`, web: `http://127.0.0.1:${port}/_web` };
  return {
    url: urls.api,
    state,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        rmSync(gitRoot, { recursive: true, force: true });
        server.close(() => (state.violations.length > 0 ? reject(new Error(`contract violations:\n${state.violations.join('\n')}`)) : resolve()));
      }),
  };
}

function compile(contract: Contract, route: Route): CompiledRoute {
  const op = contract.operation(route.method, route.template);
  const names: string[] = [];
  const source = route.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return op.multiSegment.includes(name) ? '(.+)' : '([^/]+)';
  });
  return { route, op, pattern: new RegExp(`^${source}/?$`), names };
}

function matchRoute(routes: CompiledRoute[], method: string, path: string): { compiled: CompiledRoute; params: Record<string, string> } | undefined {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const found = compiled.pattern.exec(path);
    if (!found) continue;
    const params = Object.fromEntries(compiled.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
    return { compiled, params };
  }
  return undefined;
}

function rateLimited(limit: RateLimitInjection, nowMs: number): RouteResult {
  const status = limit.status ?? 403;
  if (limit.kind === 'primary') {
    const reset = Math.floor(nowMs / 1000) + (limit.resetInSec ?? 30);
    return {
      status,
      body: { message: 'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core' },
    };
  }
  const retryAfter = limit.retryAfterSec === undefined ? 60 : limit.retryAfterSec;
  return {
    status,
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
    headers: retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
  };
}

function rateHeaders(nowMs: number): Record<string, string> {
  return { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1', 'x-ratelimit-reset': String(Math.floor(nowMs / 1000) + 3600), 'x-ratelimit-resource': 'core' };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(text ? { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) } : {}), 'x-github-media-type': 'github.v3; format=json', 'x-github-request-id': `RP9:${(requestCounter += 1).toString(16).toUpperCase()}` });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

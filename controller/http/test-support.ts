// Shared by the HTTP server tests (not shipped behaviour): start a server on
// 127.0.0.1 on an OS-picked free port with inline deps,
// call it with node:http (full control of Host, Expect and chunking).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { signBody } from './github-webhook.js';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from './server.js';
import type { GithubPushEvent, HttpDeps, Readiness, TenantRow } from './types.js';

export const SECRET = 'It’s a Secret to Everybody';
export const SHA = 'a10867b14bb761a232cd80139fbd4c0d33264240';
const up = { status: 'up', latencyMs: 1.5 } as const;
export const healthy: Readiness = { role: 'leader', database: up, docker: up, git: up, tenantDatabase: up };
export const TENANTS: TenantRow[] = [
  { name: 'acme', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true, appliedCommit: SHA, updatedAt: new Date('2025-08-15T14:30:00Z') },
  { name: 'initech', mode: 'shared', plan: 'starter', phase: 'failed', ready: false, reason: '<script>alert("x")</script> & more', appliedCommit: SHA },
];
export const PUSH = { ref: 'refs/heads/main', before: '0'.repeat(40), after: SHA, repository: { full_name: 'rp9/config' } };

export interface Harness {
  url: string;
  port: number;
  pushes: GithubPushEvent[];
  logs: () => Record<string, unknown>[];
  metrics: ReturnType<typeof createMetrics>;
}

export const servers: HttpServerHandle[] = [];

/** Call from afterEach. */
export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export async function start(deps: Partial<HttpDeps> = {}, options: Partial<HttpServerOptions> = {}): Promise<Harness> {
  const pushes: GithubPushEvent[] = [];
  const lines: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ stream: { write: (chunk: string) => lines.push(chunk) }, level: 'debug', env: {} });
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    deps: {
      readiness: async () => healthy,
      tenants: async () => TENANTS,
      lastCommit: async () => ({ sha: SHA, message: 'Scale acme <fast>', readAt: '2025-08-15T14:30:00Z' }),
      onGithubPush: (event) => void pushes.push(event),
      metricsRegistry: metrics.registry,
      requestMetrics: metrics,
      webhookSecret: SECRET,
      version: '0.1.0-test',
      ...deps,
    },
    ...options,
  });
  servers.push(server);
  const logs = () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { url: server.url, port: server.port, pushes, logs, metrics };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
}

export function call(port: number, path: string, init: CallInit = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers };
    if (init.body !== undefined && !init.chunked) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}

export function push(port: number, payload: unknown, headers: Record<string, string> = {}, secret = SECRET): Promise<Reply> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return call(port, '/hooks/github', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signBody(secret, body), ...headers },
  });
}

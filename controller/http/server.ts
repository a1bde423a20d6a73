// The controller's HTTP surface on node:http: probes, metrics, status page,
// suspended page and the GitHub webhook. Everything it knows about the rest of
// the controller comes through HttpDeps.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newCorrelationId, type Logger } from '../../kernel/log/logger.js';
import { createDeliveryCache, handleGithubDelivery, type DeliveryCache } from './github-webhook.js';
import { healthReport, readyz, systemInfo, unknownReadiness } from './health.js';
import { isControllerHost } from './hosts.js';
import { EVENTS_OVERALL, EVENTS_PER_TENANT } from './events-html.js';
import { renderStatusPage, renderSuspendedPage, renderUnavailablePage } from './html.js';
import { readBody, sendHtml, sendJson, sendText } from './io.js';
import { renderTenantPage } from './tenant-page.js';
import type { HttpDeps, Readiness } from './types.js';

export type { ConfigCommit, ControllerRole, DepState, DepStatus, EventRow, GithubPushEvent, HttpDeps, Readiness, SuspendedPageInfo, TenantRow } from './types.js';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  deps: HttpDeps;
  logger: Logger;
  /** Webhook body cap (default 1 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Bound on deps.readiness() (default 3000 ms); past it the checks report down. */
  checkTimeoutMs?: number;
  /** Delivery ids remembered for de-duplication (default 1000). */
  deliveryCacheSize?: number;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to 5 s), then cuts the rest. */
  close(): Promise<void>;
}

interface Context {
  deps: HttpDeps;
  logger: Logger;
  maxBodyBytes: number;
  checkTimeoutMs: number;
  seen: DeliveryCache;
  version: string;
  checkInFlight?: Promise<Readiness>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: Context, log: Logger) => Promise<void> | void;
interface Route {
  methods: readonly string[];
  handler: Handler;
  /** Probe routes log at debug to keep logs readable. */
  quiet?: boolean;
}

const GET = ['GET', 'HEAD'] as const;
const ROUTES: Record<string, Route> = {
  '/': { methods: GET, handler: statusPage },
  '/healthz': { methods: GET, handler: (_req, res) => sendText(res, 200, 'ok'), quiet: true },
  '/readyz': { methods: GET, handler: readyzHandler, quiet: true },
  '/health/detailed': { methods: GET, handler: healthDetailed, quiet: true },
  '/metrics': { methods: GET, handler: metricsHandler, quiet: true },
  '/suspended': { methods: GET, handler: suspendedHandler },
  '/hooks/github': { methods: ['POST'], handler: githubHook },
};

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const ctx: Context = {
    deps: options.deps,
    logger: options.logger,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    checkTimeoutMs: options.checkTimeoutMs ?? 3000,
    seen: createDeliveryCache(options.deliveryCacheSize ?? 1000),
    version: options.deps.version ?? 'unknown',
  };
  const server = createServer((req, res) => void dispatch(req, res, ctx));
  // Expect: 100-continue with a body over the cap: answer 413 without inviting the body.
  server.on('checkContinue', (req, res) => {
    if (!(Number(req.headers['content-length']) > ctx.maxBodyBytes)) res.writeContinue();
    void dispatch(req, res, ctx);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  options.logger.info('http server listening', { host: options.host, port });
  return { url: `http://${hostPart}:${port}`, port, close: () => closeServer(server) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

async function dispatch(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const started = process.hrtime.bigint();
  const incoming = req.headers['x-request-id'];
  const correlationId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newCorrelationId();
  res.setHeader('x-request-id', correlationId);
  const log = ctx.logger.child({ correlation_id: correlationId });
  const method = req.method ?? 'GET';
  const path = pathOf(req.url);
  let routeName = 'not-found';
  let quiet = false;
  res.on('finish', () => {
    const status = res.statusCode;
    ctx.deps.requestMetrics?.httpRequests.inc({ route: routeName, method, code: String(status) });
    const fields = { method, path, route: routeName, status, duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10 };
    if (status >= 500 && routeName !== 'suspended') log.warn('http request', fields);
    else if (quiet) log.debug('http request', fields);
    else log.info('http request', fields);
  });
  try {
    if (path === undefined) {
      routeName = 'bad-request';
      sendText(res, 400, 'bad request');
      return;
    }
    if (!isControllerHost(req.headers.host, ctx.deps.controllerHosts)) {
      routeName = 'suspended';
      suspendedHandler(req, res, ctx);
      return;
    }
    const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    if (!route) {
      sendText(res, 404, 'not found');
      return;
    }
    routeName = path;
    quiet = route.quiet === true;
    if (!route.methods.includes(method)) {
      sendText(res, 405, 'method not allowed', { allow: route.methods.join(', ') });
      return;
    }
    await route.handler(req, res, ctx, log);
  } catch (error) {
    log.error('http handler failed', { code: 'http.internal', method, path, err: error });
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: 'http.internal', correlation_id: correlationId });
  }
}

function pathOf(url: string | undefined): string | undefined {
  try {
    const { pathname } = new URL(url ?? '/', 'http://controller.invalid');
    return pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  } catch {
    return undefined;
  }
}

/** deps.readiness() bounded in time and shared between concurrent probes; failures report every dependency down. */
async function checkReadiness(ctx: Context, log: Logger): Promise<Readiness> {
  ctx.checkInFlight ??= withTimeout(ctx.deps.readiness(), ctx.checkTimeoutMs).finally(() => {
    ctx.checkInFlight = undefined;
  });
  try {
    return await ctx.checkInFlight;
  } catch (error) {
    log.warn('readiness check failed', { code: 'http.readiness-failed', err: error });
    return unknownReadiness(error instanceof TimeoutError ? `check timed out after ${ctx.checkTimeoutMs} ms` : 'check failed');
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function readyzHandler(_req: IncomingMessage, res: ServerResponse, ctx: Context, log: Logger): Promise<void> {
  const body = readyz(await checkReadiness(ctx, log));
  sendJson(res, body.ready ? 200 : 503, body);
}

async function healthDetailed(_req: IncomingMessage, res: ServerResponse, ctx: Context, log: Logger): Promise<void> {
  const report = healthReport(await checkReadiness(ctx, log), systemInfo(ctx.version));
  sendJson(res, report.status === 'unhealthy' ? 503 : 200, report);
}

async function metricsHandler(_req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const registry = ctx.deps.metricsRegistry;
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

async function statusPage(req: IncomingMessage, res: ServerResponse, ctx: Context, log: Logger): Promise<void> {
  const tenant = new URL(req.url ?? '/', 'http://controller.invalid').searchParams.get('tenant');
  if (tenant !== null && (!TENANT_NAME.test(tenant) || tenant.length > 63)) {
    sendText(res, 400, 'tenant must be a tenant name');
    return;
  }
  try {
    if (tenant !== null) {
      const [tenants, events, member] = await Promise.all([ctx.deps.tenants(), ctx.deps.events?.({ tenant, limit: EVENTS_PER_TENANT }), ctx.deps.member?.(tenant)]);
      const row = tenants.find((t) => t.name === tenant);
      sendHtml(res, row || (events?.length ?? 0) > 0 ? 200 : 404, renderTenantPage({ name: tenant, row, events, generatedAt: new Date(), ...(member ? { member } : {}), ...(ctx.deps.statusRefreshSeconds ? { refreshSeconds: ctx.deps.statusRefreshSeconds } : {}) }));
      return;
    }
    const [tenants, lastCommit, readiness, events] = await Promise.all([ctx.deps.tenants(), ctx.deps.lastCommit(), checkReadiness(ctx, log), ctx.deps.events?.({ limit: EVENTS_OVERALL })]);
    sendHtml(res, 200, renderStatusPage({ tenants, lastCommit, role: readiness.role, docker: readiness.docker.status, ...(readiness.containerAddresses ? { containerAddresses: readiness.containerAddresses } : {}), version: ctx.version, generatedAt: new Date(), ...(events ? { events } : {}), ...(ctx.deps.statusRefreshSeconds ? { refreshSeconds: ctx.deps.statusRefreshSeconds } : {}) }));
  } catch (error) {
    const correlationId = String(res.getHeader('x-request-id') ?? '');
    log.error('status page failed', { code: 'http.status-unavailable', err: error });
    sendHtml(res, 503, renderUnavailablePage(correlationId), { 'retry-after': '30' });
  }
}

function suspendedHandler(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  const info = ctx.deps.suspendedPage ?? {};
  const retryAfter = Math.max(1, Math.round(info.retryAfterSeconds ?? 3600));
  const host = typeof req.headers['x-forwarded-host'] === 'string' ? req.headers['x-forwarded-host'] : req.headers.host;
  sendHtml(res, 503, renderSuspendedPage(host, info), { 'retry-after': String(retryAfter) });
}

async function githubHook(req: IncomingMessage, res: ServerResponse, ctx: Context, log: Logger): Promise<void> {
  const count = (event: string, result: string) => ctx.deps.requestMetrics?.webhookDeliveries.inc({ event, result });
  const eventName = String(req.headers['x-github-event'] ?? 'unknown').slice(0, 64);
  const secret = ctx.deps.webhookSecret;
  if (!secret) {
    count(eventName, 'not-configured');
    sendJson(res, 503, { error: 'webhook.not-configured' }, { connection: 'close' });
    return;
  }
  const read = await readBody(req, ctx.maxBodyBytes);
  if (!read.ok) {
    if (read.reason === 'aborted') return;
    count(eventName, 'too-large');
    log.warn('webhook body too large', { code: 'webhook.too-large', limit_bytes: ctx.maxBodyBytes });
    sendJson(res, 413, { error: 'webhook.too-large', limit_bytes: ctx.maxBodyBytes }, read.close ? { connection: 'close' } : {});
    return;
  }
  const answer = handleGithubDelivery({ headers: req.headers, body: read.body }, { secret, seen: ctx.seen, onPush: ctx.deps.onGithubPush });
  count(eventName, answer.result);
  const fields = { event: eventName, delivery: answer.body.delivery, result: answer.result, status: answer.status };
  if (answer.cause !== undefined) log.error('webhook push callback failed', { ...fields, code: 'webhook.callback-failed', err: answer.cause });
  else if (answer.status >= 400) log.warn('webhook delivery rejected', { ...fields, code: `webhook.${answer.result}` });
  else log.info('webhook delivery', { ...fields, ref: answer.event?.ref, after: answer.event?.after });
  sendJson(res, answer.status, answer.body);
}

// The controller's HTTP surface on fastify: the controller's own routes
// (probes, metrics, status page, suspended page, webhooks: raw-routes.ts,
// handed the raw request before any body is read) and the signed JSON API
// (api/, with JSON-schema validation, OpenAPI at /openapi.json and rate
// limits). Everything it knows about the rest of the controller comes
// through HttpDeps and ApiDeps.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { newCorrelationId, type Logger } from '../../kernel/log/logger.js';
import { registerApi } from './api/api-plugin.js';
import type { ApiDeps } from './api/types.js';
import { createDeliveryCache } from './github-webhook.js';
import { isControllerHost } from './hosts.js';
import { sendJson, sendText } from './io.js';
import { RAW_ROUTES, suspendedHandler, type RawContext, type RawRoute } from './raw-routes.js';
import type { HttpDeps } from './types.js';

export type { ConfigCommit, ControllerRole, DepState, DepStatus, EventRow, GithubPushEvent, HttpDeps, Readiness, SuspendedPageInfo, TenantRow } from './types.js';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  deps: HttpDeps;
  /** The signed API (docs/api.md); without it the API routes are not mounted. */
  api?: ApiDeps;
  logger: Logger;
  /** Body cap of webhooks and API requests (default 1 MiB); larger bodies get 413. */
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

/** What the request log line and the request counter need, per request. */
interface RequestNote {
  route: string;
  quiet: boolean;
  log: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const notes = new WeakMap<IncomingMessage, RequestNote>();

/** The log and route label of a request (set by the first hook). */
export function requestNote(req: IncomingMessage): RequestNote | undefined {
  return notes.get(req);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const ctx: RawContext = {
    deps: options.deps,
    logger: options.logger,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    checkTimeoutMs: options.checkTimeoutMs ?? 3000,
    seen: createDeliveryCache(options.deliveryCacheSize ?? 1000),
    version: options.deps.version ?? 'unknown',
  };
  let server: Server | undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.maxBodyBytes,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newCorrelationId();
    },
    serverFactory: (handler) => {
      const created = createServer(handler);
      // Expect: 100-continue with a body over the cap: answer 413 without inviting the body.
      created.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        if (!(Number(req.headers['content-length']) > ctx.maxBodyBytes)) res.writeContinue();
        handler(req, res);
      });
      created.headersTimeout = 10_000;
      created.requestTimeout = 30_000;
      created.keepAliveTimeout = 5_000;
      server = created;
      return created;
    },
    clientErrorHandler: (_error: Error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    },
  });
  app.addHook('onRequest', async (request, reply) => noteAndRoute(request, reply, ctx));
  // Handlers first: scopes registered after them inherit them.
  app.setNotFoundHandler((request, reply) => {
    reply.hijack();
    sendText(reply.raw, 404, 'not found');
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = error.validation ? 'api.invalid-request' : status === 413 ? 'api.too-large' : status === 429 ? 'api.rate-limited' : 'api.bad-request';
      void reply.code(status).type('application/json; charset=utf-8').send({ error: code, message: error.message });
      return;
    }
    const log = notes.get(request.raw)?.log ?? ctx.logger;
    log.error('http handler failed', { code: 'http.internal', method: request.method, path: request.url.split('?')[0], err: error });
    void reply.code(500).type('application/json; charset=utf-8').send({ error: 'http.internal', correlation_id: request.id });
  });
  for (const [path, route] of Object.entries(RAW_ROUTES)) mountRaw(app, path, route, ctx);
  if (options.api) await registerApi(app, options.api, { metrics: options.deps.requestMetrics, logger: options.logger });
  await app.listen({ host: options.host, port: options.port });
  const { port } = (server ?? app.server).address() as AddressInfo;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  options.logger.info('http server listening', { host: options.host, port });
  return { url: `http://${hostPart}:${port}`, port, close: () => closeApp(app) };
}

/** First hook of every request: request id, the log line and counter at finish, and the suspended page for tenant hosts. */
function noteAndRoute(request: FastifyRequest, reply: FastifyReply, ctx: RawContext): void {
  const started = process.hrtime.bigint();
  const req = request.raw;
  const res = reply.raw;
  res.setHeader('x-request-id', request.id);
  const note: RequestNote = { route: 'not-found', quiet: false, log: ctx.logger.child({ correlation_id: request.id }) };
  notes.set(req, note);
  const method = req.method ?? 'GET';
  const path = request.url.split('?')[0] ?? '/';
  const pattern = request.routeOptions.url;
  if (pattern !== undefined && !Object.hasOwn(RAW_ROUTES, pattern)) note.route = pattern;
  res.on('finish', () => {
    const status = res.statusCode;
    ctx.deps.requestMetrics?.httpRequests.inc({ route: note.route, method, code: String(status) });
    const fields = { method, path, route: note.route, status, duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10 };
    if (status >= 500 && note.route !== 'suspended') note.log.warn('http request', fields);
    else if (note.quiet) note.log.debug('http request', fields);
    else note.log.info('http request', fields);
  });
  if (!isControllerHost(req.headers.host, ctx.deps.controllerHosts)) {
    note.route = 'suspended';
    reply.hijack();
    suspendedHandler(req, res, ctx);
  }
}

/** A raw route: every method reaches it (so a wrong one gets 405 with Allow), and its handler gets req/res before any body is read. */
function mountRaw(app: FastifyInstance, path: string, route: RawRoute, ctx: RawContext): void {
  app.route({
    method: [...ALL_METHODS],
    url: path,
    exposeHeadRoute: false,
    schema: { hide: true },
    onRequest: async (request, reply) => {
      reply.hijack();
      const req = request.raw;
      const res = reply.raw;
      const note = notes.get(req) as RequestNote;
      note.route = path;
      note.quiet = route.quiet === true;
      if (!route.methods.includes(req.method ?? 'GET')) {
        sendText(res, 405, 'method not allowed', { allow: route.methods.join(', ') });
        return;
      }
      try {
        await route.handler(req, res, ctx, note.log);
      } catch (error) {
        note.log.error('http handler failed', { code: 'http.internal', method: req.method, path, err: error });
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { error: 'http.internal', correlation_id: request.id });
      }
    },
    handler: async () => undefined,
  });
}

async function closeApp(app: FastifyInstance): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), 5_000);
  try {
    app.server.closeIdleConnections();
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

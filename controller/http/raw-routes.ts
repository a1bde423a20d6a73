// The controller's own routes, written on node:http's (req, res): probes,
// metrics, status page, suspended page and the GitHub webhook. Each is a plain
// handler in RAW_ROUTES; the fastify server (server.ts) hands them the raw
// request before it reads any body, so a webhook checks its signature over
// the exact bytes sent. A new webhook (e.g. /hooks/stripe) is one more row.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../kernel/log/logger.js';
import { RETRY_AFTER_HEADER } from '../traefik/render-route.js';
import { handleGithubDelivery, type DeliveryCache } from './github-webhook.js';
import { healthReport, readyz, systemInfo, unknownReadiness } from './health.js';
import { EVENTS_OVERALL, EVENTS_PER_TENANT } from './events-html.js';
import { renderStatusPage, renderSuspendedPage, renderUnavailablePage } from './html.js';
import { readBody, sendHtml, sendJson, sendText } from './io.js';
import { renderTenantPage } from './tenant-page.js';
import type { HttpDeps, Readiness } from './types.js';

export interface RawContext {
  deps: HttpDeps;
  logger: Logger;
  maxBodyBytes: number;
  checkTimeoutMs: number;
  seen: DeliveryCache;
  version: string;
  checkInFlight?: Promise<Readiness>;
}

export type RawHandler = (req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger) => Promise<void> | void;

export interface RawRoute {
  methods: readonly string[];
  handler: RawHandler;
  /** Probe routes log at debug to keep logs readable. */
  quiet?: boolean;
}

const GET = ['GET', 'HEAD'] as const;
export const RAW_ROUTES: Readonly<Record<string, RawRoute>> = {
  '/': { methods: GET, handler: statusPage },
  '/healthz': { methods: GET, handler: (_req, res) => sendText(res, 200, 'ok'), quiet: true },
  '/readyz': { methods: GET, handler: readyzHandler, quiet: true },
  '/health/detailed': { methods: GET, handler: healthDetailed, quiet: true },
  '/metrics': { methods: GET, handler: metricsHandler, quiet: true },
  '/suspended': { methods: GET, handler: suspendedHandler },
  '/hooks/github': { methods: ['POST'], handler: githubHook },
  '/hooks/stripe': { methods: ['POST'], handler: stripeHook },
};

/** deps.readiness() bounded in time and shared between concurrent probes; failures report every dependency down. */
async function checkReadiness(ctx: RawContext, log: Logger): Promise<Readiness> {
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

async function readyzHandler(_req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger): Promise<void> {
  const body = readyz(await checkReadiness(ctx, log));
  sendJson(res, body.ready ? 200 : 503, body);
}

async function healthDetailed(_req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger): Promise<void> {
  const report = healthReport(await checkReadiness(ctx, log), systemInfo(ctx.version));
  sendJson(res, report.status === 'unhealthy' ? 503 : 200, report);
}

async function metricsHandler(_req: IncomingMessage, res: ServerResponse, ctx: RawContext): Promise<void> {
  const registry = ctx.deps.metricsRegistry;
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

/** The pages' own reload period, when the settings give one (RP9_STATUS_REFRESH_SECONDS). */
function refreshOf(ctx: RawContext): { refreshSeconds?: number } {
  return ctx.deps.statusRefreshSeconds === undefined ? {} : { refreshSeconds: ctx.deps.statusRefreshSeconds };
}

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

async function statusPage(req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger): Promise<void> {
  const tenant = new URL(req.url ?? '/', 'http://controller.invalid').searchParams.get('tenant');
  if (tenant !== null && (!TENANT_NAME.test(tenant) || tenant.length > 63)) {
    sendText(res, 400, 'tenant must be a tenant name');
    return;
  }
  try {
    if (tenant !== null) {
      const [tenants, events, member] = await Promise.all([ctx.deps.tenants(), ctx.deps.events?.({ tenant, limit: EVENTS_PER_TENANT }), ctx.deps.member?.(tenant)]);
      const row = tenants.find((t) => t.name === tenant);
      sendHtml(res, row || (events?.length ?? 0) > 0 ? 200 : 404, renderTenantPage({ name: tenant, row, events, generatedAt: new Date(), ...(member ? { member } : {}), ...refreshOf(ctx) }));
      return;
    }
    const [tenants, lastCommit, readiness, events] = await Promise.all([ctx.deps.tenants(), ctx.deps.lastCommit(), checkReadiness(ctx, log), ctx.deps.events?.({ limit: EVENTS_OVERALL })]);
    sendHtml(res, 200, renderStatusPage({ tenants, lastCommit, role: readiness.role, docker: readiness.docker.status, ...(readiness.containerAddresses ? { containerAddresses: readiness.containerAddresses } : {}), version: ctx.version, generatedAt: new Date(), ...(events ? { events } : {}), ...refreshOf(ctx) }));
  } catch (error) {
    const correlationId = String(res.getHeader('x-request-id') ?? '');
    log.error('status page failed', { code: 'http.status-unavailable', err: error });
    sendHtml(res, 503, renderUnavailablePage(correlationId), { 'retry-after': '30' });
  }
}

/** A held route's Retry-After (the header its Traefik middleware sets), when it is a whole number of seconds within an hour. */
export function heldRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,4}$/.test(text.trim())) return undefined;
  const seconds = Number(text.trim());
  return seconds >= 1 && seconds <= 3600 ? seconds : undefined;
}

/** 503 with Retry-After: a suspended workspace's default (3600 s, or the settings'), or a held route's few seconds. */
export function suspendedHandler(req: IncomingMessage, res: ServerResponse, ctx: RawContext): void {
  const info = ctx.deps.suspendedPage ?? {};
  const retryAfter = heldRetryAfter(req.headers[RETRY_AFTER_HEADER.toLowerCase()]) ?? Math.max(1, Math.round(info.retryAfterSeconds ?? 3600));
  const host = typeof req.headers['x-forwarded-host'] === 'string' ? req.headers['x-forwarded-host'] : req.headers.host;
  sendHtml(res, 503, renderSuspendedPage(host, info), { 'retry-after': String(retryAfter) });
}

async function githubHook(req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger): Promise<void> {
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

async function stripeHook(req: IncomingMessage, res: ServerResponse, ctx: RawContext, log: Logger): Promise<void> {
  const handle = ctx.deps.stripeWebhook;
  if (!handle) {
    sendJson(res, 503, { error: 'stripe.not-configured' }, { connection: 'close' });
    return;
  }
  const read = await readBody(req, ctx.maxBodyBytes);
  if (!read.ok) {
    if (read.reason === 'aborted') return;
    sendJson(res, 413, { error: 'stripe.too-large', limit_bytes: ctx.maxBodyBytes }, read.close ? { connection: 'close' } : {});
    return;
  }
  try {
    const answer = await handle(read.body, req.headers);
    if (answer.status >= 400) log.warn('stripe webhook rejected', { status: answer.status, code: answer.body.code });
    sendJson(res, answer.status, answer.body);
  } catch (error) {
    log.error('stripe webhook failed', { code: 'stripe.handler-failed', err: error });
    sendJson(res, 500, { ok: false, code: 'stripe.handler-failed' });
  }
}

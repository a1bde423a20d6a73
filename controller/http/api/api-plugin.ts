// The signed JSON API on fastify: one scope with its own JSON body parser
// (keeping the exact bytes for the signature), authentication before schema
// validation, a rate limit per caller, Idempotency-Key on mutations, and the
// OpenAPI document of every route at /openapi.json.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../kernel/log/logger.js';
import type { Metrics } from '../../../kernel/metrics/registry.js';
import { createAuthenticator } from './auth.js';
import { ApiError, type ApiRoute, type Answer } from './route.js';
import { READ_ROUTES } from './routes-read.js';
import { MUTATION_ROUTES } from './routes-mutate.js';
import { FAILOVER_ROUTE, RESTART_ROUTE } from './routes-tenant-actions.js';
import { DELETE_SANDBOX_ROUTE } from './routes-sandboxes.js';
import { BOT_AND_METRICS_ROUTES } from './routes-bots-metrics.js';
import { BLUE_GREEN_ROUTES } from './routes-blue-green.js';
import { ANALYTICS_ROUTES } from './routes-analytics.js';
import { CAPACITY_ROUTES } from './routes-capacity.js';
import { ERROR_SCHEMA } from './schemas.js';
import type { ApiDeps, ApiStore, Caller } from './types.js';

export const API_ROUTES: readonly ApiRoute[] = [...READ_ROUTES, ...MUTATION_ROUTES, RESTART_ROUTE, FAILOVER_ROUTE, DELETE_SANDBOX_ROUTE, ...BOT_AND_METRICS_ROUTES, ...BLUE_GREEN_ROUTES, ...ANALYTICS_ROUTES, ...CAPACITY_ROUTES];

interface RequestState {
  raw: Buffer;
  badJson: boolean;
  caller?: Caller;
  store?: ApiStore;
}

const states = new WeakMap<IncomingMessage, RequestState>();
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const SECURITY = [{ bearer: [], signature: [] }];
/** How long a request waits for a concurrent request with its Idempotency-Key to answer before 409 api.idempotency-in-progress. */
const CLAIM_WAIT_MS = 15_000;
const CLAIM_POLL_MS = 50;
/** An unanswered claim this old is a dead controller's: the next request with the key acts. */
const STALE_CLAIM_MS = 10 * 60_000;

export interface ApiOptions {
  metrics?: Partial<Pick<Metrics, 'apiAuthFailures'>>;
  logger: Logger;
}

export async function registerApi(app: FastifyInstance, deps: ApiDeps, options: ApiOptions): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'rp9 API', version: '1', description: 'Signed API of the rp9 controller: JWT (Authorization: Bearer) and an HMAC request signature (x-rp9-signature, x-rp9-timestamp, x-rp9-nonce) on every route. See docs/api.md.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          signature: { type: 'apiKey', in: 'header', name: 'x-rp9-signature', description: 'hex HMAC-SHA256 of METHOD\\npath?query\\ntimestamp\\nnonce\\nsha256-hex(body), with x-rp9-timestamp (unix seconds, ±300 s) and x-rp9-nonce (16–128 of A-Z a-z 0-9 _ -, once)' },
        },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(async (scope) => apiScope(scope, deps, options));
}

async function apiScope(scope: FastifyInstance, deps: ApiDeps, options: ApiOptions): Promise<void> {
  const authenticator = deps.auth ? createAuthenticator(deps.auth) : undefined;
  const now = () => deps.now?.() ?? new Date();

  // The signature covers the exact bytes, so the body is kept as sent; bad JSON is answered after authentication.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    const state = stateOf(request.raw);
    state.raw = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      state.badJson = true;
      done(null, undefined);
    }
  });

  scope.addHook('preValidation', async (request, reply) => {
    const route = request.routeOptions.config as { api?: ApiRoute };
    if (!route.api) return;
    if (!authenticator) return refuse(reply, 503, 'api.not-configured', 'the API has no keys configured (RP9_API_JWT_* and RP9_API_HMAC_SECRET, docs/api.md)');
    const store = deps.store();
    if (!store) return refuse(reply, 503, 'api.store-unavailable', 'the state store is not open yet; retry shortly', { 'retry-after': '5' });
    const state = stateOf(request.raw);
    const result = await authenticator.authenticate({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, body: state.raw }, route.api.role, store.apiRequests, now());
    if (!result.ok) {
      options.metrics?.apiAuthFailures?.inc({ reason: result.reason });
      options.logger.warn('api request refused', { code: result.status === 401 ? 'api.unauthorized' : 'api.forbidden', reason: result.reason, method: request.method, route: route.api.url, correlation_id: request.id });
      if (result.status === 403) return refuse(reply, 403, 'api.forbidden', `this needs the ${route.api.role} role`);
      return refuse(reply, 401, 'api.unauthorized', 'authentication failed', { 'www-authenticate': 'Bearer realm="rp9"' });
    }
    state.caller = result.caller;
    state.store = store;
    if (state.badJson) return refuse(reply, 400, 'api.bad-json', 'the body is not JSON');
  });

  await scope.register(fastifyRateLimit, {
    hook: 'preHandler',
    max: deps.rateLimitPerMinute ?? 300,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const caller = states.get(request.raw)?.caller;
      return caller ? `sub:${caller.subject}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: 'api.rate-limited', message: `more than ${context.max} requests in ${context.after}; retry later` }),
  });

  for (const route of API_ROUTES) {
    scope.route({
      method: route.method,
      url: route.url,
      config: { api: route },
      schema: {
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: [route.tag],
        security: SECURITY,
        ...(route.mutation ? { headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', pattern: IDEMPOTENCY_KEY.source, description: 'A retry with the same key gets the first answer' } } } } : {}),
        ...route.schema,
        response: { ...route.schema.response, '4xx': ERROR_SCHEMA, '5xx': ERROR_SCHEMA },
      },
      handler: async (request, reply) => {
        const state = stateOf(request.raw);
        const context = { request, caller: state.caller as Caller, store: state.store as ApiStore, deps, now: now() };
        const answer = route.mutation ? await idempotent(request, state, now, () => run(route, context)) : await run(route, context);
        for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
        return reply.code(answer.status).send(answer.body);
      },
    });
  }
}

async function run(route: ApiRoute, context: Parameters<ApiRoute['handle']>[0]): Promise<Answer> {
  try {
    return await route.handle(context);
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: { error: error.code, message: error.message, ...error.details }, ...(error.headers ? { headers: error.headers } : {}) };
    throw error;
  }
}

/**
 * The first answer to (caller, Idempotency-Key) is kept and replayed; the same
 * key on another request is 422. The key is claimed in the store before the
 * request acts, so of concurrent requests with one key (on any controller of
 * the store) one acts and the others wait for its answer. Answers of 5xx are
 * not kept: the claim is released and a retry acts again.
 */
async function idempotent(request: FastifyRequest, state: RequestState, now: () => Date, act: () => Promise<Answer>): Promise<Answer> {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') return act();
  const store = state.store as ApiStore;
  const caller = (state.caller as Caller).subject;
  const requestHash = createHash('sha256').update(`${request.method}\n${request.raw.url ?? request.url}\n`).update(state.raw).digest('hex');
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    const at = now();
    const claim = await store.apiRequests.claim(caller, key, requestHash, at, new Date(at.getTime() - STALE_CLAIM_MS));
    if (claim.kind === 'answered') {
      if (claim.answer.requestHash !== requestHash) return reused();
      return { status: claim.answer.status, body: claim.answer.body, headers: { 'idempotent-replayed': 'true' } };
    }
    if (claim.kind === 'pending') {
      if (claim.requestHash !== requestHash) return reused();
      if (Date.now() >= deadline) {
        return { status: 409, body: { error: 'api.idempotency-in-progress', message: 'a request with this Idempotency-Key is still being answered; retry shortly for its answer' }, headers: { 'retry-after': '1' } };
      }
      await sleep(CLAIM_POLL_MS);
      continue;
    }
    let answer: Answer;
    try {
      answer = await act();
    } catch (error) {
      await store.apiRequests.releaseClaim(caller, key, requestHash);
      throw error;
    }
    if (answer.status < 500) await store.apiRequests.recordAnswer(caller, key, { requestHash, status: answer.status, body: answer.body });
    else await store.apiRequests.releaseClaim(caller, key, requestHash);
    return answer;
  }
}

function reused(): Answer {
  return { status: 422, body: { error: 'api.idempotency-key-reused', message: 'this Idempotency-Key was used for another request' } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stateOf(req: IncomingMessage): RequestState {
  let state = states.get(req);
  if (!state) {
    state = { raw: Buffer.alloc(0), badJson: false };
    states.set(req, state);
  }
  return state;
}

function refuse(reply: FastifyReply, status: number, code: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send({ error: code, message });
}

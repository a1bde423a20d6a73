// GET endpoints: tenants (from the config in force and their status), a
// tenant's events, an operation's progress, a tenant's backups. Role viewer.
import type { LoadedTenant } from '../../../config/types.js';
import type { GoodConfig } from '../../reconcile/config-tracker.js';
import { ApiError, params, type ApiRoute, type RouteContext } from './route.js';
import { BACKUP, EVENT, OPERATION, TENANT_DETAIL, TENANT_PARAMS, TENANT_SUMMARY } from './schemas.js';
import { backupView, eventView, operationView, tenantDetail, tenantSummary } from './views.js';

export function configInForce(context: RouteContext): GoodConfig {
  const good = context.deps.config();
  if (!good) throw new ApiError(503, 'api.no-config', 'no valid config has been read yet; retry shortly', {}, { 'retry-after': '10' });
  return good;
}

export function tenantInConfig(context: RouteContext, id: string): { good: GoodConfig; entry: LoadedTenant } {
  const good = configInForce(context);
  const entry = good.config.tenants.find((t) => t.name === id);
  if (!entry) throw new ApiError(404, 'api.tenant-unknown', `tenant ${id} is not in the config in force (tenants/${id}.yaml at ${good.commit.slice(0, 12)})`);
  return { good, entry };
}

const MAX_HOURS = 24 * 90;

export const READ_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/tenants',
    role: 'viewer',
    tag: 'tenants',
    summary: 'Every tenant of the config in force, with its phase and readiness',
    schema: { response: { 200: { type: 'object', properties: { commit: { type: 'string' }, tenants: { type: 'array', items: TENANT_SUMMARY } } } } },
    async handle(context) {
      const good = configInForce(context);
      const statuses = new Map((await context.store.status.list()).map((s) => [s.tenant, s]));
      return { status: 200, body: { commit: good.commit, tenants: good.config.tenants.map((t) => tenantSummary(t, statuses.get(t.name))) } };
    },
  },
  {
    method: 'GET',
    url: '/tenants/:id',
    role: 'viewer',
    tag: 'tenants',
    summary: 'One tenant: phase, conditions, URLs, resources and its current operation',
    schema: { params: TENANT_PARAMS, response: { 200: TENANT_DETAIL } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const { good, entry } = tenantInConfig(context, id);
      const [status, unfinished] = await Promise.all([context.store.status.get(id), context.store.operations.listUnfinished(id)]);
      return { status: 200, body: tenantDetail(good.platform, good.commit, entry, status, unfinished[0]) };
    },
  },
  {
    method: 'GET',
    url: '/tenants/:id/events',
    role: 'viewer',
    tag: 'tenants',
    summary: "A tenant's events of the last hours, newest first",
    schema: {
      params: TENANT_PARAMS,
      querystring: { type: 'object', properties: { hours: { type: 'integer', minimum: 1, maximum: MAX_HOURS, default: 24 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { tenant: { type: 'string' }, hours: { type: 'integer' }, events: { type: 'array', items: EVENT } } } },
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const { hours, limit } = context.request.query as { hours: number; limit: number };
      const events = await context.store.events.recent({ tenant: id, since: new Date(context.now.getTime() - hours * 3_600_000), limit });
      // A tenant removed from git still has its history: only a name never seen is unknown.
      if (events.length === 0 && !context.deps.config()?.config.tenants.some((t) => t.name === id)) tenantInConfig(context, id);
      return { status: 200, body: { tenant: id, hours, events: events.map(eventView) } };
    },
  },
  {
    method: 'GET',
    url: '/operations/:id',
    role: 'viewer',
    tag: 'operations',
    summary: "An operation's progress: status, current step, each step's times and error",
    schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } } }, response: { 200: OPERATION } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const op = await context.store.operations.get(id);
      if (!op) throw new ApiError(404, 'api.operation-unknown', `no operation with id ${id}`);
      return { status: 200, body: operationView(op) };
    },
  },
  {
    method: 'GET',
    url: '/tenants/:id/backups',
    role: 'viewer',
    tag: 'backups',
    summary: "A tenant's backups in the catalogue, newest first",
    schema: { params: TENANT_PARAMS, response: { 200: { type: 'object', properties: { tenant: { type: 'string' }, backups: { type: 'array', items: BACKUP } } } } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const backups = await context.store.backups.list(id, 200);
      if (backups.length === 0) tenantInConfig(context, id);
      return { status: 200, body: { tenant: id, backups: backups.map(backupView) } };
    },
  },
];

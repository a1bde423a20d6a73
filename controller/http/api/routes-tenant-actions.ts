// Playbook 5 through the API, on the CLI's code. POST /tenants/:id/restart
// journals a `restart` operation (controller/operations/restart.ts: what
// `rp9 tenant restart` does, with its events) for the leader to run.
// POST /tenants/:id/failover opens the emergency failover pull request of
// `rp9 tenant failover` (bots/promotion/failover-pr.ts) on the same branch
// rp9/failover/<tenant>, so the CLI and the API update one pull request, and
// records FailoverRequested as the CLI does. A person merges it; the
// controller then moves the tenant to the shared n8n.
import { demotionEdits } from '../../../bots/promotion/edits.js';
import { FAILOVER_LABELS, FAILOVER_PURPOSE, failoverBody, failoverTitle } from '../../../bots/promotion/failover-pr.js';
import { RESTART_DEFAULT_SECONDS, RESTART_KIND, RESTART_MAX_SECONDS } from '../../operations/restart.js';
import { proposeEdits, startOperation } from './routes-mutate.js';
import { tenantInConfig } from './routes-read.js';
import { ApiError, params, type ApiRoute } from './route.js';
import { DIAGNOSTICS_ANSWER, OPERATION_ANSWER, PULL_REQUEST_ANSWER, TENANT_PARAMS } from './schemas.js';

export const RESTART_ROUTE: ApiRoute = {
  method: 'POST',
  url: '/tenants/:id/restart',
  role: 'operator',
  tag: 'tenants',
  mutation: true,
  summary: "Restart a dedicated tenant's containers, main then workers, each waited for until healthy (a journaled operation)",
  description: `What rp9 tenant restart does, run by the leader: the events RestartStarted, then Restarted or RestartFailed (a Warning). timeoutSeconds (default ${RESTART_DEFAULT_SECONDS}, at most ${RESTART_MAX_SECONDS}) bounds the whole restart; a container not healthy within it fails the operation (restart.unhealthy) and the containers after it are not restarted. 409 api.shared-tenant (the shared n8n serves every shared tenant), api.suspended (stopped on purpose), api.operation-in-progress.`,
  schema: {
    params: TENANT_PARAMS,
    body: { type: ['object', 'null'], additionalProperties: false, properties: { timeoutSeconds: { type: 'integer', minimum: 1, maximum: RESTART_MAX_SECONDS } } },
    response: { 202: OPERATION_ANSWER },
  },
  async handle(context) {
    const { id } = params<{ id: string }>(context);
    const { entry } = tenantInConfig(context, id);
    if (entry.tenant.spec.mode === 'shared') throw new ApiError(409, 'api.shared-tenant', `tenant ${id} is shared: it runs on the shared n8n, which serves every shared tenant, so there is nothing of its own to restart`);
    if (entry.tenant.spec.suspended) throw new ApiError(409, 'api.suspended', `tenant ${id} is suspended (spec.suspended): its containers are stopped on purpose`);
    const timeoutSeconds = (context.request.body as { timeoutSeconds?: number } | null)?.timeoutSeconds ?? RESTART_DEFAULT_SECONDS;
    return startOperation(context, RESTART_KIND, id, { timeoutSeconds, actor: `api:${context.caller.subject}` });
  },
};

export const FAILOVER_ROUTE: ApiRoute = {
  method: 'POST',
  url: '/tenants/:id/failover',
  role: 'admin',
  tag: 'tenants',
  mutation: true,
  summary: 'Propose an emergency failover of a dedicated tenant to shared: the pull request of rp9 tenant failover',
  description: 'Opens or updates the pull request on rp9/failover/<id> (the one rp9 tenant failover opens): spec.mode shared, spec.promotion and the fields a shared tenant may not carry removed. A person merges it; follow the tenant with GET /tenants/{id} and its events. 409 api.not-dedicated for a shared tenant.',
  schema: {
    params: TENANT_PARAMS,
    body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } } },
    response: { 202: PULL_REQUEST_ANSWER, 422: DIAGNOSTICS_ANSWER },
  },
  async handle(context) {
    const { id } = params<{ id: string }>(context);
    const { entry } = tenantInConfig(context, id);
    if (entry.tenant.spec.mode !== 'dedicated') throw new ApiError(409, 'api.not-dedicated', `tenant ${id} is mode: ${entry.tenant.spec.mode}: it is on the shared n8n already`);
    const reason = (context.request.body as { reason: string }).reason.trim();
    const edits = demotionEdits(entry.tenant.spec);
    const requestedBy = `through the rp9 API by \`${context.caller.subject}\` (${context.caller.role})`;
    return proposeEdits(context, id, FAILOVER_PURPOSE, edits, failoverTitle(id), failoverBody(id, reason, requestedBy, edits), {
      labels: FAILOVER_LABELS,
      async onOpened(pr) {
        if (pr.action === 'unchanged') return;
        await context.store.events.record({ tenant: id, type: 'Warning', reason: 'FailoverRequested', message: `failover to shared requested: PR #${pr.number} (${pr.url}); reason: ${reason}`, actor: `api:${context.caller.subject}`, data: { pullRequest: pr.number } });
      },
    });
  },
};

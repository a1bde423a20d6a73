// Blue/green through the API, mapped onto the upgrade operation (#10). The
// controller upgrades a dedicated tenant blue/green whenever its n8n version
// changes in git, so `create_blue` is a pull request setting
// spec.n8n.version; the operation then backs up, builds blue on a copy of
// the database, gates on health, swaps, watches and cleans green up by
// itself. `swap` and `cleanup_green` are steps of that operation, not
// commands (409 naming where the upgrade is). A rollback on demand needs the
// operation to take a signal it does not have yet: 501 (rollback during the
// watch is automatic on failure). The status is read from the journal.
import type { Operation } from '../../store/types.js';
import { UPGRADE_KIND } from '../../upgrades/live-colour.js';
import { upgradeView } from '../../upgrades/upgrade-view.js';
import { proposeEdits } from './routes-mutate.js';
import { tenantInConfig } from './routes-read.js';
import { ApiError, params, type ApiRoute, type RouteContext } from './route.js';
import { OPERATION_STEP, PULL_REQUEST_ANSWER, TENANT_PARAMS, DIAGNOSTICS_ANSWER } from './schemas.js';

type Action = 'create_blue' | 'swap' | 'rollback' | 'cleanup_green';

const NULLABLE = (type: string) => ({ type: [type, 'null'] });

export const UPGRADE = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    fromColour: { type: 'string', enum: ['green', 'blue'] },
    toColour: { type: 'string', enum: ['green', 'blue'] },
    liveColour: { type: 'string', enum: ['green', 'blue'] },
    status: { type: 'string' },
    step: NULLABLE('string'),
    error: NULLABLE('string'),
    backupId: NULLABLE('string'),
    holdSeconds: NULLABLE('number'),
    swappedAt: NULLABLE('string'),
    watchedSeconds: NULLABLE('number'),
    startedAt: { type: 'string' },
    finishedAt: NULLABLE('string'),
    steps: { type: 'array', items: OPERATION_STEP },
  },
} as const;

async function newestUpgrade(context: RouteContext, tenant: string): Promise<Operation | undefined> {
  return (await context.store.operations.list(tenant, 100)).find((o) => o.kind === UPGRADE_KIND);
}

function whereItIs(op: Operation | undefined): string {
  if (!op) return 'this tenant has no upgrade in the journal';
  const view = upgradeView(op);
  return `upgrade ${view.id} (${view.from} → ${view.to}) is ${view.status}${view.step ? ` at step ${view.step}` : ''}, live colour ${view.liveColour}`;
}

export const BLUE_GREEN_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/tenants/:id/blue-green/status',
    role: 'viewer',
    tag: 'blue-green',
    summary: "A tenant's newest blue/green upgrade from the journal (null when it never had one)",
    schema: { params: TENANT_PARAMS, response: { 200: { type: 'object', properties: { tenant: { type: 'string' }, upgrade: { anyOf: [UPGRADE, { type: 'null' }] } } } } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const op = await newestUpgrade(context, id);
      if (!op) tenantInConfig(context, id);
      return { status: 200, body: { tenant: id, upgrade: op ? upgradeView(op) : null } };
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/blue-green',
    role: 'admin',
    tag: 'blue-green',
    mutation: true,
    summary: 'create_blue: a pull request setting spec.n8n.version (the controller then runs the blue/green upgrade); swap, cleanup_green: 409, steps of that upgrade; rollback: 501',
    description: 'create_blue needs n8n_version and a dedicated tenant. Once merged, the controller runs the upgrade operation: pre-upgrade backup, blue on a copy of the database, health gate, swap, watch, cleanup of green; follow it with GET /tenants/{id}/blue-green/status. A failure before or during the watch rolls back to green by itself.',
    schema: {
      params: TENANT_PARAMS,
      body: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: {
          action: { type: 'string', enum: ['create_blue', 'swap', 'rollback', 'cleanup_green'] },
          n8n_version: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z.+-]+$' },
          pre_backup: { type: 'boolean', description: 'Accepted for the seed; the upgrade always takes a pre-upgrade backup' },
          from: { type: 'string', enum: ['green', 'blue'] },
          to: { type: 'string', enum: ['green', 'blue'] },
        },
      },
      response: { 202: PULL_REQUEST_ANSWER, 422: DIAGNOSTICS_ANSWER },
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const body = context.request.body as { action: Action; n8n_version?: string; pre_backup?: boolean };
      const { good, entry } = tenantInConfig(context, id);
      const spec = entry.tenant.spec;
      switch (body.action) {
        case 'create_blue': {
          if (spec.mode !== 'dedicated') throw new ApiError(409, 'api.not-dedicated', `tenant ${id} is shared: it runs the platform's shared n8n, upgraded with platform.yaml, not blue/green per tenant`);
          if (!body.n8n_version) throw new ApiError(400, 'api.n8n-version-required', 'create_blue needs n8n_version, the version blue runs');
          if (body.pre_backup === false) throw new ApiError(422, 'api.pre-backup-required', 'the upgrade always takes a pre-upgrade backup; pre_backup: false cannot be honoured');
          const current = spec.n8n?.version ?? good.platform.spec.dedicated.n8nVersion;
          if (current === body.n8n_version) throw new ApiError(409, 'api.version-unchanged', `tenant ${id} runs n8n ${current} already`);
          const running = (await context.store.operations.listUnfinished(id)).find((o) => o.kind === UPGRADE_KIND);
          if (running) throw new ApiError(409, 'api.upgrade-in-progress', `tenant ${id} is being upgraded: ${whereItIs(running)}`);
          return proposeEdits(context, id, 'api-upgrade', [{ path: ['spec', 'n8n', 'version'], value: body.n8n_version }], `upgrade: ${id} n8n ${current} → ${body.n8n_version}`, `Sets \`spec.n8n.version\` of **${id}** from ${current} to ${body.n8n_version}. Once merged, the controller upgrades it blue/green: a pre-upgrade backup, blue on a copy of the database, a health gate, the swap, a watch, then cleanup of green.`);
        }
        case 'swap':
        case 'cleanup_green':
          throw new ApiError(409, 'api.blue-green-automatic', `${body.action === 'swap' ? 'the swap' : 'the cleanup of green'} is a step of the upgrade operation, run by the controller after ${body.action === 'swap' ? 'the health gate' : 'the watch'}; nothing to do on demand (${whereItIs(await newestUpgrade(context, id))})`);
        case 'rollback':
          throw new ApiError(501, 'api.not-implemented', 'not built yet: rollback of an upgrade on demand (#10: rp9 tenant rollback); a failure during the watch rolls back to green by itself', { feature: 'upgrade rollback on demand (#10)' });
      }
    },
  },
];

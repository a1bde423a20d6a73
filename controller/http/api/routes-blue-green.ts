// Blue/green through the API, mapped onto the upgrade operation (#10). The
// controller upgrades a dedicated tenant blue/green whenever its n8n version
// changes in git, so `create_blue` is a pull request setting
// spec.n8n.version; the operation then backs up, builds blue on a copy of
// the database, gates on health, swaps, watches and cleans green up by
// itself. `swap` and `cleanup_green` are steps of that operation, not
// commands (409 naming where the upgrade is). `rollback` is what `rp9 tenant
// rollback` does (rollback-decision.ts): before the swap it cancels the
// upgrade, during the swap or watch it journals a rollback to green on the
// upgrade operation (202 with the operation; the leader's operations loop
// undoes the swap and discards blue), after cleanup it starts an in-place
// restore of the pre-upgrade backup when `confirm` repeats the tenant (202
// with that operation). The status is read from the journal.
import type { Operation } from '../../store/types.js';
import { UPGRADE_KIND } from '../../upgrades/live-colour.js';
import { upgradeView } from '../../upgrades/upgrade-view.js';
import { journalRollback } from '../../upgrades/request-rollback.js';
import { rollbackDecision, type RollbackDecision } from '../../upgrades/rollback-decision.js';
import { backupInput } from '../../backups/naming.js';
import { proposeEdits, startOperation } from './routes-mutate.js';
import { operationView } from './views.js';
import { tenantInConfig } from './routes-read.js';
import { ApiError, params, type Answer, type ApiRoute, type RouteContext } from './route.js';
import { OPERATION_ANSWER, OPERATION_STEP, PULL_REQUEST_ANSWER, TENANT_PARAMS, DIAGNOSTICS_ANSWER } from './schemas.js';

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
    preSync: {
      type: ['object', 'null'],
      description: 'What the swap carried from green to blue before the hold, while green served; null when nothing had changed since the copy',
      properties: {
        workflows: { type: 'integer' },
        credentials: { type: 'integer' },
        deleted: { type: 'integer' },
        restartedBlueMain: { type: 'boolean' },
        seconds: { type: 'number' },
      },
    },
    catchUp: {
      type: ['object', 'null'],
      description: 'What the swap carried from green to blue under the hold',
      properties: {
        workflows: { type: 'integer' },
        credentials: { type: 'integer' },
        deleted: { type: 'integer' },
        executions: NULLABLE('integer'),
        replacedExecutions: NULLABLE('integer'),
        skippedExecutions: NULLABLE('integer'),
        alreadyOnBlueExecutions: NULLABLE('integer'),
        restartedBlueMain: { type: 'boolean' },
        seconds: { type: 'number' },
        phases: { type: 'object', description: 'Seconds of each part of the hold: items, stopMain, stopWorkers, executions', additionalProperties: { type: 'number' } },
      },
    },
    drain: { type: ['object', 'null'], properties: { seconds: { type: 'number' }, unfinished: { type: 'integer' } } },
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

function refusal(decision: Extract<RollbackDecision, { action: 'refuse' }>): ApiError {
  const code = `api.upgrade-${decision.code.slice('upgrade.'.length)}`;
  return new ApiError(decision.code === 'upgrade.confirm-required' ? 422 : 409, code, decision.message.replace(/--confirm (\S+)/, 'confirm: "$1"'));
}

/** rollback: the same decision as rp9 tenant rollback, journaled on the upgrade or started as a restore-in-place. */
async function rollback(context: RouteContext, id: string, body: { confirm?: string; reason?: string }): Promise<Answer> {
  const { good, entry } = tenantInConfig(context, id);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const decision = rollbackDecision(id, await newestUpgrade(context, id), body.confirm === id, context.now);
    if (decision.action === 'refuse') throw refusal(decision);
    if (decision.action === 'restore') {
      const platform = good.platform.spec;
      const n8nVersion = entry.tenant.spec.n8n?.version ?? platform.dedicated.n8nVersion;
      const keepUntil = new Date(context.now.getTime() + (platform.backups?.operationBackupDays ?? 14) * 86_400_000);
      const input = { ...backupInput(id, 'pre-restore', context.now, { mode: 'dedicated', n8nVersion, keepUntil }), target: 'in-place', restoreFrom: decision.backupId };
      return startOperation(context, 'restore-in-place', id, { ...input, upgradeRollback: decision.operationId });
    }
    try {
      const op = await journalRollback(context.store.operations, decision, { by: `api:${context.caller.subject}`, at: context.now, ...(body.reason ? { reason: body.reason } : {}) });
      return { status: 202, body: { operation: operationView(op), url: `/operations/${op.id}` }, headers: { location: `/operations/${op.id}` } };
    } catch (error) {
      // The upgrade moved on between the read and the write: decide again on the journal as it is now.
      if ((error as { code?: string }).code !== 'store.conflict') throw error;
    }
  }
  throw new ApiError(409, 'api.upgrade-moving', `the upgrade of ${id} moved on twice while the rollback was being journaled; retry (${whereItIs(await newestUpgrade(context, id))})`);
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
    summary: 'create_blue: a pull request setting spec.n8n.version (the controller then runs the blue/green upgrade); swap, cleanup_green: 409, steps of that upgrade; rollback: journaled on the upgrade (202 with the operation)',
    description: 'create_blue needs n8n_version and a dedicated tenant. Once merged, the controller runs the upgrade operation: pre-upgrade backup, blue on a copy of the database, health gate, swap, watch, cleanup of green; follow it with GET /tenants/{id}/blue-green/status. A failure before or during the watch rolls back to green by itself. rollback (as rp9 tenant rollback): before the swap it cancels the upgrade (blue is discarded); during the swap or the watch it rolls back to green (the swap is undone, blue discarded; what blue wrote since the swap is lost and counted in the journal and the UpgradeFailed event); both answer 202 with the upgrade operation. After cleanup it needs confirm (the tenant name) and starts a restore-in-place of the pre-upgrade backup (202 with that operation). 409 with a code otherwise: api.upgrade-none, api.upgrade-cleanup-running, api.upgrade-rolling-back, api.upgrade-not-upgraded, api.upgrade-no-backup; 422 api.upgrade-confirm-required.',
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
          confirm: { type: 'string', maxLength: 63, description: 'rollback after cleanup: the tenant name, to restore the pre-upgrade backup in place' },
          reason: { type: 'string', maxLength: 500, description: 'rollback: why (journaled, and in the UpgradeFailed event)' },
        },
      },
      response: { 202: { anyOf: [{ ...OPERATION_ANSWER, required: ['operation'] }, { ...PULL_REQUEST_ANSWER, required: ['pullRequest'] }] }, 422: DIAGNOSTICS_ANSWER },
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const body = context.request.body as { action: Action; n8n_version?: string; pre_backup?: boolean; confirm?: string; reason?: string };
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
          return rollback(context, id, body);
      }
    },
  },
];

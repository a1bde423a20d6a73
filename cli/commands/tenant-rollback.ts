// `rp9 tenant rollback <tenant>`: takes a tenant back from its newest
// blue/green upgrade (rollback-decision.ts decides from the journal):
//   before the swap   cancels the upgrade: blue is discarded, green never stopped
//   swap or watch     rolls back to green through the upgrade operation: the
//                     request is journaled, the controller's operations loop
//                     undoes the swap (green back on its untouched database,
//                     the route back) and discards blue; the journal and the
//                     UpgradeFailed event say what blue wrote since the swap
//                     (lost). The command follows the journal until it ends.
//   after cleanup     with --confirm <tenant>: `rp9 restore --in-place` of the
//                     pre-upgrade backup; without it, refused
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, EXIT_UNCONFIRMED, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { embeddedStoreExists, openStore, storeOptionsFromEnv, type Store } from '../../controller/store/index.js';
import type { Operation } from '../../controller/store/types.js';
import { describeLostWrites, type BlueWrites } from '../../controller/upgrades/blue-writes.js';
import { UPGRADE_KIND, upgradeInput } from '../../controller/upgrades/live-colour.js';
import { journalRollback } from '../../controller/upgrades/request-rollback.js';
import { rollbackDecision, type RollbackDecision } from '../../controller/upgrades/rollback-decision.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { cliActor } from './purge.js';
import { restoreCommand } from './restore.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const POLL_MS = 1_000;

async function newestUpgrade(store: Store, tenant: string): Promise<Operation | undefined> {
  return (await store.operations.list(tenant, 100)).find((o) => o.kind === UPGRADE_KIND);
}

/** Journals the request; when the upgrade moved on meanwhile (store.conflict), decides once more on the journal as it is now. */
async function request(store: Store, tenant: string, first: RollbackDecision, io: CommandIo, reason: string | undefined): Promise<{ decision: RollbackDecision; op?: Operation }> {
  let decision = first;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (decision.action !== 'cancel' && decision.action !== 'roll-back') return { decision };
    try {
      const op = await journalRollback(store.operations, decision, { by: cliActor(io.env), at: new Date(), ...(reason ? { reason } : {}) });
      return { decision, op };
    } catch (error) {
      if ((error as { code?: string }).code !== 'store.conflict') throw error;
      decision = rollbackDecision(tenant, await newestUpgrade(store, tenant), false, new Date());
    }
  }
  return { decision };
}

async function follow(store: Store, id: string, waitMs: number): Promise<Operation> {
  const started = Date.now();
  for (;;) {
    const op = await store.operations.get(id);
    if (!op) throw new Error(`operation ${id} vanished from the journal`);
    if (op.finishedAt !== null || Date.now() - started + POLL_MS > waitMs) return op;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

function endLine(tenant: string, op: Operation): string {
  const input = upgradeInput(op);
  const lost = describeLostWrites(typeof op.state.swappedAt === 'string', op.state.lostOnBlue as BlueWrites | undefined);
  if (op.status === 'rolled-back') return `${tenant}: upgrade ${op.id} rolled back; ${tenant} runs n8n ${input.fromVersion} on ${input.fromColour}; ${lost}`;
  if (op.status === 'failed' && op.finishedAt !== null) return `${tenant}: the rollback of upgrade ${op.id} was given up (${String(op.state.undoError ?? op.error)}); it needs a human (rp9 tenant upgrade-status ${tenant})`;
  return `${tenant}: rollback of upgrade ${op.id} journaled; the controller has not finished it yet (at ${op.steps.find((s) => s.status === 'failed' || s.status === 'done')?.name ?? 'the start'}); follow it with rp9 tenant upgrade-status ${tenant}`;
}

export const tenantRollbackCommand: Command = {
  name: ['tenant', 'rollback'],
  summary: 'Take a tenant back from its blue/green n8n upgrade: to green during the watch, or restore the pre-upgrade backup after cleanup (--confirm)',
  args: '<tenant>',
  description: [
    'Reads the tenant\'s newest upgrade from the journal (DATABASE_URL, or the embedded store in --state-dir):',
    '  before the swap   cancels it: the running step fails, the controller discards blue; green never stopped',
    '  swap or watch     rolls back to green: the controller undoes the swap (green starts again on its',
    '                    database, untouched since the swap; the route returns), discards blue, and records',
    '                    in the journal and the UpgradeFailed event what blue wrote since the swap (lost)',
    '  after cleanup     --confirm <tenant> restores the pre-upgrade backup in place (rp9 restore --in-place:',
    '                    everything written since the upgrade is lost); without it, refused',
    'A cancel or rollback is journaled and run by the controller\'s operations loop; the command follows',
    'the journal until it ends (--wait seconds) unless --no-wait. Git still names the new version: the',
    'controller opens the revert pull request, as for any failed upgrade.',
    '',
    'Exit 0: rolled back, cancelled or restored (or journaled, with --no-wait); 1: refused (the code names',
    'why: upgrade.none, upgrade.cleanup-running, upgrade.rolling-back, upgrade.not-upgraded,',
    'upgrade.confirm-required) or the restore failed; 2: usage or I/O error, or the rollback was given up;',
    '3: journaled, but the controller did not finish it within --wait.',
    '',
    'Examples:',
    '  rp9 tenant rollback acme --reason "webhooks time out on 2.x"',
    '  rp9 tenant rollback acme --confirm acme',
  ].join('\n'),
  options: {
    confirm: { type: 'string', valueName: 'tenant', description: 'After cleanup: repeat the tenant name to restore the pre-upgrade backup in place' },
    reason: { type: 'string', valueName: 'text', description: 'Why (journaled and in the UpgradeFailed event)' },
    wait: { type: 'string', default: '900', valueName: 'seconds', description: 'How long to follow the rollback in the journal' },
    'no-wait': { type: 'boolean', description: 'Journal the request and return' },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    ...Object.fromEntries(Object.entries(restoreCommand.options).filter(([k]) => ['dir', 'repo', 'branch', 'state-dir'].includes(k))),
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the tenant' : `expected one tenant (got ${positionals.join(', ')})`);
    const tenant = positionals[0] as string;
    if (!TENANT_NAME.test(tenant) || tenant.length > 63) throw new UsageError(`"${tenant}" is not a tenant name`);
    if (values.confirm !== undefined && values.confirm !== tenant) throw new UsageError(`--confirm must repeat the tenant name: --confirm ${tenant}`);
    const waitSeconds = Number(values.wait);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait takes seconds (got "${String(values.wait)}")`);
    const settings = controllerSettings(values, io.env, io.cwd);
    const options = storeOptionsFromEnv(io.env, { cwd: io.cwd, stateDir: settings.stateDir });
    if (!options.databaseUrl && !embeddedStoreExists(settings.stateDir)) {
      io.stderr.write(`rp9 tenant rollback: [store.none] no state store in ${settings.stateDir}; pass --state-dir or set DATABASE_URL\n`);
      return EXIT_ERROR;
    }
    const store = await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    let restoreFrom: string | undefined;
    try {
      const first = rollbackDecision(tenant, await newestUpgrade(store, tenant), values.confirm === tenant, new Date());
      const { decision, op } = await request(store, tenant, first, io, values.reason as string | undefined);
      if (decision.action === 'refuse') {
        if (format === 'json') io.stdout.write(`${JSON.stringify({ tenant, refused: decision.code, message: decision.message }, null, 2)}\n`);
        io.stderr.write(`rp9 tenant rollback: [${decision.code}] ${decision.message}\n`);
        return EXIT_INVALID;
      }
      if (decision.action === 'restore') {
        restoreFrom = decision.backupId;
      } else if (op) {
        if (format === 'text') io.stdout.write(`${tenant}: ${decision.action === 'cancel' ? `cancel of the upgrade (at ${decision.step}, before the swap: blue is discarded, green never stopped)` : `rollback to green (at ${decision.step})`} journaled on operation ${op.id}\n`);
        const end = values['no-wait'] ? op : await follow(store, op.id, waitSeconds * 1000);
        if (format === 'json') io.stdout.write(`${JSON.stringify({ tenant, action: decision.action, operationId: end.id, status: end.status, finished: end.finishedAt !== null, lostOnBlue: end.state.lostOnBlue ?? null }, null, 2)}\n`);
        else if (!values['no-wait']) io.stdout.write(`${endLine(tenant, end)}\n`);
        if (values['no-wait'] || end.status === 'rolled-back') return EXIT_OK;
        return end.finishedAt === null ? EXIT_UNCONFIRMED : EXIT_ERROR;
      }
    } finally {
      await store.close();
    }
    if (!restoreFrom) return EXIT_ERROR;
    // After cleanup: rp9 restore --in-place of the pre-upgrade backup (its own store, config and Docker).
    if (format === 'text') io.stdout.write(`${tenant}: the upgrade finished and green is gone; restoring the pre-upgrade backup ${restoreFrom} in place\n`);
    const passed = Object.fromEntries(Object.entries(values).filter(([k]) => ['dir', 'repo', 'branch', 'state-dir', 'output'].includes(k)));
    return restoreCommand.run({ values: { ...passed, backup: restoreFrom, 'in-place': true, confirm: tenant }, positionals: [tenant] }, io);
  },
};

// rp9 restore <tenant> --backup <id> --sandbox | --in-place --confirm <tenant>:
// a restore operation run to the end in this process. --sandbox
// (controller/operations/restore.ts) brings up a dedicated stack of its own,
// `<tenant>-restore-<yyyymmdd>`, that the controller removes when its TTL ends;
// --in-place (restore-in-place.ts) takes a pre-restore backup, then replaces
// the tenant's database, and puts the pre-restore backup back if that fails.
// --remove <sandbox> removes a sandbox before its TTL: the sandbox-remove
// operation of DELETE /sandboxes/:id, run to the end here.
import { backupInput, parseKeep } from '../../controller/backups/naming.js';
import { backupRuntime, objectStoreFor } from '../../controller/backups/runtime.js';
import { processRunner } from '../../controller/operations/engine.js';
import { bindKind } from '../../controller/operations/kind.js';
import { ownedSandbox, sandboxBusyWith, SANDBOX_REMOVE_KIND, sandboxRemoveKind } from '../../controller/operations/sandbox-remove.js';
import type { RestoreInput, RestoreIntegrity } from '../../controller/operations/restore.js';
import type { InPlaceInput } from '../../controller/operations/restore-in-place.js';
import { cliExporter } from '../../controller/backups/runtime.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { DEFAULT_SANDBOX_TTL_MS, isSandboxName, sandboxName, sandboxNameProblem } from '../../controller/sandbox/sandbox.js';
import { sandboxRuntime } from '../../controller/sandbox/sandbox-runtime.js';
import type { Operation } from '../../controller/store/index.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { backupCreateCommand, openAll, progressPrinter } from './backup.js';
import { cliActor } from './purge.js';

function refusal(io: CommandIo, code: string, message: string): number {
  io.stderr.write(`rp9 restore: [${code}] ${message}\n`);
  return EXIT_INVALID;
}

function integrityLines(integrity: RestoreIntegrity | undefined): string[] {
  if (!integrity) return [];
  const part = (what: 'workflows' | 'credentials') => {
    const p = integrity[what];
    return p ? `  ${what}: ${p.count} (manifest ${p.manifestCount}), sha256 ${p.sha256.slice(0, 16)}… ${p.equal ? 'equal' : 'DIFFERENT'}` : `  ${what}: not in the backup`;
  };
  return [`  n8n healthy: ${integrity.healthy ? 'yes' : 'no'}`, part('workflows'), part('credentials')];
}

function summary(op: Operation): Record<string, unknown> {
  const s = op.state as Partial<RestoreInput> & { url?: string; integrity?: RestoreIntegrity; rtoSeconds?: number; errorCode?: string };
  return {
    operation: { id: op.id, status: op.status, error: op.error, errorCode: s.errorCode ?? null },
    tenant: op.tenant,
    backupId: s.backupId,
    target: op.kind === 'restore' ? 'sandbox' : 'in-place',
    sandbox: op.status === 'done' && op.kind === 'restore' ? { name: s.sandbox, url: s.url, expiresAt: s.expiresAt } : null,
    preRestoreBackupId: op.kind === 'restore-in-place' ? op.state.backupId : null,
    integrity: s.integrity ?? null,
    rtoSeconds: s.rtoSeconds ?? null,
  };
}

type Values = Record<string, unknown>;

/** rp9 restore --remove <sandbox>: the sandbox-remove operation (the API's DELETE /sandboxes/:id) run in this process. */
async function removeSandbox(values: Values, sandbox: string, io: CommandIo, format: string): Promise<number> {
  const opened = await openAll(values, io, 'restore', false);
  if (typeof opened === 'number') return opened;
  const { settings, config, store } = opened;
  const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
  try {
    if (!databases) {
      io.stderr.write('rp9 restore: [restore.no-database-server] no tenant database server is configured (RP9_TENANT_DATABASE_URL or DATABASE_URL)\n');
      return EXIT_ERROR;
    }
    const docker = dockerClient(settings.dockerHost, 60_000);
    const objects = objectStoreFor(config.platform, io.env, settings.stateDir);
    const { stack } = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform, tenants: config.tenants }) });
    const entry = ownedSandbox(await stack().inventory(), sandbox);
    if (!entry) return refusal(io, 'sandbox.not-found', `no restore sandbox ${sandbox} carrying rp9's owner labels in environment ${config.platform.spec.environment}`);
    const busy = sandboxBusyWith(await store.operations.listUnfinished(), sandbox);
    if (busy.length > 0) return refusal(io, 'sandbox.busy', `sandbox ${sandbox} is in use by ${busy.map((op) => `${op.kind} ${op.id}`).join(', ')}; remove it once that finishes`);
    const actor = cliActor(io.env);
    const { engine } = backupRuntime({
      store, objects, tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
      logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }),
      runner: processRunner(actor),
      extraKinds: { [SANDBOX_REMOVE_KIND]: bindKind(sandboxRemoveKind, { stack, operations: store.operations, events: store.events }) },
    });
    let op: Operation;
    try {
      op = await engine.start(SANDBOX_REMOVE_KIND, sandbox, { sandbox, actor });
    } catch (error) {
      if ((error as { code?: string }).code === 'store.operation-in-progress') return refusal(io, 'store.operation-in-progress', (error as Error).message);
      throw error;
    }
    const end = await engine.runToEnd(op.id);
    const removed = (end.state.removed as string[] | undefined) ?? [];
    if (format === 'json') io.stdout.write(`${JSON.stringify({ operation: { id: end.id, status: end.status, error: end.error }, sandbox, removed }, null, 2)}\n`);
    if (end.status !== 'done') {
      io.stderr.write(`rp9 restore: ${end.error ?? end.status}; sandbox ${sandbox} (operation ${end.id}, ${end.status})\n`);
      return String(end.error ?? '').includes('sandbox.busy') ? EXIT_INVALID : EXIT_ERROR;
    }
    if (format === 'text') io.stdout.write(`sandbox ${sandbox}: removed (${removed.join(', ') || 'nothing left'})\n`);
    return EXIT_OK;
  } finally {
    await databases?.close();
    await store.close();
  }
}

export const restoreCommand: Command = {
  name: ['restore'],
  summary: 'Restore a backup into a sandbox (a dedicated stack removed when its TTL ends), or in place',
  args: '<tenant> | --remove <sandbox>',
  description: [
    'Brings up <tenant>-restore-<yyyymmdd> (main + workers, its own database and route, the',
    "tenant's n8n encryption key from the backup) from a verified backup, checks it against the",
    'manifest (n8n healthy, workflow and credential counts and hashes equal) and prints its URL.',
    'The controller removes the sandbox when its TTL ends. Nothing is restored from a bad backup.',
    '',
    '--in-place --confirm <tenant> first takes a pre-restore backup of the tenant, then stops its',
    'main and workers, replaces its database with the backup, starts them and checks them against',
    'the manifest; on any failure the pre-restore backup is restored and the tenant started again.',
    '',
    '--remove <sandbox> removes a sandbox before its TTL (containers, route, volume, database and',
    'role, secrets), as DELETE /sandboxes/:id does; refused (sandbox.busy) while a restore or drill',
    'works on it, and (sandbox.not-found) for what is not a sandbox carrying rp9\'s owner labels.',
    '',
    'Exit 0: restored and equal; 1: refused or the check failed (the code names why; nothing is',
    'left behind); 2: usage or I/O error.',
    '',
    'Examples:',
    '  rp9 restore acme --backup acme-20261205T020000Z-daily --sandbox',
    '  rp9 restore acme --backup acme-20261205T020000Z-daily --sandbox --ttl 72h -o json',
    '  rp9 restore acme --backup acme-20261205T020000Z-daily --in-place --confirm acme',
    '  rp9 restore --remove acme-restore-20261205',
  ].join('\n'),
  options: {
    backup: { type: 'string', valueName: 'id', description: 'The backup to restore (rp9 backup list)' },
    sandbox: { type: 'boolean', description: 'Restore into a new sandbox stack' },
    'in-place': { type: 'boolean', description: "Replace the tenant's data (a pre-restore backup is taken first); needs --confirm <tenant>" },
    confirm: { type: 'string', valueName: 'tenant', description: 'Repeat the tenant name to confirm --in-place' },
    remove: { type: 'string', valueName: 'sandbox', description: 'Remove a sandbox (<tenant>-restore-<yyyymmdd> or <tenant>-drill-<yyyymmdd>) before its TTL' },
    ttl: { type: 'string', valueName: 'duration', description: 'How long the sandbox lives: 12h, 3d, 1w (default 24h)' },
    ...Object.fromEntries(Object.entries(backupCreateCommand.options).filter(([k]) => ['dir', 'repo', 'branch', 'state-dir', 'output'].includes(k))),
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (values.remove !== undefined) {
      const sandbox = String(values.remove);
      if (positionals.length > 0 || values.backup !== undefined || values.sandbox || values['in-place'] || values.ttl !== undefined) throw new UsageError('--remove <sandbox> takes no tenant, --backup, target or --ttl');
      if (!isSandboxName(sandbox)) throw new UsageError(`--remove takes a sandbox name, <tenant>-restore-<yyyymmdd> or <tenant>-drill-<yyyymmdd> (got "${sandbox}")`);
      return removeSandbox(values, sandbox, io, format);
    }
    if (positionals.length !== 1) throw new UsageError('name one tenant to restore');
    const tenant = positionals[0] as string;
    if (typeof values.backup !== 'string' || values.backup === '') throw new UsageError('--backup <id> is required (rp9 backup list)');
    if (Boolean(values.sandbox) === Boolean(values['in-place'])) throw new UsageError('pick one target: --sandbox (a new stack) or --in-place (replace the tenant\'s data)');
    if (values['in-place'] && values.confirm !== tenant) throw new UsageError(`--in-place replaces ${tenant}'s data: repeat the tenant name with --confirm ${tenant}`);
    if (values['in-place'] && values.ttl !== undefined) throw new UsageError('--ttl applies to --sandbox only');
    let ttlMs = DEFAULT_SANDBOX_TTL_MS;
    try {
      if (values.ttl !== undefined) ttlMs = parseKeep(values.ttl as string);
    } catch (error) {
      throw new UsageError((error as Error).message.replace('--keep', '--ttl'));
    }
    const opened = await openAll(values, io, 'restore', false);
    if (typeof opened === 'number') return opened;
    const { settings, config, store } = opened;
    const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
    try {
      if (!config.tenants.some((t) => t.name === tenant)) return refusal(io, 'restore.tenant-unknown', `tenant ${tenant} is not in the config (tenants/${tenant}.yaml); only tenants in git are restored`);
      const record = await store.backups.get(values.backup);
      if (!record) return refusal(io, 'backup.not-found', `no backup ${values.backup} in the catalogue (rp9 backup list)`);
      if (!databases) {
        io.stderr.write('rp9 restore: [restore.no-database-server] no tenant database server is configured (RP9_TENANT_DATABASE_URL or DATABASE_URL)\n');
        return EXIT_ERROR;
      }
      const now = new Date();
      const sandbox = sandboxName(tenant, now);
      const problem = sandboxNameProblem(sandbox, config.platform.spec.domain);
      if (problem) return refusal(io, 'restore.name-invalid', `sandbox name ${sandbox} cannot be used: ${problem}`);
      const objects = objectStoreFor(config.platform, io.env, settings.stateDir);
      const docker = dockerClient(settings.dockerHost, 60_000);
      const emails = new Map(config.tenants.map((t) => [t.name, t.tenant.metadata.email]));
      const { restore, inPlace } = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform, tenants: config.tenants }) });
      const { engine } = backupRuntime({
        store,
        objects,
        tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
        restore,
        inPlace,
        n8n: cliExporter({ docker, operations: store.operations, emailOf: (t) => emails.get(t) }),
        logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }),
        runner: processRunner(cliActor(io.env)),
        onProgress: format === 'text' ? progressPrinter(io) : () => undefined,
      });
      const input: RestoreInput = { backupId: record.id, target: 'sandbox', sandbox, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
      const entry = config.tenants.find((t) => t.name === tenant);
      const platform = config.platform.spec;
      const inPlaceInput: InPlaceInput = {
        ...backupInput(tenant, 'pre-restore', now, { mode: 'dedicated', n8nVersion: entry?.tenant.spec.n8n?.version ?? platform.dedicated.n8nVersion, keepUntil: new Date(now.getTime() + (platform.backups?.operationBackupDays ?? 14) * 86_400_000) }),
        target: 'in-place',
        restoreFrom: record.id,
      };
      let op: Operation;
      try {
        op = values['in-place'] ? await engine.start('restore-in-place', tenant, { ...inPlaceInput }) : await engine.start('restore', tenant, { ...input });
      } catch (error) {
        if ((error as { code?: string }).code === 'store.operation-in-progress') return refusal(io, 'store.operation-in-progress', (error as Error).message);
        throw error;
      }
      const end = await engine.runToEnd(op.id);
      if (io.stderr.isTTY && format === 'text') io.stderr.write('\r\x1b[K');
      const result = summary(end);
      if (format === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (end.status !== 'done') {
        const left = values['in-place'] ? `${tenant} runs on its data from before (pre-restore backup ${inPlaceInput.backupId})` : `nothing is left of sandbox ${sandbox}`;
        io.stderr.write(`rp9 restore: ${end.error ?? end.status}; ${left} (operation ${end.id}, ${end.status})\n`);
        const code = String(end.state.errorCode ?? '');
        return code.startsWith('restore.') || code.startsWith('backup.') ? EXIT_INVALID : EXIT_ERROR;
      }
      if (format === 'text' && values['in-place']) {
        io.stdout.write(`${tenant}: restored in place from backup ${record.id} (pre-restore backup ${inPlaceInput.backupId}); workflows and credentials equal the manifest; RTO ${Number(end.state.rtoSeconds).toFixed(1)} s\n`);
      } else if (format === 'text') {
        io.stdout.write(
          [
            `sandbox ${sandbox}: restored from backup ${record.id}`,
            `  url ${String(end.state.url)}`,
            `  expires ${input.expiresAt} (removed by the controller then)`,
            ...integrityLines(end.state.integrity as RestoreIntegrity | undefined),
            `  RTO ${Number(end.state.rtoSeconds).toFixed(1)} s`,
            '',
          ].join('\n'),
        );
      }
      return EXIT_OK;
    } finally {
      await databases?.close();
      await store.close();
    }
  },
};

// rp9 backup create|list|verify: tenant backups through the operation engine
// (controller/operations/backup.ts), the catalogue in the state store, and
// the object store (S3 bucket from platform.yaml, or <state-dir>/backups).
import { formatText } from '../../config/format/index.js';
import { createParseCache, loadConfig } from '../../config/load-config.js';
import type { LoadedConfig } from '../../config/types.js';
import { BackupError } from '../../controller/backups/errors.js';
import { backupInput, parseKeep } from '../../controller/backups/naming.js';
import { backupRuntime, cliExporter, objectStoreFor } from '../../controller/backups/runtime.js';
import { verifyBackup } from '../../controller/backups/verify.js';
import { BACKUP_KINDS, type BackupKindName } from '../../controller/operations/backup.js';
import type { OperationProgress } from '../../controller/operations/kind.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { controllerSettings, type ControllerSettings } from '../../controller/runtime/settings.js';
import { embeddedStoreExists, openStore, storeOptionsFromEnv, type BackupRecord, type Store } from '../../controller/store/index.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { readFiles } from './plan.js';
import { describeBlocking, startWhenFree } from '../../controller/operations/start-when-free.js';
import { processRunner } from '../../controller/operations/engine.js';
import { cliActor } from './purge.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const DAY_MS = 86_400_000;

const configOptions: Command['options'] = {
  dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config directory (default: current directory)' },
  repo: { type: 'string', valueName: 'url|path', description: 'Read the config from this git repo instead of the working tree' },
  branch: { type: 'string', valueName: 'name', description: 'Branch of --repo (default main)' },
  'state-dir': { type: 'string', valueName: 'path', description: 'State directory of the embedded store and the default backup target (env RP9_STATE_DIR; default .rp9)' },
  output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text or json' },
};

interface Opened {
  settings: ControllerSettings;
  config: LoadedConfig & { platform: NonNullable<LoadedConfig['platform']> };
  store: Store;
}

export async function openAll(values: Record<string, unknown>, io: CommandIo, name: string, create: boolean): Promise<Opened | number> {
  const settings = controllerSettings(values, io.env, io.cwd);
  const read = await readFiles(values, io, settings.stateDir);
  if ('error' in read) {
    io.stderr.write(`rp9 ${name}: ${read.error}\n`);
    return EXIT_ERROR;
  }
  const config = loadConfig(read.files, createParseCache());
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !config.platform) {
    io.stderr.write(`${formatText(errors, { color: false })}\nrp9 ${name}: the config is invalid; fix it first (rp9 validate).\n`);
    return EXIT_INVALID;
  }
  const options = storeOptionsFromEnv(io.env, { cwd: io.cwd, stateDir: settings.stateDir });
  if (!create && !options.databaseUrl && !embeddedStoreExists(settings.stateDir)) {
    io.stderr.write(`rp9 ${name}: [backup.no-store] no state store in ${settings.stateDir}: run from the controller's directory, pass --state-dir, or set DATABASE_URL\n`);
    return EXIT_ERROR;
  }
  const store = await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
  return { settings, config: config as Opened['config'], store };
}

function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function progressPrinter(io: CommandIo): (update: OperationProgress) => void {
  let last = '';
  return (update) => {
    const line = `${update.step}${update.phase && update.phase !== update.step ? ` (${update.phase})` : ''}${update.bytes !== undefined ? ` ${humanBytes(update.bytes)}` : ''}`;
    if (io.stderr.isTTY) io.stderr.write(`\r\x1b[K${line}`);
    else if (line.split(' ')[0] !== last.split(' ')[0]) io.stderr.write(`${line}\n`);
    last = line;
  };
}

function recordJson(record: BackupRecord): Record<string, unknown> {
  return { ...record, createdAt: record.createdAt.toISOString(), completedAt: record.completedAt.toISOString(), verifiedAt: record.verifiedAt?.toISOString() ?? null, keepUntil: record.keepUntil?.toISOString() ?? null };
}

export const backupCreateCommand: Command = {
  name: ['backup', 'create'],
  summary: 'Back up a tenant now: database, workflows and credentials, encrypted and verified',
  args: '<tenant>',
  description: [
    'Runs a backup operation to the end in this process and prints a summary. The objects go',
    'to the bucket in platform.yaml (spec.backups.bucket; endpoint and credentials from the AWS',
    'environment) or, without one, to <state-dir>/backups. The tenant must be in the config.',
    '',
    'Examples:',
    '  rp9 backup create acme                      # a manual backup, retention by kind',
    '  rp9 backup create acme --keep 30d           # keep it at least 30 days',
    '  rp9 backup create acme --kind pre-upgrade',
  ].join('\n'),
  options: {
    kind: { type: 'string', valueName: 'kind', default: 'manual', description: `Backup kind: ${BACKUP_KINDS.join(', ')}` },
    keep: { type: 'string', valueName: 'duration', description: 'Keep it at least this long: 12h, 30d, 2w' },
    'skip-n8n': { type: 'boolean', description: 'Dump the database only; do not export workflows and credentials through the n8n CLI' },
    wait: { type: 'string', valueName: 'duration', default: '30m', description: 'While another operation of the tenant runs (an upgrade, a restore, a scheduled backup), wait this long for it to end: 90s, 30m, 2h; 0 fails at once' },
    ...configOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError('name one tenant to back up');
    const tenant = positionals[0] as string;
    if (!TENANT_NAME.test(tenant)) throw new UsageError(`"${tenant}" is not a tenant name`);
    const kind = values.kind as string;
    if (!(BACKUP_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${BACKUP_KINDS.join(', ')} (got "${kind}")`);
    let keepMs: number | undefined;
    try {
      keepMs = values.keep === undefined ? undefined : parseKeep(values.keep as string);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const waitMs = parseWait(String(values.wait ?? '30m'));
    const opened = await openAll(values, io, 'backup create', true);
    if (typeof opened === 'number') return opened;
    const { settings, config, store } = opened;
    try {
      const entry = config.tenants.find((t) => t.name === tenant);
      if (!entry) {
        io.stderr.write(`rp9 backup create: [backup.tenant-unknown] tenant ${tenant} is not in the config (tenants/${tenant}.yaml); only tenants in git are backed up\n`);
        return EXIT_INVALID;
      }
      const platform = config.platform.spec;
      const mode = entry.tenant.spec.mode;
      const n8nVersion = mode === 'dedicated' ? (entry.tenant.spec.n8n?.version ?? platform.dedicated.n8nVersion) : platform.sharedN8n.version;
      const now = new Date();
      const operationDays = platform.backups?.operationBackupDays ?? 14;
      const keepUntil = keepMs !== undefined ? new Date(now.getTime() + keepMs) : kind.startsWith('pre-') ? new Date(now.getTime() + operationDays * DAY_MS) : null;
      const objects = objectStoreFor(config.platform, io.env, settings.stateDir);
      const emails = new Map(config.tenants.map((t) => [t.name, t.tenant.metadata.email]));
      const { engine } = backupRuntime({
        store,
        objects,
        tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
        ...(values['skip-n8n'] ? {} : { n8n: cliExporter({ docker: dockerClient(settings.dockerHost, 60_000), operations: store.operations, ...(io.env.RP9_SHARED_N8N_CONTAINER ? { sharedContainer: io.env.RP9_SHARED_N8N_CONTAINER } : {}), ...(settings.sharedDatabaseUrl ? { sharedDatabaseUrl: settings.sharedDatabaseUrl } : {}), emailOf: (t) => emails.get(t) }) }),
        logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }),
        runner: processRunner(cliActor(io.env)),
        onProgress: format === 'text' ? progressPrinter(io) : () => undefined,
      });
      const input = backupInput(tenant, kind as BackupKindName, now, { mode, n8nVersion, keepUntil });
      let op;
      let printedAt = -1;
      try {
        op = await startWhenFree(engine, store.operations, 'backup', tenant, { ...input }, {
          timeoutMs: waitMs,
          onWait: (blocking, waitedMs) => {
            if (format !== 'text') return;
            const line = `waiting for ${describeBlocking(blocking)} of ${tenant} to end: ${Math.round(waitedMs / 1000)} s of ${Math.round(waitMs / 1000)} s`;
            if (io.stderr.isTTY) io.stderr.write(`\r\x1b[K${line}`);
            else if (printedAt < 0 || waitedMs - printedAt >= 30_000) {
              printedAt = waitedMs;
              io.stderr.write(`${line}\n`);
            }
          },
        });
      } catch (error) {
        if ((error as { code?: string }).code !== 'operations.wait-timeout') throw error;
        if (io.stderr.isTTY && format === 'text') io.stderr.write('\r\x1b[K');
        io.stderr.write(`rp9 backup create: [backup.wait-timeout] ${(error as Error).message}\n`);
        return EXIT_INVALID;
      }
      const end = await engine.runToEnd(op.id);
      if (io.stderr.isTTY && format === 'text') io.stderr.write('\r\x1b[K');
      const record = end.status === 'done' ? await store.backups.get(input.backupId) : undefined;
      if (format === 'json') io.stdout.write(`${JSON.stringify({ operation: { id: end.id, status: end.status, error: end.error }, backup: record ? recordJson(record) : null }, null, 2)}\n`);
      if (!record) {
        io.stderr.write(`rp9 backup create: backup ${input.backupId} failed and was rolled back (operation ${end.id}): ${end.error ?? end.status}\n`);
        return EXIT_ERROR;
      }
      if (format === 'text') {
        const m = record.manifest as { workflows?: { count: number } | null; credentials?: { count: number } | null; tables?: Record<string, number> };
        io.stdout.write(
          [
            `backup ${record.id}: ${record.status}`,
            `  tenant ${tenant} (${mode}), kind ${kind}, n8n ${n8nVersion}`,
            `  stored ${humanBytes(record.storedBytes)} at ${record.location}/${record.prefix}`,
            `  workflows ${m.workflows?.count ?? 'not exported'}, credentials ${m.credentials?.count ?? 'not exported'}${m.tables && Object.keys(m.tables).length > 0 ? `, rows ${Object.entries(m.tables).map(([t, n]) => `${t}=${n}`).join(' ')}` : ''}`,
            `  keep until ${record.keepUntil?.toISOString() ?? 'retention by kind'}`,
            '',
          ].join('\n'),
        );
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

/** `--wait`: 0, or seconds, minutes or hours (90s, 30m, 2h); at most a day. */
export function parseWait(text: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--wait must be 0 or a number of seconds, minutes or hours: 90s, 30m, 2h (got "${text}")`);
  const ms = Number(match[1]) * ({ s: 1_000, m: 60_000, h: 3_600_000 } as const)[(match[2] ?? 's') as 's' | 'm' | 'h'];
  if (ms > 86_400_000) throw new UsageError(`--wait must be at most 24h (got "${text}")`);
  return ms;
}

export const backupListCommand: Command = {
  name: ['backup', 'list'],
  summary: 'List catalogued backups, newest first',
  args: '[tenant]',
  options: { 'state-dir': configOptions['state-dir'] as Command['options'][string], output: configOptions.output as Command['options'][string], ...helpOption },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length > 1) throw new UsageError(`expected at most one tenant (got ${positionals.join(', ')})`);
    const settings = controllerSettings(values, io.env, io.cwd);
    const options = storeOptionsFromEnv(io.env, { cwd: io.cwd, stateDir: settings.stateDir });
    if (!options.databaseUrl && !embeddedStoreExists(settings.stateDir)) {
      if (format === 'json') io.stdout.write('[]\n');
      else io.stdout.write('no backups (no state store yet)\n');
      return EXIT_OK;
    }
    const store = await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    try {
      const rows = await store.backups.list(positionals[0]);
      if (format === 'json') {
        io.stdout.write(`${JSON.stringify(rows.map(recordJson), null, 2)}\n`);
        return EXIT_OK;
      }
      if (rows.length === 0) {
        io.stdout.write('no backups\n');
        return EXIT_OK;
      }
      const table = [['ID', 'TENANT', 'KIND', 'STATUS', 'CREATED', 'SIZE', 'KEEP UNTIL'], ...rows.map((r) => [r.id, r.tenant, r.kind, r.status, r.createdAt.toISOString(), humanBytes(r.storedBytes), r.keepUntil?.toISOString() ?? '-'])];
      const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
      io.stdout.write(`${table.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

export const backupVerifyCommand: Command = {
  name: ['backup', 'verify'],
  summary: 'Download, decrypt and check a backup against its manifest',
  args: '<id>',
  description: 'Exit 0: every object matches its manifest; 1: the backup is bad or unknown (the error names the backup and the object); 2: I/O error.',
  options: { ...configOptions, ...helpOption },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError('name one backup id (rp9 backup list)');
    const id = positionals[0] as string;
    const opened = await openAll(values, io, 'backup verify', false);
    if (typeof opened === 'number') return opened;
    const { settings, config, store } = opened;
    try {
      const record = await store.backups.get(id);
      if (!record) {
        io.stderr.write(`rp9 backup verify: [backup.not-found] no backup ${id} in the catalogue (rp9 backup list)\n`);
        return EXIT_INVALID;
      }
      const objects = objectStoreFor(config.platform, io.env, settings.stateDir);
      if (objects.description !== record.location) {
        io.stderr.write(`rp9 backup verify: [backup.location-mismatch] backup ${id} is in ${record.location}, the configured backup store is ${objects.description}\n`);
        return EXIT_ERROR;
      }
      try {
        const result = await verifyBackup(objects, await store.masterKey(), record);
        await store.backups.markVerified(id);
        if (format === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else io.stdout.write(`backup ${id}: ok (${result.objects.map((o) => `${o.name} ${humanBytes(o.plainBytes)}`).join(', ')}; workflows ${result.workflows ?? '-'}, credentials ${result.credentials ?? '-'})\n`);
        return EXIT_OK;
      } catch (error) {
        if (error instanceof BackupError) {
          if (format === 'json') io.stdout.write(`${JSON.stringify({ id, ok: false, code: error.code, message: error.message }, null, 2)}\n`);
          io.stderr.write(`rp9 backup verify: [${error.code}] ${error.message}\n`);
          return EXIT_INVALID;
        }
        throw error;
      }
    } finally {
      await store.close();
    }
  },
};

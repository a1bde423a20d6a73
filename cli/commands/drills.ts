// rp9 drills run [tenant] | rp9 drills list: restore drills (controller/operations/drill.ts).
// `run` drills one tenant, or every tenant in the config that has a verified
// backup, one after the other, in this process: each restores a backup into a
// sandbox stack of its own, checks it, executes one workflow there, and
// removes the sandbox.
import { backupRuntime, objectStoreFor } from '../../controller/backups/runtime.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { operatorNotify } from '../../controller/runtime/operator-notifier.js';
import { sandboxRuntime } from '../../controller/sandbox/sandbox-runtime.js';
import { drillSmokeSummary, isDrillable } from '../../controller/operations/drill.js';
import type { Operation } from '../../controller/store/index.js';
import { embeddedStoreExists, openStore, storeOptionsFromEnv } from '../../controller/store/index.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { backupCreateCommand, openAll, progressPrinter } from './backup.js';
import { processRunner } from '../../controller/operations/engine.js';
import { cliActor } from './purge.js';

function row(op: Operation): Record<string, unknown> {
  return {
    id: op.id,
    tenant: op.tenant,
    status: op.status,
    backupId: op.state.backupId ?? null,
    sandbox: op.state.sandbox ?? null,
    rtoSeconds: op.state.rtoSeconds ?? null,
    integrity: op.state.integrity ?? null,
    smoke: op.state.smoke ?? null,
    error: op.error,
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
  };
}

export const drillsRunCommand: Command = {
  name: ['drills', 'run'],
  summary: 'Run a restore drill now, for one tenant or every tenant with a verified backup',
  args: '[tenant]',
  description: [
    'Each drill picks a verified backup of the tenant at random, restores it into a sandbox',
    '<tenant>-drill-<yyyymmdd> (its own database, main + workers, route), checks n8n healthy and',
    'workflow and credential counts and hashes against the manifest, executes one restored workflow',
    '(tagged rp9-smoke, else the first with a Manual Trigger), records the RTO, and removes the',
    'sandbox. A failed drill sets the tenant\'s Restorable condition to False (RestoreDrillFailed).',
    '',
    'Exit 0: every drill passed; 1: a drill failed (its reason is printed); 2: usage or I/O error.',
  ].join('\n'),
  options: { ...Object.fromEntries(Object.entries(backupCreateCommand.options).filter(([k]) => ['dir', 'repo', 'branch', 'state-dir', 'output'].includes(k))), ...helpOption },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length > 1) throw new UsageError(`expected at most one tenant (got ${positionals.join(', ')})`);
    const opened = await openAll(values, io, 'drills run', false);
    if (typeof opened === 'number') return opened;
    const { settings, config, store } = opened;
    const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
    try {
      const names = positionals[0] ? [positionals[0]] : config.tenants.map((t) => t.name);
      if (positionals[0] && !config.tenants.some((t) => t.name === positionals[0])) {
        io.stderr.write(`rp9 drills run: [drill.tenant-unknown] tenant ${positionals[0]} is not in the config\n`);
        return EXIT_INVALID;
      }
      if (!databases) {
        io.stderr.write('rp9 drills run: [drill.no-database-server] no tenant database server is configured (RP9_TENANT_DATABASE_URL or DATABASE_URL)\n');
        return EXIT_ERROR;
      }
      const objects = objectStoreFor(config.platform, io.env, settings.stateDir);
      const docker = dockerClient(settings.dockerHost, 60_000);
      const sandboxes = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform, tenants: config.tenants }) });
      const { engine } = backupRuntime({
        store,
        objects,
        tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
        restore: sandboxes.restore,
        drill: { ...sandboxes.drill, ...operatorNotify(settings, store.deliveries) },
        logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }),
        runner: processRunner(cliActor(io.env)),
        onProgress: format === 'text' ? progressPrinter(io) : () => undefined,
      });
      const results: Operation[] = [];
      for (const tenant of names) {
        const verified = (await store.backups.list(tenant)).some((b) => isDrillable(b, objects.description));
        if (!verified && !positionals[0]) continue;
        if (format === 'text') io.stderr.write(`drilling ${tenant}…\n`);
        let op;
        try {
          op = await engine.start('drill', tenant);
        } catch (error) {
          if ((error as { code?: string }).code !== 'store.operation-in-progress') throw error;
          io.stderr.write(`rp9 drills run: [store.operation-in-progress] ${(error as Error).message}\n`);
          return EXIT_INVALID;
        }
        results.push(await engine.runToEnd(op.id));
        if (io.stderr.isTTY && format === 'text') io.stderr.write('\r\x1b[K');
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(results.map(row), null, 2)}\n`);
      else {
        if (results.length === 0) io.stdout.write('no tenant has a verified backup to drill\n');
        for (const op of results) {
          io.stdout.write(op.status === 'done'
            ? `${op.tenant}: passed, backup ${String(op.state.backupId)} in sandbox ${String(op.state.sandbox)}: counts and hashes equal, ${drillSmokeSummary(op.state.smoke)}; RTO ${Number(op.state.rtoSeconds).toFixed(1)} s; sandbox removed\n`
            : `${op.tenant}: FAILED ${op.error ?? op.status}${op.state.sandbox ? ` (sandbox ${String(op.state.sandbox)} removed)` : ''}\n`);
        }
      }
      return results.every((op) => op.status === 'done') ? EXIT_OK : EXIT_INVALID;
    } finally {
      await databases?.close();
      await store.close();
    }
  },
};

export const drillsListCommand: Command = {
  name: ['drills', 'list'],
  summary: 'List restore drills, newest first, with result and RTO',
  options: { 'state-dir': backupCreateCommand.options['state-dir'] as Command['options'][string], output: backupCreateCommand.options.output as Command['options'][string], ...helpOption },
  async run({ values }, io) {
    const format = outputFormat(values, ['text', 'json']);
    const settings = controllerSettings(values, io.env, io.cwd);
    const options = storeOptionsFromEnv(io.env, { cwd: io.cwd, stateDir: settings.stateDir });
    if (!options.databaseUrl && !embeddedStoreExists(settings.stateDir)) {
      io.stdout.write(format === 'json' ? '[]\n' : 'no drills (no state store yet)\n');
      return EXIT_OK;
    }
    const store = await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    try {
      const drills = await store.operations.listByKind('drill', 200);
      if (format === 'json') io.stdout.write(`${JSON.stringify(drills.map(row), null, 2)}\n`);
      else if (drills.length === 0) io.stdout.write('no drills\n');
      else for (const op of drills) io.stdout.write(`${op.startedAt.toISOString()}  ${op.tenant}  ${op.status}  ${op.status === 'done' ? `RTO ${Number(op.state.rtoSeconds).toFixed(1)} s, backup ${String(op.state.backupId)}` : (op.error ?? '')}\n`);
      return EXIT_OK;
    } catch (error) {
      io.stderr.write(`rp9 drills list: ${(error as Error).message}\n`);
      return EXIT_ERROR;
    } finally {
      await store.close();
    }
  },
};

// rp9 drills run [tenant] | rp9 drills list: restore drills (controller/operations/drill.ts).
// `run` drills one tenant, or every tenant in the config that has a verified
// backup, one after the other, in this process.
import { backupRuntime, objectStoreFor } from '../../controller/backups/runtime.js';
import type { Operation } from '../../controller/store/index.js';
import { embeddedStoreExists, openStore, storeOptionsFromEnv } from '../../controller/store/index.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { createLogger } from '../../kernel/log/logger.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { backupCreateCommand, openAll } from './backup.js';
import { processRunner } from '../../controller/operations/engine.js';
import { cliActor } from './purge.js';

function row(op: Operation): Record<string, unknown> {
  return {
    id: op.id,
    tenant: op.tenant,
    status: op.status,
    backupId: op.state.backupId ?? null,
    rtoSeconds: op.state.rtoSeconds ?? null,
    error: op.error,
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
  };
}

export const drillsRunCommand: Command = {
  name: ['drills', 'run'],
  summary: 'Run a restore drill now, for one tenant or every tenant with a verified backup',
  args: '[tenant]',
  description: 'Exit 0: every drill passed; 1: a drill failed (its reason is printed); 2: usage or I/O error.',
  options: { ...Object.fromEntries(Object.entries(backupCreateCommand.options).filter(([k]) => ['dir', 'repo', 'branch', 'state-dir', 'output'].includes(k))), ...helpOption },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length > 1) throw new UsageError(`expected at most one tenant (got ${positionals.join(', ')})`);
    const opened = await openAll(values, io, 'drills run', false);
    if (typeof opened === 'number') return opened;
    const { settings, config, store } = opened;
    try {
      const names = positionals[0] ? [positionals[0]] : config.tenants.map((t) => t.name);
      if (positionals[0] && !config.tenants.some((t) => t.name === positionals[0])) {
        io.stderr.write(`rp9 drills run: [drill.tenant-unknown] tenant ${positionals[0]} is not in the config\n`);
        return EXIT_INVALID;
      }
      const { engine } = backupRuntime({
        store,
        objects: objectStoreFor(config.platform, io.env, settings.stateDir),
        tenantDatabaseAdminUrl: settings.tenantDatabaseUrl,
        logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }),
        runner: processRunner(cliActor(io.env)),
      });
      const results: Operation[] = [];
      for (const tenant of names) {
        const verified = (await store.backups.list(tenant)).some((b) => b.status === 'verified');
        if (!verified && !positionals[0]) continue;
        if (format === 'text') io.stderr.write(`drilling ${tenant}…\n`);
        results.push(await engine.runToEnd((await engine.start('drill', tenant)).id));
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(results.map(row), null, 2)}\n`);
      else {
        if (results.length === 0) io.stdout.write('no tenant has a verified backup to drill\n');
        for (const op of results) {
          io.stdout.write(op.status === 'done' ? `${op.tenant}: passed, backup ${String(op.state.backupId)}, RTO ${Number(op.state.rtoSeconds).toFixed(1)} s\n` : `${op.tenant}: FAILED ${op.error ?? op.status}\n`);
        }
      }
      return results.every((op) => op.status === 'done') ? EXIT_OK : EXIT_INVALID;
    } finally {
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

// rp9 purge <tenant>: deletes the data a tenant removed from git left behind
// (its labelled volumes, database and role, its secrets). Reads the config and
// observes like `rp9 plan`; without --confirm it only prints the purge plan.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { formatText } from '../../config/format/index.js';
import { createParseCache, loadConfig } from '../../config/load-config.js';
import { applyPurge, purgeEvent, type PurgeOutcome } from '../../controller/purge/apply-purge.js';
import { planPurge, tenantInConfig, type PurgePlan, type PurgeRefusal } from '../../controller/purge/plan-purge.js';
import { openPurgeEdges } from '../../controller/purge/purge-edges.js';
import { renderOutcomeText, renderPurgeJson, renderPurgeText } from '../../controller/purge/render-purge.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { StoreError } from '../../controller/store/errors.js';
import { embeddedStoreExists, openStore, storeOptionsFromEnv, type Store } from '../../controller/store/store.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command, type CommandIo, type OutputFormat } from '../command.js';
import { readFiles } from './plan.js';
import { platformOptions } from './settings-options.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const stateOptions = platformOptions;

/** Who ran the purge, for the audit event: `cli:<user>` (the sudo caller when there is one). */
export function cliActor(env: NodeJS.ProcessEnv): string {
  let user = env.SUDO_USER?.trim() || env.USER?.trim() || env.LOGNAME?.trim();
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `cli:${user}`;
}

function refusalExit(refused: PurgeRefusal): number {
  return refused.code === 'purge.unobservable' ? EXIT_ERROR : EXIT_INVALID;
}

function printRefusal(io: CommandIo, format: OutputFormat, plan: PurgePlan, refused: PurgeRefusal): number {
  if (format === 'json') io.stdout.write(renderPurgeJson(plan));
  io.stderr.write(`rp9 purge: [${refused.code}] ${refused.message}\n`);
  return refusalExit(refused);
}

/** Opens the state store before anything is observed or deleted; a locked or missing store ends the command here. */
async function openPurgeStore(io: CommandIo, stateDir: string): Promise<Store | { error: string }> {
  const options = storeOptionsFromEnv(io.env, { cwd: io.cwd, stateDir });
  if (!options.databaseUrl && !embeddedStoreExists(stateDir)) {
    return { error: `[purge.no-store] no state store in ${stateDir}: run from the controller's directory, pass --state-dir, or set DATABASE_URL to the controller's PostgreSQL store` };
  }
  try {
    return await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
  } catch (error) {
    if (error instanceof StoreError && error.code === 'store.locked') {
      return {
        error: [
          `[store.locked] ${error.message}`,
          `The lock is ${join(stateDir, 'store.lock')}: a running controller holds the embedded store.`,
          'Stop the controller and run the purge again, or run both against a shared PostgreSQL store (DATABASE_URL). Nothing was deleted.',
        ].join('\n'),
      };
    }
    throw error;
  }
}

export const purgeCommand: Command = {
  name: ['purge'],
  summary: 'Delete the volumes, database, role and secrets a tenant removed from git left behind',
  args: '<tenant>',
  description: [
    'A tenant removed from git loses its containers and route; its data is retained until',
    'an explicit purge. This reads the config and observes the platform like `rp9 plan`,',
    'and lists what would be deleted: Docker volumes carrying rp9\'s owner labels for the',
    'tenant, its PostgreSQL database and login role, a shared tenant\'s user on the shared',
    'n8n (with its personal project\'s workflows and credentials; needs RP9_SHARED_N8N_API_KEY),',
    'and its secrets and status in the state store. Nothing without rp9\'s labels or owner',
    'comment is touched.',
    'With --confirm <tenant> it deletes them and records an audit event in the store.',
    '',
    'Refused (exit 1) while the tenant is still in the config or still has containers or a',
    'route. Every delete is idempotent: after a failure, run the same command again.',
    '',
    'Exit 0: purged, or nothing to purge; 1: objects would be deleted (no --confirm), or refused;',
    '2: usage or I/O error (including a state store locked by a running controller).',
    '',
    'Examples:',
    '  rp9 purge acme                   # show what would be deleted',
    '  rp9 purge acme --confirm acme    # delete it',
  ].join('\n'),
  options: {
    confirm: { type: 'string', valueName: 'tenant', description: 'Delete for real; must repeat the tenant name' },
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config directory (default: current directory)' },
    repo: { type: 'string', valueName: 'url|path', description: 'Read the config from this git repo instead of the working tree' },
    branch: { type: 'string', valueName: 'name', description: 'Branch of --repo (default main)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text or json' },
    ...stateOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the tenant to purge' : `expected one tenant (got ${positionals.join(', ')})`);
    const tenant = positionals[0] as string;
    if (!TENANT_NAME.test(tenant) || tenant.length > 40) throw new UsageError(`"${tenant}" is not a tenant name (lowercase letters, digits and '-', starting with a letter)`);
    const confirm = values.confirm as string | undefined;
    if (confirm !== undefined && confirm !== tenant) throw new UsageError(`--confirm must repeat the tenant name "${tenant}" (got "${confirm}")`);

    const settings = controllerSettings(values, io.env, io.cwd);
    const read = await readFiles(values, io, settings.stateDir);
    if ('error' in read) {
      io.stderr.write(`rp9 purge: ${read.error}\n`);
      return EXIT_ERROR;
    }
    const config = loadConfig(read.files, createParseCache());
    const errors = config.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || !config.platform) {
      io.stderr.write(`${formatText(errors, { color: false })}\nrp9 purge: the config is invalid; fix it first (rp9 validate).\n`);
      return EXIT_INVALID;
    }
    const environment = config.platform.spec.environment;
    const configTenants = config.tenants.map((t) => t.name);
    const inConfig = tenantInConfig(tenant, configTenants);
    if (inConfig) return printRefusal(io, format, { tenant, environment, refused: inConfig, steps: [], notes: [] }, inConfig);

    const store = await openPurgeStore(io, settings.stateDir);
    if ('error' in store) {
      io.stderr.write(`rp9 purge: ${store.error}\n`);
      return EXIT_ERROR;
    }
    const { url: sharedUrl, apiKey } = settings.sharedN8nApi;
    const sharedN8n = apiKey ? { baseUrl: sharedUrl ?? config.platform.spec.sharedN8n.url, apiKey } : undefined;
    const edges = openPurgeEdges({ environment, docker: dockerClient(settings.dockerHost, 10_000), routesDir: settings.routesDir, tenantDatabaseUrl: settings.tenantDatabaseUrl, store, sharedN8n, runtime: config.platform.spec.runtime });
    try {
      const plan = planPurge(await edges.observe(tenant, configTenants), tenant);
      if (plan.refused) return printRefusal(io, format, plan, plan.refused);
      if (plan.steps.length === 0 || confirm === undefined) {
        io.stdout.write(format === 'json' ? renderPurgeJson(plan) : renderPurgeText(plan));
        return plan.steps.length === 0 ? EXIT_OK : EXIT_INVALID;
      }
      const outcome = await applyPurge(plan, edges.ports(tenant));
      const recorded = await store.events.record({ ...purgeEvent(plan, outcome, cliActor(io.env)), ...(read.commit ? { commit: read.commit } : {}) }).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      io.stdout.write(format === 'json' ? renderPurgeJson(plan, outcome) : renderOutcomeText(plan, outcome));
      if (outcome.failed) io.stderr.write(`rp9 purge: [${outcome.failed.code ?? 'purge.failed'}] ${outcome.failed.kind} ${outcome.failed.name}: ${outcome.failed.message}\n`);
      if (recorded !== undefined) io.stderr.write(`rp9 purge: [purge.audit-failed] the audit event could not be recorded: ${recorded}\n`);
      return exitAfter(outcome, recorded);
    } finally {
      await edges.close();
      await store.close();
    }
  },
};

function exitAfter(outcome: PurgeOutcome, auditError: string | undefined): number {
  if (outcome.failed) return EXIT_ERROR;
  return auditError === undefined ? EXIT_OK : EXIT_ERROR;
}

// rp9 plan: what the controller would change, like `terraform plan`.
// observe → plan(desired, observed) → render; nothing is applied.
import { join } from 'node:path';
import { formatText } from '../../config/format/index.js';
import { createParseCache, loadConfig } from '../../config/load-config.js';
import { ConfigDirError, readConfigDir } from '../../config/read-config-dir.js';
import type { ConfigFiles } from '../../config/types.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import type { ObservedState } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { hasChanges } from '../../controller/plan/format.js';
import { plan as computePlan } from '../../controller/plan/plan.js';
import { renderPlanJson } from '../../controller/plan/render-json.js';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown.js';
import { renderPlanText } from '../../controller/plan/render-text.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { compileContextFor, controllerSettings } from '../../controller/runtime/settings.js';
import { openSource } from '../../controller/source/index.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, useColor, type Command, type CommandIo } from '../command.js';
import { platformOptions } from './settings-options.js';

export async function readFiles(values: Record<string, unknown>, io: CommandIo, stateDir: string): Promise<{ files: ConfigFiles; commit?: string } | { error: string }> {
  const repo = values.repo as string | undefined;
  if (!repo) {
    try {
      return { files: await readConfigDir(join(io.cwd, (values.dir as string | undefined) ?? '.')) };
    } catch (error) {
      if (error instanceof ConfigDirError) return { error: `[${error.code}] ${error.message}` };
      throw error;
    }
  }
  const source = openSource({ url: repo, branch: (values.branch as string | undefined) ?? 'main', cacheDir: join(stateDir, 'git'), env: io.env });
  const fetched = await source.fetch();
  if (!fetched.ok) return { error: `[${fetched.code}] ${fetched.message}` };
  const snapshot = await source.snapshot(fetched.commit);
  return { files: snapshot.files, commit: fetched.commit };
}

function availabilityNotes(observed: ObservedState): string[] {
  const notes: string[] = [];
  const { docker, database, routes } = observed.availability;
  if (!docker.available) notes.push(`Docker: ${docker.reason ?? 'not available'}; planning as if no containers exist yet.`);
  if (!database.available) notes.push(`Tenant databases: ${database.reason ?? 'not available'}; planning as if none exist yet.`);
  if (!routes.available) notes.push(`Routes: ${routes.reason ?? 'not available'}.`);
  return notes;
}

export const planCommand: Command = {
  name: ['plan'],
  summary: 'Show what the controller would change, without changing anything',
  description: [
    'Reads the config (the working directory, or --repo as the controller does), observes',
    'Docker, the route directory and the tenant databases, and prints the plan.',
    'Exit 0: no changes; 1: changes pending (or the config is invalid, or the plan is refused); 2: error.',
  ].join('\n'),
  options: {
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config directory (default: current directory)' },
    repo: { type: 'string', valueName: 'url|path', description: 'Read the config from this git repo instead of the working tree' },
    branch: { type: 'string', valueName: 'name', description: 'Branch of --repo (default main)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text, json or markdown' },
    ...platformOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json', 'markdown']);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const settings = controllerSettings(values, io.env, io.cwd);
    const read = await readFiles(values, io, settings.stateDir);
    if ('error' in read) {
      io.stderr.write(`rp9 plan: ${read.error}\n`);
      return EXIT_ERROR;
    }
    const config = loadConfig(read.files, createParseCache());
    const errors = config.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || !config.platform) {
      io.stderr.write(`${formatText(errors, { color: false })}\nrp9 plan: the config is invalid; fix it first (rp9 validate).\n`);
      return EXIT_INVALID;
    }
    const platform = config.platform;
    const desired = compileDesired(platform, config.tenants, compileContextFor(settings, platform), { ...(read.commit ? { commit: read.commit } : {}), now: new Date() });
    const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
    let observed: ObservedState;
    try {
      observed = await observePlatform({
        environment: platform.spec.environment,
        docker: dockerClient(settings.dockerHost, 10_000),
        routesDir: settings.routesDir,
        ...(databases ? { databases } : {}),
      });
    } finally {
      await databases?.close();
    }
    const result = computePlan(desired, observed, { maxDeletionPercent: platform.spec.safety.maxDeletionPercent, allowMassDeletion: settings.allowMassDeletion });
    for (const note of availabilityNotes(observed)) io.stderr.write(`note: ${note}\n`);
    const rendered = format === 'json' ? renderPlanJson(result) : format === 'markdown' ? renderPlanMarkdown(result) : renderPlanText(result, { color: useColor(io) });
    io.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
    if (result.refused) return EXIT_INVALID;
    return hasChanges(result.summary) ? EXIT_INVALID : EXIT_OK;
  },
};

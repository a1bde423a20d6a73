// rp9 plan: what the controller would change, like `terraform plan`.
// observe → plan(desired, observed) → render; nothing is applied. With
// --base <ref> nothing is observed: the config at <ref> (git) stands for the
// running platform, so the plan shows what merging the working tree changes.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { planBaseToHead } from '../../bots/runner/check-pr.js';
import { readGitConfig } from '../../bots/sources/git-base.js';
import { formatJson, formatText } from '../../config/format/index.js';
import { createParseCache, loadConfig } from '../../config/load-config.js';
import { ConfigDirError, readConfigDir } from '../../config/read-config-dir.js';
import type { ConfigFiles } from '../../config/types.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import type { ObservedState, Plan } from '../../controller/model.js';
import { observePlatform } from '../../controller/observe/observe-platform.js';
import { hasChanges } from '../../controller/plan/format.js';
import { plan as computePlan } from '../../controller/plan/plan.js';
import { maintenanceByTenant, schedulePlan } from '../../controller/maintenance/schedule-plan.js';
import { renderPlanJson } from '../../controller/plan/render-json.js';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown.js';
import { renderPlanText } from '../../controller/plan/render-text.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { compileContextFor, controllerSettings, type ControllerSettings } from '../../controller/runtime/settings.js';
import { openSource } from '../../edges/git/index.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, useColor, type Command, type CommandIo } from '../command.js';
import { platformOptions } from './settings-options.js';

function configDir(values: Record<string, unknown>, io: CommandIo): string {
  return resolve(io.cwd, (values.dir as string | undefined) ?? '.');
}

export async function readFiles(values: Record<string, unknown>, io: CommandIo, stateDir: string): Promise<{ files: ConfigFiles; commit?: string } | { error: string }> {
  const repo = values.repo as string | undefined;
  if (!repo) {
    try {
      return { files: await readConfigDir(configDir(values, io)) };
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

function insideGitRepo(dir: string): Promise<boolean> {
  return new Promise((done) => execFile('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], (error) => done(!error)));
}

/** The config at `ref` in the git repo of the config dir; an error naming the ref when git cannot read it. */
async function readBase(values: Record<string, unknown>, io: CommandIo, ref: string): Promise<{ files: ConfigFiles; commit: string } | { error: string }> {
  try {
    const { commit, ...files } = await readGitConfig(configDir(values, io), ref);
    return { files, commit };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const dir = configDir(values, io);
    const message = (await insideGitRepo(dir)) ? (error as Error).message : `${dir} is not inside a git repository (--base reads the base config with git)`;
    return { error: `--base ${ref}: ${typeof code === 'string' ? `[${code}] ` : ''}${message}` };
  }
}

function fail(io: CommandIo, message: string): number {
  io.stderr.write(`rp9 plan: ${message}\n`);
  return EXIT_ERROR;
}

async function observe(settings: ControllerSettings, environment: string, runtime: 'docker' | 'swarm'): Promise<ObservedState> {
  const databases = settings.tenantDatabaseUrl ? createDatabaseAdmin(settings.tenantDatabaseUrl) : undefined;
  try {
    return await observePlatform({
      environment,
      runtime,
      docker: dockerClient(settings.dockerHost, 10_000),
      routesDir: settings.routesDir,
      ...(databases ? { databases } : {}),
    });
  } finally {
    await databases?.close();
  }
}

export const planCommand: Command = {
  name: ['plan'],
  summary: 'Show what the controller would change, without changing anything',
  description: [
    'Reads the config (the working directory, or --repo as the controller does), observes',
    'Docker, the route directory and the tenant databases, and prints the plan.',
    'With --base <ref>, observes nothing: the platform is taken to run the config at <ref>',
    '(read with git from the repo of --dir), so the plan shows per tenant what merging the',
    'working tree changes and which changes cause downtime (the PR comment of rp9 check-pr).',
    'Exit 0: no changes; 1: changes pending (or the config is invalid, or the plan is refused); 2: error.',
  ].join('\n'),
  options: {
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config directory (default: current directory)' },
    repo: { type: 'string', valueName: 'url|path', description: 'Read the config from this git repo instead of the working tree' },
    branch: { type: 'string', valueName: 'name', description: 'Branch of --repo (default main)' },
    base: { type: 'string', valueName: 'ref', description: 'Plan from the config at this git ref (e.g. origin/main) instead of the observed platform' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text, json or markdown' },
    ...platformOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json', 'markdown']);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const baseRef = values.base as string | undefined;
    if (baseRef !== undefined && baseRef.trim() === '') throw new UsageError('--base needs a git ref, for example origin/main');
    if (baseRef !== undefined && values.repo !== undefined) throw new UsageError('--base compares with the working tree of --dir; it cannot be combined with --repo');
    const settings = controllerSettings(values, io.env, io.cwd);
    const read = await readFiles(values, io, settings.stateDir);
    if ('error' in read) return fail(io, read.error);
    const base = baseRef === undefined ? undefined : await readBase(values, io, baseRef);
    if (base && 'error' in base) return fail(io, base.error);
    const config = loadConfig(read.files, createParseCache());
    const errors = config.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || !config.platform) {
      // A pipe reading --output json still gets one JSON document: validate's shape, with no plan.
      if (format === 'json') io.stdout.write(formatJson(config.diagnostics, { plan: null }));
      io.stderr.write(`${formatText(errors, { color: false })}\nrp9 plan: the config is invalid; fix it first (rp9 validate).\n`);
      return EXIT_INVALID;
    }
    const platform = config.platform;
    const context = (p: typeof platform) => compileContextFor(settings, p);
    let result: Plan;
    if (base) {
      result = planBaseToHead(base.files, { platform, tenants: config.tenants }, { compileContext: context });
      io.stderr.write(`note: planned from ${baseRef} (${base.commit.slice(0, 12)}) to the working tree; nothing was observed.\n`);
    } else {
      const desired = compileDesired(platform, config.tenants, context(platform), { ...(read.commit ? { commit: read.commit } : {}), now: new Date() });
      const observed = await observe(settings, platform.spec.environment, platform.spec.runtime);
      const computed = computePlan(desired, observed, { maxDeletionPercent: platform.spec.safety.maxDeletionPercent, allowDeletion: platform.spec.safety.allowDeletion });
      // Each action of a tenant with maintenance windows is marked now or at window, as the controller will apply it.
      result = schedulePlan(computed, maintenanceByTenant(platform, config.tenants), new Date());
      for (const note of availabilityNotes(observed)) io.stderr.write(`note: ${note}\n`);
    }
    const rendered = format === 'json' ? renderPlanJson(result) : format === 'markdown' ? renderPlanMarkdown(result) : renderPlanText(result, { color: useColor(io) });
    io.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
    if (result.refused) return EXIT_INVALID;
    return hasChanges(result.summary) ? EXIT_INVALID : EXIT_OK;
  },
};

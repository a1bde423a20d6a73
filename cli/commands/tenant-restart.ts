// `rp9 tenant restart <tenant>`: playbook 5, step 5. Restarts a dedicated
// tenant's main and worker containers through Docker, records the restart in
// the state store, and waits (bounded) for them to be healthy again.
import { formatText } from '../../config/format/index.js';
import { createParseCache, loadConfig } from '../../config/load-config.js';
import { restartRecorded } from '../../controller/docker/restart-recorded.js';
import { tenantContainers, type RestartOutcome } from '../../controller/docker/restart-tenant.js';
import { engineMessage } from '../../controller/docker/docker-errors.js';
import { dockerClient } from '../../controller/runtime/docker-client.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, EXIT_UNCONFIRMED, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { openCliStore } from '../tenant-pr/open-cli-store.js';
import { readFiles } from './plan.js';
import { cliActor } from './purge.js';
import { platformOptions } from './settings-options.js';
import { tenantArgument } from './tenant-promote.js';

const MAX_TIMEOUT_SECONDS = 1800;

function refuse(io: CommandIo, json: boolean, tenant: string, code: string, message: string): number {
  io.stdout.write(json ? `${JSON.stringify({ tenant, refused: { code, message } }, null, 2)}\n` : `Refused [${code}]: ${message}\nNothing was restarted.\n`);
  return EXIT_INVALID;
}

function timeoutOption(raw: unknown): number {
  const text = String(raw ?? '180').trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_TIMEOUT_SECONDS) throw new UsageError(`--timeout must be whole seconds from 1 to ${MAX_TIMEOUT_SECONDS} (got "${text}")`);
  return value;
}

export function renderRestartText(tenant: string, outcome: RestartOutcome): string {
  const lines = outcome.steps.map((s) => {
    if (s.outcome === 'skipped') return `  ${s.name.padEnd(32)} ${s.role.padEnd(6)} not restarted (an earlier container failed)`;
    if (s.outcome === 'restart-failed') return `  ${s.name.padEnd(32)} ${s.role.padEnd(6)} restart failed: ${s.detail}`;
    return `  ${s.name.padEnd(32)} ${s.role.padEnd(6)} ${s.outcome} after ${(s.health.waitedMs / 1000).toFixed(1)} s${s.outcome === 'healthy' ? '' : ` (${s.health.status}: ${s.health.detail ?? ''})`}`;
  });
  const verdict = outcome.ok ? `Restarted ${tenant}: every container healthy after ${outcome.seconds} s.` : `Restart of ${tenant} FAILED after ${outcome.seconds} s: see above, \`rp9 tenant events ${tenant}\` and \`docker logs\`.`;
  return `${lines.join('\n')}\n${verdict}\n`;
}

export const tenantRestartCommand: Command = {
  name: ['tenant', 'restart'],
  summary: 'Restart a dedicated tenant\'s containers, record it, and wait for health (playbook 5)',
  args: '<tenant>',
  description: [
    'Reads the config (the working tree, or --repo) for the environment and the tenant\'s mode,',
    'then restarts the tenant\'s containers that carry rp9\'s owner labels on the Docker engine',
    '(DOCKER_HOST): main first, then each worker, each waited for until healthy, all within',
    '--timeout. It stops at the first container that does not come back healthy. The events',
    'RestartStarted and Restarted (or RestartFailed, a Warning) go to the state store',
    '(DATABASE_URL or --state-dir); without a store it refuses before touching anything.',
    'The spec does not change, so the controller leaves the restarted containers alone.',
    '',
    'A shared tenant is refused: it runs on the shared n8n, which rp9 does not run and which',
    'serves every shared tenant; restarting it is not a per-tenant action. Restart the shared',
    'n8n\'s own containers (RP9_SHARED_N8N_CONTAINER) yourself if it is down for everyone.',
    'A suspended tenant is refused too (its containers are stopped on purpose).',
    '',
    'Exit 0: restarted and healthy; 1: refused (unknown, shared or suspended tenant, no',
    'containers, invalid config); 2: usage, Docker, store or I/O error; 3: restarted, but a',
    'container was not healthy within --timeout.',
    '',
    'Examples:',
    '  rp9 tenant restart acme',
    '  rp9 tenant restart acme --timeout 300 -o json',
  ].join('\n'),
  options: {
    timeout: { type: 'string', default: '180', valueName: 'seconds', description: 'Bound on the whole restart, health included' },
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config directory (default: current directory)' },
    repo: { type: 'string', valueName: 'url|path', description: 'Read the config from this git repo instead of the working tree' },
    branch: { type: 'string', valueName: 'name', description: 'Branch of --repo (default main)' },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    ...platformOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    const json = format === 'json';
    const tenant = tenantArgument(positionals);
    const timeoutSeconds = timeoutOption(values.timeout);
    const settings = controllerSettings(values, io.env, io.cwd);
    const read = await readFiles(values, io, settings.stateDir);
    if ('error' in read) {
      io.stderr.write(`rp9 tenant restart: ${read.error}\n`);
      return EXIT_ERROR;
    }
    const config = loadConfig(read.files, createParseCache());
    const errors = config.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || !config.platform) {
      io.stderr.write(`${formatText(errors, { color: false })}\n`);
      return refuse(io, json, tenant, 'restart.config-invalid', 'the config is invalid; fix it first (rp9 validate)');
    }
    const entry = config.tenants.find((t) => t.name === tenant);
    if (!entry) return refuse(io, json, tenant, 'restart.unknown-tenant', `tenant ${tenant} is not in the config`);
    if (entry.tenant.spec.mode === 'shared') {
      return refuse(io, json, tenant, 'restart.shared-tenant', `tenant ${tenant} is shared: it runs on the shared n8n, which rp9 does not run and which serves every shared tenant, so there is nothing of its own to restart. If the shared n8n is down for everyone, restart its containers (RP9_SHARED_N8N_CONTAINER) yourself`);
    }
    if (entry.tenant.spec.suspended) return refuse(io, json, tenant, 'restart.suspended', `tenant ${tenant} is suspended (spec.suspended): its containers are stopped on purpose`);

    const opened = await openCliStore(io, settings.stateDir);
    if ('error' in opened) {
      io.stderr.write(`rp9 tenant restart: ${opened.error}; nothing was restarted (the restart must be recorded)\n`);
      return EXIT_ERROR;
    }
    const { store } = opened;
    const actor = cliActor(io.env);
    try {
      const docker = dockerClient(settings.dockerHost, 60_000);
      let containers;
      try {
        containers = await tenantContainers(docker, config.platform.spec.environment, tenant);
      } catch (error) {
        io.stderr.write(`rp9 tenant restart: [restart.docker-unreachable] ${engineMessage(error)}; nothing was restarted\n`);
        return EXIT_ERROR;
      }
      if (containers.length === 0) return refuse(io, json, tenant, 'restart.no-containers', `tenant ${tenant} has no containers in environment ${config.platform.spec.environment} on this Docker engine (rp9 status ${tenant}: has the controller created them?)`);
      const outcome = await restartRecorded({
        docker, tenant, containers, actor, timeoutMs: timeoutSeconds * 1000, events: store.events,
        onStarted(names) {
          if (!json) io.stdout.write(`Restarting ${tenant}: ${names.join(', ')} (at most ${timeoutSeconds} s)\n`);
        },
      });
      io.stdout.write(json ? `${JSON.stringify({ tenant, ...outcome }, null, 2)}\n` : renderRestartText(tenant, outcome));
      return outcome.ok ? EXIT_OK : EXIT_UNCONFIRMED;
    } finally {
      await store.close();
    }
  },
};

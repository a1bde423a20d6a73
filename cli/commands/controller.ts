// rp9 controller: keeps the platform equal to the config repo.
import { createLogger } from '../../kernel/log/logger.js';
import { runController } from '../../controller/runtime/run-controller.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, type Command } from '../command.js';
import { platformOptions } from './settings-options.js';

export const controllerCommand: Command = {
  name: ['controller'],
  summary: 'Run the reconcile loop: converge Docker, Traefik and PostgreSQL to the config repo',
  description: [
    'With no options it runs on this directory\'s git repo (the example config) with the',
    'embedded store in .rp9/, and serves its status page, /healthz, /readyz,',
    '/health/detailed and /metrics on --listen. Without a reachable Docker engine it stays',
    'up, applies the routes of shared tenants and holds dedicated tenants as waiting for Docker.',
    '',
    'Environment: RP9_REPO_URL, RP9_REPO_BRANCH, RP9_GIT_TOKEN, DATABASE_URL (state store),',
    'RP9_TENANT_DATABASE_URL (tenant databases; defaults to DATABASE_URL), RP9_MASTER_KEY,',
    'DOCKER_HOST, RP9_CONTAINER_POSTGRES and RP9_CONTAINER_REDIS (host:port as containers',
    'reach them), RP9_DOCKER_NETWORK, RP9_SUSPENDED_URL, RP9_GITHUB_TOKEN and',
    'RP9_GITHUB_REPOSITORY (commit statuses), RP9_GITHUB_WEBHOOK_SECRET, RP9_LEASE_TTL_SECONDS and',
    'RP9_LEASE_RENEW_SECONDS (leader lease, default 15 s / 5 s), RP9_LOG_LEVEL. Every setting,',
    'with its default, is in docs/operations.md. Every secret (DATABASE_URL, RP9_TENANT_DATABASE_URL,',
    'RP9_MASTER_KEY, RP9_GIT_TOKEN, RP9_GITHUB_TOKEN, RP9_GITHUB_WEBHOOK_SECRET,',
    'RP9_SHARED_N8N_DATABASE_URL) also works as NAME_FILE, a file holding the value.',
    '',
    'It refuses to start without RP9_MASTER_KEY when DATABASE_URL is set, and when',
    'RP9_CONTAINER_POSTGRES or RP9_CONTAINER_REDIS is a loopback address.',
    '',
    'RP9_PUBLIC_URL: the http(s) URL where people open this controller\'s status page;',
    'commit statuses link to it. Set it in production. Unset, statuses link',
    'http://<host>:<port>/ of --listen when that is one address (fine for a local run;',
    'a loopback link only opens on this machine), and nothing when it is 0.0.0.0 or ::.',
  ].join('\n'),
  options: {
    repo: { type: 'string', valueName: 'url|path', description: 'Config repo URL or local path (env RP9_REPO_URL; default: current directory)' },
    branch: { type: 'string', valueName: 'name', description: 'Branch to follow (env RP9_REPO_BRANCH; default main)' },
    listen: { type: 'string', valueName: 'host:port', description: 'HTTP address (env RP9_LISTEN; default 127.0.0.1:9090)' },
    interval: { type: 'string', valueName: 'seconds', description: 'Reconcile interval (env RP9_INTERVAL_SECONDS; default 60)' },
    concurrency: { type: 'string', valueName: 'n', description: 'Tenants applied at once (env RP9_CONCURRENCY; default 4)' },
    once: { type: 'boolean', description: 'Reconcile once and exit: 0 converged, 1 failures' },
    'allow-mass-deletion': {
      type: 'string',
      valueName: 'commit',
      description: 'Let the plan of this one commit (sha, 7+ hex digits) remove more than safety.maxDeletionPercent of tenants; later commits are not covered. Prefer spec.safety.allowDeletion in platform.yaml',
    },
    ...platformOptions,
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const settings = controllerSettings(values, io.env, io.cwd);
    const logger = createLogger({ stream: io.stdout, env: io.env });
    const controller = await runController(settings, logger, io.env);
    if (values.once === true) {
      const result = await controller.loop.waitForResult();
      await controller.stop();
      if (!result) return EXIT_ERROR;
      return result.failures.length === 0 && result.kind !== 'unreachable' && result.kind !== 'idle' ? EXIT_OK : EXIT_INVALID;
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    logger.info('stopping');
    await controller.stop();
    return EXIT_OK;
  },
};

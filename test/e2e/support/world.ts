// One end-to-end world per test file: a fresh store database on the test
// PostgreSQL, a config repo served over smart HTTP, a routes dir, a unique
// platform environment and Docker network, optionally the GitHub contract
// server for commit statuses; and controllers started over all of it with
// the real edges (dockerd, PostgreSQL, files). Everything is torn down by
// close(), containers included.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { inject } from 'vitest';
import { createLogger } from '../../../kernel/log/logger.js';
import { runController, type RunningController } from '../../../controller/runtime/run-controller.js';
import { controllerSettings, type ControllerSettings } from '../../../controller/runtime/settings.js';
import { commitFiles, createConfigRepo, type ConfigRepo } from '../../fixtures/git-repo.js';
import { startGitHubServer, type GitHubServer } from '../../github/server.js';
import { startGitServer, type GitServer } from '../../harness/git-server.js';
import { ensureTestImage } from '../../harness/test-image.js';
import { removeEnvironment } from './docker.js';
import { mirrorCommit } from './github-mirror.js';

export const REPOSITORY = 'acme/config';
export const WEBHOOK_SECRET = 'e2e-webhook-secret';

export interface WorldInput {
  /** Short slug, unique per test file: names the environment, network, databases. */
  id: string;
  postgresUrl: string;
  dockerSocket: string;
  /** Files of the config repo's first commit. */
  files: (environment: string) => Record<string, string>;
  /** Start the GitHub contract server and mirror every commit into it. */
  github?: boolean;
  /** Tags of the tiny test image to make available (e.g. rp9/n8n:1.123.4). */
  images?: string[];
}

export interface ControllerHandle extends RunningController {
  settings: ControllerSettings;
  /** JSON log lines written so far. */
  logs: string[];
}

export interface ControllerOptions {
  intervalSeconds?: number;
  /** Extra environment variables (e.g. lease timing). */
  env?: Record<string, string>;
  settings?: Partial<ControllerSettings>;
  /** The clock maintenance windows are read against. */
  now?: () => Date;
}

export interface World {
  environment: string;
  network: string;
  repo: ConfigRepo;
  repoUrl: string;
  git: GitServer;
  github: GitHubServer | undefined;
  docker: Docker;
  routesDir: string;
  storeUrl: string;
  tenantDatabaseUrl: string;
  /** The environment a controller (or `rp9 plan`) of this world runs with. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  startController(options?: ControllerOptions): Promise<ControllerHandle>;
  /** Commits `files` (null deletes) and returns the new head. */
  push(files: Record<string, string | null>, message?: string): Promise<string>;
  /** Runs a query on the tenant database server. */
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Tenant databases (and their roles, named like them) that carry this environment's owner comment. */
async function dropTenantDatabases(serverUrl: string, environment: string): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(serverUrl, `select datname from pg_database where shobj_description(oid, 'pg_database') like $1`, [`rp9:${environment}:%`]);
  for (const { datname } of rows) {
    await adminQuery(serverUrl, `drop database if exists "${datname}" with (force)`);
    await adminQuery(serverUrl, `drop role if exists "${datname}"`);
  }
}

export async function createWorld(input: WorldInput): Promise<World> {
  const suffix = randomBytes(3).toString('hex');
  const environment = `e2e-${input.id}-${suffix}`;
  const network = `rp9-e2e-${input.id}-${suffix}`;
  const storeDatabase = `rp9_e2e_${input.id.replaceAll('-', '_')}_${suffix}`;
  const temp = await mkdtemp(join(tmpdir(), `rp9-e2e-${input.id}-`));
  const routesDir = join(temp, 'routes');
  await mkdir(routesDir);
  await adminQuery(input.postgresUrl, `create database ${storeDatabase}`);
  const storeUrl = databaseUrl(input.postgresUrl, storeDatabase);
  const docker = new Docker({ socketPath: input.dockerSocket });
  for (const image of input.images ?? []) await ensureTestImage(docker, image);

  await mkdir(join(temp, 'git'));
  const repo = await createConfigRepo(input.files(environment), { root: join(temp, 'git') });
  const git = await startGitServer(repo.root);
  const repoUrl = `${git.url}/${repo.name}`;
  const github = input.github ? await startGitHubServer() : undefined;
  if (github) await mirrorCommit(github, repo.bare, repo.head);
  const masterKey = randomBytes(32).toString('base64');
  const controllers: ControllerHandle[] = [];
  let count = 0;
  const hostFromContainers = inject('hostFromContainers');

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      DATABASE_URL: storeUrl,
      RP9_TENANT_DATABASE_URL: input.postgresUrl,
      RP9_MASTER_KEY: masterKey,
      DOCKER_HOST: `unix://${input.dockerSocket}`,
      RP9_DOCKER_NETWORK: network,
      // As containers reach the harness's PostgreSQL and Redis (the controller refuses loopback addresses).
      RP9_CONTAINER_POSTGRES: `${hostFromContainers}:${new URL(input.postgresUrl).port || 5432}`,
      RP9_CONTAINER_REDIS: `${hostFromContainers}:${new URL(inject('redisUrl')).port || 6379}`,
      RP9_SUSPENDED_URL: 'http://rp9-suspended.test:9090',
      RP9_HEALTH_TIMEOUT_SECONDS: '60',
      RP9_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RP9_LOG_LEVEL: 'debug',
      ...(github ? { RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: REPOSITORY, RP9_GITHUB_API_URL: github.url } : {}),
      ...extra,
    };
  }

  return {
    environment,
    network,
    repo,
    repoUrl,
    git,
    github,
    docker,
    routesDir,
    storeUrl,
    tenantDatabaseUrl: input.postgresUrl,
    env,
    async startController(options = {}) {
      count += 1;
      const controllerEnv = env({ ...(options.intervalSeconds ? { RP9_INTERVAL_SECONDS: String(options.intervalSeconds) } : {}), ...options.env });
      const settings: ControllerSettings = {
        ...controllerSettings({ repo: repoUrl, 'state-dir': join(temp, `state-${count}`), 'routes-dir': routesDir, listen: '127.0.0.1:0' }, controllerEnv, temp),
        ...options.settings,
      };
      const logs: string[] = [];
      // RP9_E2E_LOG_DIR keeps each controller's JSON log for a failing run.
      const logFile = process.env.RP9_E2E_LOG_DIR ? join(process.env.RP9_E2E_LOG_DIR, `${environment}-${count}.log`) : undefined;
      const write = (line: string) => {
        logs.push(line);
        if (logFile) appendFileSync(logFile, line);
      };
      const logger = createLogger({ stream: { write }, env: controllerEnv });
      const running = await runController(settings, logger, controllerEnv, options.now ? { now: options.now } : {});
      const handle: ControllerHandle = { ...running, settings, logs };
      controllers.push(handle);
      return handle;
    },
    async push(files, message) {
      const head = await commitFiles(repo, files, message);
      if (github) await mirrorCommit(github, repo.bare, head);
      return head;
    },
    query: (text, params) => adminQuery(input.postgresUrl, text, params),
    async close() {
      await Promise.allSettled(controllers.map((c) => c.stop()));
      await removeEnvironment(docker, environment, network);
      await git.stop();
      await github?.stop().catch(() => undefined);
      await dropTenantDatabases(input.postgresUrl, environment).catch(() => undefined);
      await adminQuery(input.postgresUrl, `drop database if exists ${storeDatabase} with (force)`).catch(() => undefined);
      await rm(temp, { recursive: true, force: true });
    },
  };
}

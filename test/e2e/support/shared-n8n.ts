// A real shared n8n for the e2e tests that move tenants between it and their
// dedicated stacks (promotion-real, demotion-real): main and a worker in queue
// mode on the harness's Redis and PostgreSQL, on the host network of the test
// dockerd. rp9 does not run the shared n8n; the tests start it once per file.
// Also the two database reads those tests assert with: which workflows are
// active in an n8n database, and one SQL statement.
import type Docker from 'dockerode';
import pg from 'pg';
import type { N8nConnection } from '../../../edges/n8n/index.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage } from '../../harness/n8n-image.js';
import { freePort } from '../../harness/processes.js';
import { createTenantDatabase, dropTenantDatabase, httpGet, queueModeEnv, waitWhileRunning, type TenantDatabase } from '../n8n-containers.js';
import { ownerConnection } from './n8n-workload.js';

export interface SharedN8nOptions {
  docker: Docker;
  /** The harness's superuser URL; the shared n8n gets a database of its own there. */
  postgresUrl: string;
  redisUrl: string;
  /** Its database's name (dropped first if a crashed run left it). */
  database: string;
  /** Container names and the queue's Bull prefix. */
  prefix: string;
  encryptionKey: string;
}

export interface SharedN8nInstance {
  url: string;
  /** Its owner's API key and cookie. */
  owner: N8nConnection;
  db: TenantDatabase;
  /** The main container's name, where its CLI runs (RP9_SHARED_N8N_CONTAINER). */
  mainContainer: string;
  containers: Docker.Container[];
  /** Its database's URL as the n8n user (RP9_SHARED_N8N_DATABASE_URL). */
  databaseUrl: string;
  /** Removes the containers and drops the database; never throws. */
  stop(): Promise<void>;
}

export function databaseUrlOf(superuserUrl: string, db: { user: string; password: string; name: string }): string {
  const url = new URL(superuserUrl);
  url.username = db.user;
  url.password = db.password;
  url.pathname = `/${db.name}`;
  return url.toString();
}

/**
 * Starts it; on a failure after the first container exists, `partial` (when given) receives what to clean up.
 * The worker starts after main (main runs the migrations).
 */
export async function startSharedN8n(options: SharedN8nOptions, partial?: (cleanup: () => Promise<void>) => void): Promise<SharedN8nInstance> {
  const { docker } = options;
  const image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  await dropTenantDatabase(options.postgresUrl, options.database).catch(() => undefined);
  const db = await createTenantDatabase(options.postgresUrl, options.database);
  const containers: Docker.Container[] = [];
  const stop = async (): Promise<void> => {
    for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
    await dropTenantDatabase(options.postgresUrl, options.database).catch(() => undefined);
  };
  partial?.(stop);
  const env = (role: 'main' | 'worker', own: number, broker: number) => [
    ...queueModeEnv({ db, redisUrl: options.redisUrl, port: own, brokerPort: broker, encryptionKey: options.encryptionKey, version: DEFAULT_N8N_VERSION }),
    `QUEUE_BULL_PREFIX=${options.prefix}`,
    ...(role === 'worker' ? ['QUEUE_HEALTH_CHECK_ACTIVE=true', `QUEUE_HEALTH_CHECK_PORT=${own}`, 'N8N_WORKER_SERVER_ADDRESS=127.0.0.1'] : []),
  ];
  const port = await freePort();
  const mainContainer = `${options.prefix}-main`;
  const main = await docker.createContainer({ name: mainContainer, Image: image, Cmd: ['start'], Env: env('main', port, await freePort()), HostConfig: { NetworkMode: 'host', Init: true } });
  containers.push(main);
  await main.start();
  const url = `http://127.0.0.1:${port}`;
  await waitWhileRunning('shared n8n readiness', main, async () => (await httpGet(`${url}/healthz/readiness`, 2_000)).status === 200, 600, 1_000);
  const workerPort = await freePort();
  const worker = await docker.createContainer({ name: `${options.prefix}-worker`, Image: image, Cmd: ['worker'], Env: env('worker', workerPort, await freePort()), HostConfig: { NetworkMode: 'host', Init: true } });
  containers.push(worker);
  await worker.start();
  const owner = { ...(await ownerConnection(url)), timeoutMs: 60_000 };
  return { url, owner, db, mainContainer, containers, databaseUrl: databaseUrlOf(options.postgresUrl, db), stop };
}

/** Ids of these workflows marked active in an n8n database; none when the database or table is not there yet. */
export async function activeIn(url: string, ids: readonly string[]): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ id: string }>('select id from workflow_entity where active and id = any($1)', [ids]);
    return new Set(rows.map((r) => r.id));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '3D000' || code === '42P01') return new Set();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

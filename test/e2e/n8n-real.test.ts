// End-to-end: a real n8n (main + one queue worker) from the locally built image,
// against the harness's real PostgreSQL, Redis and throwaway dockerd.
// The containers use the host network: PostgreSQL and Redis listen on
// 127.0.0.1 only, which a bridge container cannot reach (docs/n8n-image.md).
// It runs the platform default, n8n 2.x on Node 24. The first run on a machine
// builds the image (an npm install of several minutes, docs/n8n-image.md); the
// cache outside the clone, keyed by n8n and Node version, makes later runs
// take seconds.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { freePort } from '../harness/processes.js';
import {
  containerLogs,
  plainLog,
  createTenantDatabase,
  dropTenantDatabase,
  httpGet,
  listTables,
  queueModeEnv,
  waitWhileRunning,
  workingSetBytes,
  type TenantDatabase,
} from './n8n-containers.js';

const DB_NAME = 'rp9_e2e_n8n';
const PREFIX = `rp9e2e-n8n-${process.pid}`;
/** A cold build installs n8n from npm; a warm one imports the cached tarball. */
const BUILD_TIMEOUT_MS = N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000;
/** Readiness takes 5–7 s measured; allow 120 s, polled every 500 ms. */
const READY_ATTEMPTS = 240;
const READY_DELAY_MS = 500;
/** Per request while polling, so one hung request cannot eat the whole budget. */
const POLL_REQUEST_MS = 2_000;

describe('real n8n image in queue mode', () => {
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  const containers: Docker.Container[] = [];
  let image = '';
  let db: TenantDatabase;

  beforeAll(async () => {
    image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
    db = await createTenantDatabase(inject('postgresUrl'), DB_NAME);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.allSettled(containers.map((c) => c.remove({ force: true })));
    await dropTenantDatabase(inject('postgresUrl'), DB_NAME);
  }, 5 * 60_000);

  async function startN8n(role: 'main' | 'worker', port: number): Promise<Docker.Container> {
    const env = queueModeEnv({
      db,
      redisUrl: inject('redisUrl'),
      port,
      brokerPort: await freePort(),
      encryptionKey: 'rp9-e2e-n8n-encryption-key',
      version: DEFAULT_N8N_VERSION,
    });
    const container = await docker.createContainer({
      name: `${PREFIX}-${role}`,
      Image: image,
      Cmd: [role === 'main' ? 'start' : 'worker'],
      // A worker serves /healthz (DB + Redis connected) on its own port; with
      // N8N_METRICS on it listens even without QUEUE_HEALTH_CHECK_ACTIVE, on
      // 5678 by default, so on the host network the port must be explicit.
      Env: role === 'main'
        ? env
        : [...env, 'QUEUE_HEALTH_CHECK_ACTIVE=true', `QUEUE_HEALTH_CHECK_PORT=${port}`, 'N8N_WORKER_SERVER_ADDRESS=127.0.0.1'],
      Healthcheck: {
        Test: ['CMD', 'wget', '-q', '-O-', `http://127.0.0.1:${port}/healthz/readiness`],
        Interval: 1_000_000_000,
        Timeout: 2_000_000_000,
        Retries: 3,
      },
      HostConfig: { NetworkMode: 'host', Init: true },
    });
    containers.push(container);
    await container.start();
    return container;
  }

  it('serves readiness on main, runs a worker on Redis, and migrates the tenant database', async () => {
    // Arrange: main first (it runs the migrations), then the worker.
    const mainPort = await freePort();
    const startedAt = Date.now();
    const main = await startN8n('main', mainPort);
    let readiness = { status: 0, body: '' };
    await waitWhileRunning('n8n main /healthz/readiness', main, async () => {
      readiness = await httpGet(`http://127.0.0.1:${mainPort}/healthz/readiness`, POLL_REQUEST_MS);
      return readiness.status === 200;
    }, READY_ATTEMPTS, READY_DELAY_MS);
    const mainReadyMs = Date.now() - startedAt;

    const workerPort = await freePort();
    const worker = await startN8n('worker', workerPort);
    let workerReadiness = { status: 0, body: '' };
    await waitWhileRunning('n8n worker /healthz/readiness', worker, async () => {
      workerReadiness = await httpGet(`http://127.0.0.1:${workerPort}/healthz/readiness`, POLL_REQUEST_MS);
      return workerReadiness.status === 200;
    }, READY_ATTEMPTS, READY_DELAY_MS);
    await waitWhileRunning('docker health check of main', main, async () => {
      return (await main.inspect()).State.Health?.Status === 'healthy';
    }, 60, READY_DELAY_MS);

    // Act: read what the instance did.
    const workerLog = await containerLogs(worker);
    // n8n mounts /metrics with its REST routes, a few seconds after readiness
    // (NOTES.md: readiness 5–7 s, REST 8–10 s), so poll it like the REST API.
    let metrics = { status: 0, body: '' };
    await waitWhileRunning('n8n main /metrics', main, async () => {
      metrics = await httpGet(`http://127.0.0.1:${mainPort}/metrics`, POLL_REQUEST_MS);
      return metrics.status === 200;
    }, READY_ATTEMPTS, READY_DELAY_MS);
    const tables = await listTables(db);
    const [mainStats, workerStats] = await Promise.all([main.stats({ stream: false }), worker.stats({ stream: false })]);

    // Assert
    expect(readiness.status).toBe(200);
    expect(workerReadiness.status).toBe(200);
    expect(workerLog).toContain('n8n worker is now ready');
    expect(tables).toEqual(expect.arrayContaining(['migrations', 'workflow_entity', 'execution_entity', 'credentials_entity', 'user']));
    const [major, minor] = DEFAULT_N8N_VERSION.split('.');
    expect(metrics.body).toContain(`n8n_version_info{version="v${DEFAULT_N8N_VERSION}",major="${major}",minor="${minor}"`);
    expect(plainLog(await containerLogs(main))).not.toMatch(/N8N_RUNNERS_ENABLED|ENOTFOUND/);
    expect((await main.inspect()).State.Health?.Status).toBe('healthy');
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    console.info(
      `[n8n-real] main ready after ${mainReadyMs} ms; memory main ${mb(workingSetBytes(mainStats))} MB, ` +
        `worker ${mb(workingSetBytes(workerStats))} MB; ${tables.length} tables`,
    );
  }, 5 * 60_000);
});

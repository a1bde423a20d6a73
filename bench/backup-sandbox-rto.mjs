// The end-to-end RTO of backup.bench.mjs: the backup restored into a sandbox
// by the restore operation `rp9 restore --sandbox` runs (dist/, real edges):
// check-backup (verify every object), the sandbox's database and the tenant's
// n8n key, pg_restore, the sandbox's main and worker started from the real
// n8n image on a throwaway dockerd and waited healthy, its route, and the
// integrity check against the manifest. Returns the operation's seconds from
// start to done and each step's, then removes the sandbox.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { parseDocument } from 'yaml';

/**
 * options: root, storeUrl, adminUrl (superuser of the bench's PostgreSQL), masterKey (Buffer), backupId, tenant,
 * bucket, env (AWS_* for S3), dockerd (from test/harness/dockerd.ts), redisUrl, stateDir, version (n8n).
 */
export async function sandboxRto(options) {
  const load = (path) => import(join(options.root, 'dist', path));
  const { openStore } = await load('controller/store/index.js');
  const { backupRuntime } = await load('controller/backups/runtime.js');
  const { loadConfig } = await load('config/load-config.js');
  const { createDatabaseAdmin } = await load('controller/postgres/tenant-databases.js');
  const { controllerSettings } = await load('controller/runtime/settings.js');
  const { sandboxName } = await load('controller/sandbox/sandbox.js');
  const { sandboxRuntime } = await load('controller/sandbox/sandbox-runtime.js');
  const { s3ObjectStore, s3ClientConfig } = await load('edges/object-store/index.js');
  const { createLogger } = await load('kernel/log/logger.js');

  const environment = `bench-restore-${randomBytes(2).toString('hex')}`;
  const platform = parseDocument(await readFile(join(options.root, 'platform.yaml'), 'utf8'));
  platform.setIn(['spec', 'environment'], environment);
  platform.setIn(['spec', 'dedicated', 'n8nVersion'], options.version);
  const tenantYaml = [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    `metadata: { name: ${options.tenant}, email: ops@${options.tenant}.test }`,
    `spec: { plan: starter, mode: dedicated, region: us-east, subdomain: ${options.tenant} }`,
    '',
  ].join('\n');
  const config = loadConfig({ platform: { path: 'platform.yaml', bytes: Buffer.from(platform.toString()) }, tenants: [{ path: `tenants/${options.tenant}.yaml`, bytes: Buffer.from(tenantYaml) }], problems: [] });
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`bench config invalid: ${errors.map((d) => d.message).join('; ')}`);

  const { gateway } = options.dockerd;
  const settings = controllerSettings({ 'state-dir': options.stateDir }, {
    RP9_DOCKER_NETWORK: `rp9-${environment}`,
    RP9_TENANT_DATABASE_URL: options.adminUrl,
    RP9_CONTAINER_POSTGRES: `${gateway}:${new URL(options.adminUrl).port}`,
    RP9_CONTAINER_REDIS: `${gateway}:${new URL(options.redisUrl).port}`,
    RP9_HEALTH_TIMEOUT_SECONDS: '1800',
  }, options.stateDir);
  const docker = new Docker({ socketPath: options.dockerd.socketPath });
  const databases = createDatabaseAdmin(options.adminUrl);
  const store = await openStore({ databaseUrl: options.storeUrl, masterKey: options.masterKey, notify: () => undefined });
  const objects = s3ObjectStore({ bucket: options.bucket, client: s3ClientConfig(options.env) });
  const runtime = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform, tenants: config.tenants }) });
  const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: options.adminUrl, restore: runtime.restore, logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }), runner: 'bench' });
  const sandbox = sandboxName(options.tenant, new Date());
  try {
    const started = performance.now();
    const op = await engine.start('restore', options.tenant, { backupId: options.backupId, target: 'sandbox', sandbox, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const end = await engine.runToEnd(op.id);
    const seconds = (performance.now() - started) / 1000;
    if (end.status !== 'done') throw new Error(`sandbox restore ${end.status}: ${end.error}`);
    const steps = end.steps.map((s) => ({ name: s.name, seconds: (s.finishedAt.getTime() - s.startedAt.getTime()) / 1000 }));
    return { seconds, rtoSeconds: Number(end.state.rtoSeconds), steps, integrity: end.state.integrity, sandbox };
  } finally {
    await runtime.stack().remove(sandbox).catch(() => undefined);
    await store.close();
    await databases.close();
  }
}

// Backup and sandbox restore against a real n8n (the harness image): an
// instance with a credential and two workflows (one uses the credential, one
// is a webhook) is backed up through the operation engine (pg_dump + the n8n
// CLI export), its dump restored into a new database, and a second n8n with
// a different encryption key started on it; the decrypted credentials from
// the backup are imported there. Workflows and decrypted credentials are equal.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readExport } from '../../controller/backups/read-export.js';
import { restoreDatabase } from '../../controller/backups/restore-database.js';
import { backupInput } from '../../controller/backups/naming.js';
import { summarizeExport, credentialContent, workflowContent } from '../../controller/backups/manifest.js';
import { backupRuntime, cliExporter } from '../../controller/backups/runtime.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { exportItems, importItems } from '../../edges/n8n/cli-export.js';
import { testBucket } from '../../test/harness/s3-bucket.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { freePort } from '../harness/processes.js';
import { createTenantDatabase, dropTenantDatabase, httpGet, queueModeEnv, waitWhileRunning, type TenantDatabase } from './n8n-containers.js';

const tenant = `bk${randomBytes(3).toString('hex')}`;
const sourceDb = `rp9_${tenant}`;
const sandboxDb = `rp9_${tenant}_restore`;
const docker = new Docker({ socketPath: inject('dockerSocket') });
const containers: Docker.Container[] = [];
let image = '';
let store: Store;
const masterKey = randomBytes(32);

const credential = { id: 'cred00000000001', name: 'Header auth', type: 'httpHeaderAuth', data: { name: 'X-Token', value: 's3cr3t-value' } };
const workflows = [
  {
    id: 'wfhook000000001', name: 'Webhook', active: false, settings: {}, connections: {}, pinData: {},
    nodes: [{ id: 'n1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'a1b2c3d4-0000-4000-8000-000000000001', parameters: { path: 'hello', authentication: 'headerAuth' }, credentials: { httpHeaderAuth: { id: credential.id, name: credential.name } } }],
  },
  {
    id: 'wfplain00000002', name: 'Plain', active: false, settings: {}, pinData: {},
    nodes: [{ id: 'n2', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }],
    connections: {},
  },
];

function regularEnv(db: TenantDatabase, port: number, brokerPort: number, encryptionKey: string): string[] {
  return queueModeEnv({ db, redisUrl: inject('redisUrl'), port, brokerPort, encryptionKey, version: DEFAULT_N8N_VERSION }).filter((e) => !e.startsWith('EXECUTIONS_MODE=') && !e.startsWith('QUEUE_'));
}

async function startN8n(name: string, db: TenantDatabase, encryptionKey: string): Promise<Docker.Container> {
  const port = await freePort();
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: ['start'],
    Env: regularEnv(db, port, await freePort(), encryptionKey),
    HostConfig: { NetworkMode: 'host', Init: true },
  });
  containers.push(container);
  await container.start();
  await waitWhileRunning(`${name} readiness`, container, async () => (await httpGet(`http://127.0.0.1:${port}/healthz/readiness`, 2_000)).status === 200, 240, 500);
  return container;
}

beforeAll(async () => {
  image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  store = await openStore({ memory: true, masterKey, notify: () => undefined });
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await Promise.allSettled(containers.map((c) => c.remove({ force: true })));
  await store?.close();
  await dropTenantDatabase(inject('postgresUrl'), sourceDb);
  await dropTenantDatabase(inject('postgresUrl'), sandboxDb);
}, 120_000);

describe('backup and sandbox restore of a real n8n', () => {
  it('restores workflows and decrypted credentials equal to the backup into a sandbox with its own encryption key', async () => {
    const db = await createTenantDatabase(inject('postgresUrl'), sourceDb);
    const main = await startN8n(mainContainerName(tenant), db, `key-${tenant}-source`);
    await importItems(docker, main.id, 'credentials', [credential]);
    await importItems(docker, main.id, 'workflows', workflows);

    const objects = await testBucket();
    const { engine } = backupRuntime({
      store,
      objects,
      tenantDatabaseAdminUrl: inject('postgresUrl'),
      n8n: cliExporter({ docker, emailOf: () => undefined }),
      logger: silentLogger(),
      runner: 'test',
    });
    const input = backupInput(tenant, 'manual', new Date(), { mode: 'dedicated', n8nVersion: DEFAULT_N8N_VERSION });
    const op = await engine.start('backup', tenant, { ...input });
    const end = await engine.runToEnd(op.id);
    expect(end.status, end.error ?? '').toBe('done');
    const record = (await store.backups.get(input.backupId)) as NonNullable<Awaited<ReturnType<Store['backups']['get']>>>;
    const manifest = record.manifest as { workflows: { count: number; sha256: string }; credentials: { count: number; sha256: string }; tables: Record<string, number> };
    expect(manifest.workflows.count).toBe(2);
    expect(manifest.credentials.count).toBe(1);
    expect(manifest.tables).toMatchObject({ workflow_entity: 2, credentials_entity: 1 });
    // The credential's secret is nowhere in the stored objects in clear.
    for (const key of await objects.list(input.prefix)) {
      const chunks: Buffer[] = [];
      for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).includes(Buffer.from('s3cr3t-value'))).toBe(false);
    }

    // Restore into a sandbox: its own database and role, its own n8n encryption key.
    const sandbox = await createTenantDatabase(inject('postgresUrl'), sandboxDb);
    await restoreDatabase(objects, masterKey, record, `postgres://${sandbox.user}:${sandbox.password}@${sandbox.host}:${sandbox.port}/${sandbox.name}`);
    const restored = await startN8n(`rp9-${tenant}-restore`, sandbox, `key-${tenant}-sandbox`);
    await importItems(docker, restored.id, 'credentials', await readExport(objects, masterKey, record, 'credentials'));

    const sandboxWorkflows = summarizeExport(await exportItems(docker, restored.id, 'workflows'), workflowContent);
    const sandboxCredentials = await exportItems(docker, restored.id, 'credentials');
    expect({ count: sandboxWorkflows.count, sha256: sandboxWorkflows.sha256 }).toEqual({ count: 2, sha256: manifest.workflows.sha256 });
    expect(summarizeExport(sandboxCredentials, credentialContent).sha256).toBe(manifest.credentials.sha256);
    expect(sandboxCredentials.find((c) => c.id === credential.id)?.data).toEqual(credential.data);
  }, 10 * 60_000);
});

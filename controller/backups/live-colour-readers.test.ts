// Readers of a dedicated tenant's running stack after a blue/green upgrade:
// scheduled backups dump the live colour's database and the CLI exporter runs
// n8n in the live colour's main container. Here green's database is gone (the
// upgrade finished and cleaned up), so a reader using green's names fails.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { runSql } from '../../test/harness/scratch-databases.js';
import { testBucket } from '../../test/harness/s3-bucket.js';
import { databaseName, mainContainerName } from '../compile/names.js';
import { openStore, type Store } from '../store/index.js';
import { journalSwappedUpgrade } from '../upgrades/fixtures/journal.js';
import { backupInput } from './naming.js';
import { backupRuntime, cliExporter } from './runtime.js';

const admin = inject('postgresUrl');
const tenant = `lc${randomBytes(3).toString('hex')}`;
const blue = databaseName(tenant, 'blue');
let store: Store;

beforeAll(async () => {
  store = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
  await journalSwappedUpgrade(store.operations, tenant, { finish: true });
  await runSql(admin, `create database ${blue}`);
  const url = new URL(admin);
  url.pathname = `/${blue}`;
  await runSql(url.toString(), "create table workflow_entity (id text primary key); insert into workflow_entity select 'w' || g from generate_series(1, 7) g");
});
afterAll(async () => {
  await store?.close();
  await runSql(admin, `drop database if exists ${blue} with (force)`);
});

describe('backups and the CLI exporter of a tenant whose live colour is blue', () => {
  it("a scheduled backup dumps blue's database", async () => {
    const { engine } = backupRuntime({ store, objects: await testBucket(), tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'test' });
    const input = backupInput(tenant, 'daily', new Date(), { mode: 'dedicated', n8nVersion: '2.41.1' });
    const end = await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id);
    expect(end.status, end.error ?? '').toBe('done');
    expect(end.state.tables).toMatchObject({ workflow_entity: 7 });
  });

  it("the exporter runs n8n in blue's main container", async () => {
    const exporter = cliExporter({ docker: new Docker({ socketPath: inject('dockerSocket') }), operations: store.operations, emailOf: () => undefined });
    // No container runs here: the error names the container the exporter chose.
    await expect(exporter.exportItems(tenant, 'workflows', { mode: 'dedicated' })).rejects.toThrow(mainContainerName(tenant, 'blue'));
  });
});

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSql } from '../../test/harness/scratch-databases.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { testBucket } from '../../test/harness/s3-bucket.js';
import { drillDatabaseName } from '../backups/drill-database.js';
import { backupInput } from '../backups/naming.js';
import { backupRuntime } from '../backups/runtime.js';
import { databaseName } from '../compile/names.js';
import { openStore, type Store } from '../store/index.js';

const admin = inject('postgresUrl');
const tenant = `dr${randomBytes(3).toString('hex')}`;
let store: Store;

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  store = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
  await runSql(admin, `create database ${databaseName(tenant)}`);
  const url = new URL(admin);
  url.pathname = `/${databaseName(tenant)}`;
  await runSql(url.toString(), "create table workflow_entity (id text primary key); insert into workflow_entity select 'w' || g from generate_series(1, 40) g; create table execution_entity (id int); insert into execution_entity select generate_series(1, 300)");
});
afterAll(async () => {
  await store?.close();
  await runSql(admin, `drop database if exists ${databaseName(tenant)} with (force)`);
  await runSql(admin, `drop database if exists ${drillDatabaseName(tenant)} with (force)`);
});

describe('restore drill', () => {
  it('restores a random verified backup into a throwaway database, checks it, records the RTO, and fails loudly on a damaged backup', async () => {
    const objects = await testBucket();
    const metrics = createMetrics({ defaultMetrics: false });
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'test', metrics, random: () => 0 });
    const input = backupInput(tenant, 'daily', new Date(), { mode: 'dedicated', n8nVersion: '1.123.81' });
    expect((await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id)).status).toBe('done');

    const drill = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(drill.status, drill.error ?? '').toBe('done');
    expect(drill.state).toMatchObject({ backupId: input.backupId, checkedTables: 2 });
    expect(drill.state.rtoSeconds).toBeGreaterThan(0);
    expect(await databaseExists(drillDatabaseName(tenant))).toBe(false);
    let text = await metrics.registry.metrics();
    expect(text).toContain('rp9_restore_drills_total{result="success"} 1');
    expect(text).toMatch(new RegExp(`rp9_restore_rto_seconds\\{tenant="${tenant}"\\} [0-9.]+`));
    expect((await store.events.recent({ tenant, limit: 5 }))[0]).toMatchObject({ type: 'Normal', reason: 'RestoreDrillPassed' });

    // Damage the dump: the drill fails at restore, its database is dropped, the failure is counted and told.
    const key = `${input.prefix}database.dump.gz.enc`;
    const chunks: Buffer[] = [];
    for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    bytes[100] = (bytes[100] as number) ^ 0x10;
    await objects.put(key, Readable.from([bytes]));
    const failed = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(failed.status).toBe('rolled-back');
    expect(failed.error).toMatch(new RegExp(`^\\[backup\\.object-corrupt\\] backup ${input.backupId}: object database`));
    expect(await databaseExists(drillDatabaseName(tenant))).toBe(false);
    text = await metrics.registry.metrics();
    expect(text).toContain('rp9_restore_drills_total{result="failure"} 1');
    expect((await store.events.recent({ tenant, limit: 5 }))[0]).toMatchObject({ type: 'Warning', reason: 'RestoreDrillFailed', message: expect.stringContaining('backup.object-corrupt') });
  }, 120_000);

  it('fails with drill.no-backup for a tenant without a verified backup', async () => {
    const { engine } = backupRuntime({ store, objects: await testBucket(), tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'test' });
    const end = await engine.runToEnd((await engine.start('drill', 'nobackups')).id);
    expect(end.error).toMatch(/^\[drill\.no-backup\] tenant nobackups has no verified backup/);
  });
});

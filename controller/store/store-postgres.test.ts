// PostgreSQL-only behaviour: several store instances on one database
// (migrations, lease contention), failed migrations, unreachable servers.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../test/harness/processes.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openPgSql } from './pg-sql.js';
import { openStore, type Store } from './store.js';
import { redactDatabaseUrl } from './errors.js';

const admin = inject('postgresUrl');
/** Fresh, empty databases; dropped after the file. */
const scratch = scratchDatabases(admin, 'rp9_store_test');
const freshDatabase = () => scratch.create();

function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: { code?: string; message: string }) => error,
  );
}

afterAll(async () => {
  await scratch.dropAll();
});

describe('several stores on one PostgreSQL', () => {
  let url = '';
  let stores: Store[] = [];

  beforeAll(async () => {
    url = await freshDatabase();
    stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ databaseUrl: url, masterKey: randomBytes(32) })));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('applies each migration once when openers race', async () => {
    const sql = await openPgSql(url);
    const rows = await sql.query<{ version: number; n: string }>('select version, count(*)::text as n from schema_migrations group by version order by version');
    await sql.close();

    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, n: '1' })));
    expect(stores[0]?.backend).toEqual({ kind: 'postgres', description: `PostgreSQL at ${redactDatabaseUrl(url)}` });
  });

  it('lets exactly one of two controllers lead, and the standby take over after release', async () => {
    const [a, b] = stores as [Store, Store];
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a.lease.tryAcquire('controller', 'ctl-a', 60_000) : b.lease.tryAcquire('controller', 'ctl-b', 60_000))),
    );
    const leaders = new Set(attempts.filter((r) => r.leader).map((r) => r.holder));
    const winner = [...leaders][0];
    const [leaderStore, standbyStore, standby] = winner === 'ctl-a' ? [a, b, 'ctl-b'] : [b, a, 'ctl-a'];

    expect(leaders.size).toBe(1);
    expect(attempts.every((r) => r.holder === winner)).toBe(true);
    expect((await standbyStore.lease.tryAcquire('controller', standby, 60_000)).leader).toBe(false);
    expect(await leaderStore.lease.release('controller', winner!)).toBe(true);
    expect(await standbyStore.lease.tryAcquire('controller', standby, 60_000)).toMatchObject({ leader: true, holder: standby });
  });

  it('hands an expired lease to the standby and tells the old leader to step down', async () => {
    const [a, b] = stores as [Store, Store];
    expect((await a.lease.tryAcquire('expiring', 'ctl-a', 40)).leader).toBe(true);

    let taken = await b.lease.tryAcquire('expiring', 'ctl-b', 60_000);
    for (let i = 0; i < 100 && !taken.leader; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      taken = await b.lease.tryAcquire('expiring', 'ctl-b', 60_000);
    }

    expect(taken).toMatchObject({ leader: true, holder: 'ctl-b' });
    expect(await a.lease.renew('expiring', 'ctl-a', 60_000)).toMatchObject({ leader: false, holder: 'ctl-b' });
    expect(await a.lease.tryAcquire('expiring', 'ctl-a', 60_000)).toMatchObject({ leader: false, holder: 'ctl-b' });
  });

  it('blocks a second unfinished operation for a tenant across instances', async () => {
    const [a, b] = stores as [Store, Store];
    const results = await Promise.allSettled([
      a.operations.start({ tenant: 'acme', kind: 'promotion', steps: ['copy'] }),
      b.operations.start({ tenant: 'acme', kind: 'upgrade', steps: ['pull'] }),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'store.operation-in-progress' } });
  });
});

describe('migrations on PostgreSQL', () => {
  it('rolls a failing migration back completely and names it', async () => {
    const sql = await openPgSql(await freshDatabase());
    try {
      await migrate(sql, migrations);
      const broken = [...migrations, { version: migrations.length + 1, name: 'broken', statements: ['create table half_done (a int)', 'select no_such_column from leases'] }];

      const error = await failure(migrate(sql, broken));
      const tables = await sql.query<{ n: string }>("select count(*)::text as n from information_schema.tables where table_name = 'half_done'");
      const versions = await sql.query<{ version: number }>('select version from schema_migrations');

      expect(error.code).toBe('store.migration-failed');
      expect(error.message).toMatch(new RegExp(`^PostgreSQL at postgres://.*: migration ${String(migrations.length + 1).padStart(3, '0')}-broken failed, nothing was applied: column "no_such_column" does not exist`));
      expect(tables[0]?.n).toBe('0');
      expect(versions).toHaveLength(migrations.length);
    } finally {
      await sql.close();
    }
  });

  it('refuses a database migrated by a newer rp9', async () => {
    const url = await freshDatabase();
    const store = await openStore({ databaseUrl: url });
    await store.close();
    const sql = await openPgSql(url);
    await sql.query("insert into schema_migrations (version, name) values (99, 'from-the-future')");
    await sql.close();

    const error = await failure(openStore({ databaseUrl: url }));

    expect(error).toMatchObject({ code: 'store.schema-newer', message: expect.stringContaining('schema is at version 99') });
  });
});

describe('PostgreSQL errors', () => {
  it('reports an unreachable server with the URL redacted', async () => {
    const port = await freePort();
    const url = `postgres://rp9:hunter2-very-secret@127.0.0.1:${port}/rp9`;

    const error = await failure(openStore({ databaseUrl: url }));

    expect(error.code).toBe('store.unreachable');
    expect(error.message).toContain(`PostgreSQL at postgres://rp9:***@127.0.0.1:${port}/rp9`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('hunter2-very-secret');
  });

  it('reports a missing database as unreachable', async () => {
    const url = new URL(admin);
    url.pathname = '/rp9_no_such_database';

    const error = await failure(openStore({ databaseUrl: url.toString() }));

    expect(error).toMatchObject({ code: 'store.unreachable', message: expect.stringContaining('database "rp9_no_such_database" does not exist') });
  });

  it('asks for RP9_MASTER_KEY on first secret use, not on open', async () => {
    const store = await openStore({ databaseUrl: await freshDatabase() });
    try {
      await store.status.update('acme', { phase: 'active' });

      const error = await failure(store.secrets.ensure('acme', 'db-password'));

      expect(error).toMatchObject({ code: 'secrets.master-key-missing', message: expect.stringContaining('set RP9_MASTER_KEY') });
      expect((await store.status.get('acme'))?.phase).toBe('active');
    } finally {
      await store.close();
    }
  });

  it('fails clearly after close', async () => {
    const store = await openStore({ databaseUrl: await freshDatabase() });
    await store.close();

    expect(await failure(store.status.list())).toMatchObject({ code: 'store.closed' });
  });
});

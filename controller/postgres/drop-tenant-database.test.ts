import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DesiredDatabase } from '../model.js';
import { createTenantDatabaseDropper } from './drop-tenant-database.js';
import { createDatabaseAdmin, quoteIdent } from './tenant-databases.js';

const env = `t${randomBytes(3).toString('hex')}`;
const admin = createDatabaseAdmin(inject('postgresUrl'));
const dropper = createTenantDatabaseDropper(inject('postgresUrl'));
const stray = `rp9_${env}_stray`;

function tenantDatabase(tenant: string): DesiredDatabase {
  const name = `rp9_${env}_${tenant}`;
  return { kind: 'database', name, tenant, database: name, role: name, hash: 'h' };
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await sql(`drop database if exists ${quoteIdent(stray)}`);
  for (const tenant of ['acme', 'busy']) await admin.drop(tenantDatabase(tenant));
  await admin.close();
  await dropper.close();
});

describe('dropping a tenant database', () => {
  it('drops the database and its login role rp9 created, then reports both gone', async () => {
    // Arrange
    const acme = tenantDatabase('acme');
    await admin.ensure(acme, env, 'pw-1');

    // Act
    const roles = await dropper.existingRoles([acme.role, `${acme.role}_none`]);
    const database = await dropper.dropDatabase(acme.database, { environment: env, tenant: 'acme' });
    const role = await dropper.dropRole(acme.role);
    const again = [await dropper.dropDatabase(acme.database, { environment: env, tenant: 'acme' }), await dropper.dropRole(acme.role)];

    // Assert
    expect(roles).toEqual([acme.role]);
    expect([database, role]).toEqual([true, true]);
    expect(again).toEqual([false, false]);
    expect(await admin.observe(env)).toEqual([]);
    expect(await dropper.existingRoles([acme.role])).toEqual([]);
  });

  it('closes open connections to the database it drops', async () => {
    // Arrange
    const busy = tenantDatabase('busy');
    await admin.ensure(busy, env, 'pw-2');
    const url = new URL(inject('postgresUrl'));
    url.username = busy.role;
    url.password = 'pw-2';
    url.pathname = `/${busy.database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => undefined);
    await client.connect();

    // Act
    const dropped = await dropper.dropDatabase(busy.database, { environment: env, tenant: 'busy' });

    // Assert
    await client.end().catch(() => undefined);
    expect(dropped).toBe(true);
    expect(await dropper.dropRole(busy.role)).toBe(true);
  });

  it('refuses a database without rp9\'s owner comment for that tenant', async () => {
    // Arrange
    await sql(`create database ${quoteIdent(stray)}`);
    await sql(`comment on database ${quoteIdent(stray)} is 'rp9:${env}:someone-else'`);

    // Act
    const attempt = dropper.dropDatabase(stray, { environment: env, tenant: 'stray' });

    // Assert
    await expect(attempt).rejects.toMatchObject({ code: 'postgres.not-owned', message: expect.stringContaining(`expected "rp9:${env}:stray"`) });
    const client = new pg.Client({ connectionString: inject('postgresUrl') });
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [stray]);
    await client.end();
    expect(rowCount).toBe(1);
  });
});

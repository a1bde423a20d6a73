import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DesiredDatabase } from '../model.js';
import { createDatabaseAdmin } from './tenant-databases.js';

const env = `t${randomBytes(3).toString('hex')}`;
const admin = createDatabaseAdmin(inject('postgresUrl'));
const acme: DesiredDatabase = { kind: 'database', name: `rp9_${env}_acme`, tenant: 'acme', database: `rp9_${env}_acme`, role: `rp9_${env}_acme`, hash: 'h' };

afterAll(async () => {
  await admin.drop(acme);
  await admin.close();
});

function tenantUrl(password: string): string {
  const url = new URL(inject('postgresUrl'));
  url.username = acme.role;
  url.password = password;
  url.pathname = `/${acme.database}`;
  return url.toString();
}

describe('tenant databases', () => {
  it('creates a database and login role once, then changes nothing', async () => {
    // Act
    const first = await admin.ensure(acme, env, 's3cret-1');
    const second = await admin.ensure(acme, env, 's3cret-1');

    // Assert
    expect(first).toBe('created');
    expect(second).toBe('unchanged');
    expect(await admin.observe(env)).toEqual([{ kind: 'database', name: acme.database, tenant: 'acme' }]);
    const client = new pg.Client({ connectionString: tenantUrl('s3cret-1') });
    await client.connect();
    const { rows } = await client.query<{ db: string; who: string }>('select current_database() as db, current_user as who');
    await client.end();
    expect(rows[0]).toEqual({ db: acme.database, who: acme.role });
  });

  it('keeps the role password in step with the secret store', async () => {
    // Arrange
    await admin.ensure(acme, env, 's3cret-1');

    // Act
    await admin.ensure(acme, env, 'rotated-2');

    // Assert
    const client = new pg.Client({ connectionString: tenantUrl('rotated-2') });
    await client.connect();
    await client.end();
    const stale = new pg.Client({ connectionString: tenantUrl('s3cret-1') });
    await expect(stale.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('sees only databases of its own environment', async () => {
    await admin.ensure(acme, env, 'x');
    expect(await admin.observe(`${env}other`)).toEqual([]);
  });
});

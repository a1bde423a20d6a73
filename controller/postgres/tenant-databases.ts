// The PostgreSQL edge: each dedicated tenant gets its own database and role
// on the platform's PostgreSQL server. Observing lists them by owner comment;
// ensuring is idempotent. Names come from compile (`rp9_<tenant>`), never
// from raw input, and are still quoted as identifiers.
import pg from 'pg';
import type { DesiredDatabase, ObservedDatabase } from '../model.js';

/** Marks databases rp9 owns: `COMMENT ON DATABASE … IS 'rp9:<environment>:<tenant>'`. */
export function ownerComment(environment: string, tenant: string): string {
  return `rp9:${environment}:${tenant}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export interface DatabaseAdmin {
  observe(environment: string): Promise<ObservedDatabase[]>;
  ensure(database: DesiredDatabase, environment: string, password: string): Promise<'created' | 'updated' | 'unchanged'>;
  /** Drops a database and role without ownership checks (test cleanup). `rp9 purge` uses drop-tenant-database.ts, which checks the owner comment. */
  drop(database: Pick<DesiredDatabase, 'database' | 'role'>): Promise<void>;
  close(): Promise<void>;
}

/** Connects with an admin URL (a role that may CREATE DATABASE and CREATE ROLE). */
export function createDatabaseAdmin(adminUrl: string): DatabaseAdmin {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);

  async function observe(environment: string): Promise<ObservedDatabase[]> {
    const { rows } = await pool.query<{ datname: string; comment: string }>(
      `select d.datname, shobj_description(d.oid, 'pg_database') as comment
         from pg_database d
        where shobj_description(d.oid, 'pg_database') like $1`,
      [`rp9:${environment}:%`],
    );
    return rows.map((row) => ({ kind: 'database', name: row.datname, tenant: row.comment.slice(`rp9:${environment}:`.length) }));
  }

  async function ensure(database: DesiredDatabase, environment: string, password: string): Promise<'created' | 'updated' | 'unchanged'> {
    let result: 'created' | 'updated' | 'unchanged' = 'unchanged';
    const role = await pool.query('select 1 from pg_roles where rolname = $1', [database.role]);
    if (role.rowCount === 0) {
      await pool.query(`create role ${quoteIdent(database.role)} login password ${quoteLiteral(password)}`);
      result = 'created';
    } else {
      // Keeps the password in step with the secret store (idempotent, no event).
      await pool.query(`alter role ${quoteIdent(database.role)} login password ${quoteLiteral(password)}`);
    }
    const db = await pool.query<{ owner: string; comment: string | null }>(
      `select pg_get_userbyid(datdba) as owner, shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [database.database],
    );
    const comment = ownerComment(environment, database.tenant);
    if (db.rowCount === 0) {
      await pool.query(`create database ${quoteIdent(database.database)} owner ${quoteIdent(database.role)}`);
      await pool.query(`comment on database ${quoteIdent(database.database)} is ${quoteLiteral(comment)}`);
      return 'created';
    }
    const row = db.rows[0]!;
    if (row.owner !== database.role) {
      await pool.query(`alter database ${quoteIdent(database.database)} owner to ${quoteIdent(database.role)}`);
      result = result === 'created' ? result : 'updated';
    }
    if (row.comment !== comment) {
      await pool.query(`comment on database ${quoteIdent(database.database)} is ${quoteLiteral(comment)}`);
      result = result === 'created' ? result : 'updated';
    }
    return result;
  }

  async function drop(database: Pick<DesiredDatabase, 'database' | 'role'>): Promise<void> {
    await pool.query(`drop database if exists ${quoteIdent(database.database)} with (force)`);
    await pool.query(`drop role if exists ${quoteIdent(database.role)}`);
  }

  return { observe, ensure, drop, close: () => pool.end() };
}

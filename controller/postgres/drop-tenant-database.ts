// The PostgreSQL edge of `rp9 purge`: finds and drops a removed tenant's
// database and login role. Only what rp9 created is dropped: a database must
// still carry rp9's owner comment for that tenant. Every drop is idempotent:
// an object that is already gone is reported as such, not as an error.
import pg from 'pg';
import { ownerComment, quoteIdent } from './tenant-databases.js';

export class DatabaseNotOwnedError extends Error {
  readonly code = 'postgres.not-owned';
}

export interface TenantDatabaseDropper {
  /** Which of `names` exist as roles on the server. */
  existingRoles(names: readonly string[]): Promise<string[]>;
  /** Drops the database (closing its connections); false when it does not exist. Throws postgres.not-owned when its comment is not rp9's for this tenant. */
  dropDatabase(name: string, owner: { environment: string; tenant: string }): Promise<boolean>;
  /** Drops the role; false when it does not exist. */
  dropRole(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects with an admin URL (a role that may drop databases and roles). */
export function createTenantDatabaseDropper(adminUrl: string): TenantDatabaseDropper {
  const pool = new pg.Pool({ connectionString: adminUrl, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);

  async function existingRoles(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const { rows } = await pool.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[]) order by rolname', [[...names]]);
    return rows.map((row) => row.rolname);
  }

  async function dropDatabase(name: string, owner: { environment: string; tenant: string }): Promise<boolean> {
    const { rows } = await pool.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [name],
    );
    if (rows.length === 0) return false;
    const expected = ownerComment(owner.environment, owner.tenant);
    const comment = rows[0]?.comment ?? null;
    if (comment !== expected) {
      throw new DatabaseNotOwnedError(`database ${name} is not marked as rp9's for tenant ${owner.tenant} (comment ${comment === null ? 'missing' : `"${comment}"`}, expected "${expected}"); refusing to drop it`);
    }
    await pool.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    return true;
  }

  async function dropRole(name: string): Promise<boolean> {
    const { rowCount } = await pool.query('select 1 from pg_roles where rolname = $1', [name]);
    if (rowCount === 0) return false;
    await pool.query(`drop role if exists ${quoteIdent(name)}`);
    return true;
  }

  return { existingRoles, dropDatabase, dropRole, close: () => pool.end() };
}

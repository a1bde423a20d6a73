// Disabling a member of an n8n instance. n8n's public API has no "disable"
// (only delete, which takes the user's data with it), but n8n checks its
// `user.disabled` column on every authenticated request and at login
// (auth.service validateToken), so rp9 sets that column in the instance's
// database: the user and its project stay, the person can no longer log in.
import pg from 'pg';
import { N8nError } from './errors.js';

export interface N8nDatabase {
  /** The instance's PostgreSQL (connection string). */
  url: string;
  /** n8n's DB_TABLE_PREFIX (default ''). */
  tablePrefix?: string;
}

function userTable(prefix: string): string {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new N8nError('n8n.bad-response', `tablePrefix "${prefix}" may only contain letters, digits and _`);
  return `"${prefix}user"`;
}

async function withDatabase<T>(database: N8nDatabase, operation: string, fn: (client: pg.Client, table: string) => Promise<T>): Promise<T> {
  const table = userTable(database.tablePrefix ?? '');
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 5_000, statement_timeout: 10_000, application_name: 'rp9-members' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client, table);
  } catch (error) {
    throw new N8nError('n8n.unreachable', `${operation}: the n8n database: ${(error as Error).message}`, { operation });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Sets the user's `disabled` flag; 'absent' when n8n has no such user. Bounded by a 5 s connect and a 10 s statement timeout. */
export function setUserDisabled(database: N8nDatabase, userId: string, disabled: boolean): Promise<'done' | 'absent'> {
  return withDatabase(database, 'set-user-disabled', async (client, table) => {
    const result = await client.query(`update ${table} set disabled = $2 where id = $1`, [userId, disabled]);
    return result.rowCount === 0 ? 'absent' : 'done';
  });
}

/** Disables the user (login and sessions refused); data kept. */
export function disableUser(database: N8nDatabase, userId: string): Promise<'done' | 'absent'> {
  return setUserDisabled(database, userId, true);
}

/** Whether the user is disabled; undefined when there is no such user. */
export function isUserDisabled(database: N8nDatabase, userId: string): Promise<boolean | undefined> {
  return withDatabase(database, 'is-user-disabled', async (client, table) => {
    const { rows } = await client.query<{ disabled: boolean }>(`select disabled from ${table} where id = $1`, [userId]);
    return rows[0]?.disabled;
  });
}

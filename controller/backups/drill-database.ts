// The throwaway database a restore drill restores into, on the tenant
// database server: `rp9_<tenant>_drill`, created empty, dropped after.
import pg from 'pg';
import { databaseName } from '../compile/names.js';

export function drillDatabaseName(tenant: string): string {
  return `${databaseName(tenant)}_drill`;
}

export function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops any leftover of a crashed drill, then creates the database empty. */
export async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
    await client.query(`comment on database "${name}" is 'rp9 restore drill; dropped when the drill ends'`);
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

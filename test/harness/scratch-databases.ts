// Throwaway databases on the harness's PostgreSQL, one set per test file:
// `create()` makes an empty database with a unique name and returns its URL,
// `dropAll()` (in afterAll) drops every one it made, open connections included.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** One statement on its own short connection. */
export async function runSql(url: string, text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** The rows of one query, on a connection of its own. */
export async function queryRows(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface ScratchDatabases {
  create(): Promise<string>;
  dropAll(): Promise<void>;
}

/** `prefix` names the test file in the database names (lowercase letters, digits, `_`). */
export function scratchDatabases(adminUrl: string, prefix: string): ScratchDatabases {
  if (!/^[a-z][a-z0-9_]*$/.test(prefix)) throw new RangeError(`scratch database prefix ${JSON.stringify(prefix)} must be lowercase letters, digits and _`);
  const names: string[] = [];
  return {
    async create() {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      await runSql(adminUrl, `create database ${name}`);
      names.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async dropAll() {
      for (const name of names.splice(0)) await runSql(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

// Blue's database for an upgrade: a copy of green's, made with
// `pg_dump -Fc | pg_restore` while green keeps running. (`CREATE DATABASE …
// TEMPLATE` is not safe here: PostgreSQL refuses it while any session is
// connected to the source, and green's main and workers always are, so it
// would need green stopped: downtime. See docs/operations.md for figures.)
// The restore runs `--role=<tenant role>` so blue's tables belong to the same
// login role as green's, and n8n on blue can migrate them.
import { spawn } from 'node:child_process';
import { pgDump } from '../backups/pg-dump.js';
import { quoteIdent } from '../postgres/tenant-databases.js';
import { OperationError } from '../operations/kind.js';
import { withClient } from '../postgres/short-connection.js';

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops a database (sessions on it are ended); nothing when it does not exist. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`drop database if exists ${quoteIdent(database)} with (force)`));
}

/** Whether `database` exists. */
export async function databaseExists(adminUrl: string, database: string): Promise<boolean> {
  return withClient(adminUrl, async (c) => ((await c.query('select 1 from pg_database where datname = $1', [database])).rowCount ?? 0) > 0);
}

/**
 * Copies `from` into the existing, empty database `to` (made by the apply
 * port, owner and comment included). Returns the bytes streamed.
 */
export async function copyDatabase(adminUrl: string, from: string, to: string, role: string, signal?: AbortSignal): Promise<{ bytes: number }> {
  const dump = pgDump(databaseUrl(adminUrl, from));
  const target = new URL(databaseUrl(adminUrl, to));
  const password = decodeURIComponent(target.password);
  target.password = '';
  const restore = spawn('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', `--role=${role}`, '--dbname', target.toString()], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  });
  let stderr = '';
  restore.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString('utf8');
  });
  const restored = new Promise<void>((resolve, reject) => {
    restore.on('error', reject);
    restore.on('close', (code, sig) => (code === 0 ? resolve() : reject(new OperationError('upgrade.copy-failed', `pg_restore into ${to} exited ${code ?? sig}: ${stderr.trim().slice(0, 1000)}`))));
  });
  const kill = () => {
    dump.kill();
    restore.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  let bytes = 0;
  dump.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  dump.stdout.pipe(restore.stdin);
  restore.stdin.on('error', () => undefined);
  try {
    await Promise.all([dump.done, restored]);
  } catch (error) {
    kill();
    throw error;
  } finally {
    signal?.removeEventListener('abort', kill);
  }
  return { bytes };
}

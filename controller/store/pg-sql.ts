// The PostgreSQL adapter (node-postgres pool).
import type { Pool, PoolClient } from 'pg';
import { StoreError, redactDatabaseUrl, scrubPassword } from './errors.js';
import type { Sql, SqlParam, SqlQuery } from './sql.js';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EAI_AGAIN', 'EPIPE']);

/** Opens a pool and checks that the server answers; throws `store.unreachable` naming the redacted URL. */
export async function openPgSql(url: string): Promise<Sql> {
  const description = `PostgreSQL at ${redactDatabaseUrl(url)}`;
  const { default: pg } = await import('pg');
  let pool: Pool;
  try {
    pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, application_name: 'rp9' });
  } catch (error) {
    throw new StoreError('store.unreachable', `${description}: ${scrubPassword((error as Error).message, url)}`);
  }
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const fail = (error: unknown) => toStoreError(error, description, url);
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    const wrapped = fail(error);
    throw new StoreError('store.unreachable', wrapped.message, wrapped.sqlState ? { sqlState: wrapped.sqlState } : {});
  }
  let closed = false;
  const run = async <T>(executor: Pool | PoolClient, text: string, params: readonly SqlParam[]): Promise<T[]> => {
    if (closed) throw new StoreError('store.closed', `${description}: the store is closed`);
    try {
      const result = await executor.query(text, params as unknown[]);
      return result.rows as T[];
    } catch (error) {
      throw fail(error);
    }
  };
  return {
    kind: 'postgres',
    inMemory: false,
    description,
    query: <T extends object>(text: string, params: readonly SqlParam[] = []) => run<T>(pool, text, params),
    async transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T> {
      if (closed) throw new StoreError('store.closed', `${description}: the store is closed`);
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw fail(error);
      }
      const tx: SqlQuery = { query: <R extends object>(text: string, params: readonly SqlParam[] = []) => run<R>(client, text, params) };
      let broken: Error | undefined;
      try {
        await run(client, 'begin', []);
        const result = await fn(tx);
        await run(client, 'commit', []);
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

function toStoreError(error: unknown, description: string, url: string): StoreError {
  if (error instanceof StoreError) return error;
  const err = error as { message?: string; code?: string };
  const message = `${description}: ${scrubPassword(err.message ?? String(error), url)}`;
  const code = typeof err.code === 'string' ? err.code : '';
  const sqlState = /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const connection =
    CONNECTION_CODES.has(code) ||
    (sqlState !== undefined && (sqlState.startsWith('08') || sqlState.startsWith('28') || sqlState.startsWith('57P') || sqlState === '3D000')) ||
    /connection terminated|timeout expired|connection refused/i.test(err.message ?? '');
  return new StoreError(connection ? 'store.unreachable' : 'store.query-failed', message, sqlState ? { sqlState } : {});
}

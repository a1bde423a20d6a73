// The embedded adapter: PGlite (PostgreSQL in WASM), in memory or file-backed.
// Imported lazily: only commands that open the store pay for loading it.
// Memory: baseline WASM compiler, a 16 MB buffer pool, and initdb in a child
// process (pglite-memory.ts).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedStartParams, initEmbeddedDataDir, useBaselineWasmCompiler } from './pglite-memory.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { StoreError } from './errors.js';
import type { Sql, SqlParam, SqlQuery } from './sql.js';

export type PgliteTarget = { memory: true } | { dataDir: string };

export async function openPgliteSql(target: PgliteTarget): Promise<Sql> {
  const description = 'memory' in target ? 'embedded store (in memory)' : `embedded store at ${target.dataDir}`;
  let lock: DirLock | undefined;
  if ('dataDir' in target) {
    await mkdir(target.dataDir, { recursive: true, mode: 0o700 });
    lock = await acquireDirLock(join(target.dataDir, '..', `${baseName(target.dataDir)}.lock`), description);
  }
  let db: import('@electric-sql/pglite').PGlite;
  try {
    if ('dataDir' in target && !existsSync(join(target.dataDir, 'PG_VERSION'))) await initEmbeddedDataDir(target.dataDir, description);
    useBaselineWasmCompiler();
    const { PGlite } = await import('@electric-sql/pglite');
    const options = { startParams: embeddedStartParams(PGlite.defaultStartParams) };
    db = 'memory' in target ? await PGlite.create(options) : await PGlite.create(target.dataDir, options);
  } catch (error) {
    await lock?.release();
    if (error instanceof StoreError) throw error;
    throw new StoreError('store.unreachable', `${description}: cannot open PGlite: ${(error as Error).message}`);
  }
  let closed = false;
  const fail = (error: unknown): StoreError => {
    if (error instanceof StoreError) return error;
    const err = error as { message?: string; code?: string };
    const sqlState = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : undefined;
    return new StoreError('store.query-failed', `${description}: ${err.message ?? String(error)}`, sqlState ? { sqlState } : {});
  };
  const guard = () => {
    if (closed) throw new StoreError('store.closed', `${description}: the store is closed`);
  };
  const run = async <T>(executor: Pick<typeof db, 'query'>, text: string, params: readonly SqlParam[]): Promise<T[]> => {
    guard();
    try {
      return (await executor.query<T>(text, params as unknown[])).rows;
    } catch (error) {
      throw fail(error);
    }
  };
  return {
    kind: 'pglite',
    inMemory: 'memory' in target,
    description,
    query: <T extends object>(text: string, params: readonly SqlParam[] = []) => run<T>(db, text, params),
    async transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T> {
      guard();
      let thrownByFn = false;
      try {
        return await db.transaction(async (inner) => {
          try {
            return await fn({ query: <R extends object>(text: string, params: readonly SqlParam[] = []) => run<R>(inner, text, params) });
          } catch (error) {
            thrownByFn = true;
            throw error;
          }
        });
      } catch (error) {
        if (thrownByFn) throw error;
        throw fail(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? 'store';
}

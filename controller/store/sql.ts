// The one narrow interface the store needs from a database. Two adapters
// implement it (pg for PostgreSQL, PGlite embedded); everything above it is
// backend-agnostic and uses the same SQL.

export type SqlParam = string | number | boolean | null | Date;

export interface SqlQuery {
  /** Runs one statement with `$n` parameters and returns its rows. */
  query<T extends object = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export interface Sql extends SqlQuery {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Which backend this is, for messages: `PostgreSQL at postgres://u:***@host/db`, `embedded store at .rp9/store`. */
  readonly description: string;
  readonly kind: 'postgres' | 'pglite';
  /** True for an in-memory PGlite: nothing survives close(). */
  readonly inMemory: boolean;
}

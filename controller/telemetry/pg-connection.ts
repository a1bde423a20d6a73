// One short PostgreSQL connection per read, for the collector's SQL edges:
// bounded by a connect timeout and a server-side statement timeout, and ended
// as soon as the caller's signal aborts (which rejects the read in flight).
import pg from 'pg';

/** A connection string or pg's config object. */
export type ConnectionTarget = string | pg.ClientConfig;

export function clientConfig(target: ConnectionTarget, statementTimeoutMs: number): pg.ClientConfig {
  const base = typeof target === 'string' ? { connectionString: target } : target;
  return { connectionTimeoutMillis: 5_000, ...base, statement_timeout: statementTimeoutMs, application_name: 'rp9-telemetry' };
}

/** Opens a connection for one read and closes it after; an abort ends the connection, which rejects the read. */
export async function withClient<T>(config: pg.ClientConfig, signal: AbortSignal, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  const onAbort = () => { void client.end().catch(() => undefined); };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    signal.throwIfAborted();
    return await fn(client);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/** n8n's DB_TABLE_PREFIX, checked before it goes into SQL text. */
export function tableName(prefix: string, table: string): string {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new RangeError(`tablePrefix "${prefix}" may only contain letters, digits and _`);
  return `"${prefix}${table}"`;
}

// One short connection to a PostgreSQL database: bounded connect, an error
// on the idle client never crashes the process, always closed after `fn`.
import pg from 'pg';

export async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>, config: Omit<pg.ClientConfig, 'connectionString'> = {}): Promise<T> {
  const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...config, connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

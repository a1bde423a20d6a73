// Helpers for the real-n8n e2e test: a tenant database, container env, and
// bounded waits that fail early (with logs) when a container exits.
import type Docker from 'dockerode';
import pg from 'pg';

export interface TenantDatabase {
  name: string;
  user: string;
  password: string;
  host: string;
  port: number;
}

/** Creates a fresh database and login role of the same name; drops leftovers first. */
export async function createTenantDatabase(superuserUrl: string, name: string): Promise<TenantDatabase> {
  const url = new URL(superuserUrl);
  const password = `pw-${name}`;
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${name}`);
    await client.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
    await client.query(`CREATE DATABASE ${name} OWNER ${name}`);
  } finally {
    await client.end();
  }
  return { name, user: name, password, host: url.hostname, port: Number(url.port) };
}

export async function dropTenantDatabase(superuserUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${name}`);
  } finally {
    await client.end();
  }
}

/** Tables in the `public` schema of `db`, as the tenant role sees them. */
export async function listTables(db: TenantDatabase): Promise<string[]> {
  const client = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.name });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

export interface N8nEnvOptions {
  db: TenantDatabase;
  redisUrl: string;
  port: number;
  brokerPort: number;
  encryptionKey: string;
  /** The n8n version the process runs: 2.x has no N8N_RUNNERS_ENABLED and needs the mcp-registry module off. */
  version: string;
}

/** Environment for one n8n process (main or worker) in queue mode on PostgreSQL, as rp9's compile gives it per major. */
export function queueModeEnv(options: N8nEnvOptions): string[] {
  const redis = new URL(options.redisUrl);
  const v2 = Number.parseInt(options.version, 10) >= 2;
  return [
    'EXECUTIONS_MODE=queue',
    `QUEUE_BULL_REDIS_HOST=${redis.hostname}`,
    `QUEUE_BULL_REDIS_PORT=${redis.port}`,
    'DB_TYPE=postgresdb',
    `DB_POSTGRESDB_HOST=${options.db.host}`,
    `DB_POSTGRESDB_PORT=${options.db.port}`,
    `DB_POSTGRESDB_DATABASE=${options.db.name}`,
    `DB_POSTGRESDB_USER=${options.db.user}`,
    `DB_POSTGRESDB_PASSWORD=${options.db.password}`,
    `N8N_ENCRYPTION_KEY=${options.encryptionKey}`,
    `N8N_PORT=${options.port}`,
    'N8N_LISTEN_ADDRESS=127.0.0.1',
    'N8N_HOST=127.0.0.1',
    'N8N_PROTOCOL=http',
    'N8N_SECURE_COOKIE=false',
    ...(v2 ? ['N8N_DISABLED_MODULES=mcp-registry'] : ['N8N_RUNNERS_ENABLED=true']),
    `N8N_RUNNERS_BROKER_PORT=${options.brokerPort}`,
    'N8N_METRICS=true',
    'N8N_DIAGNOSTICS_ENABLED=false',
    'N8N_PERSONALIZATION_ENABLED=false',
    'N8N_VERSION_NOTIFICATIONS_ENABLED=false',
    'N8N_TEMPLATES_ENABLED=false',
  ];
}

/** Stdout and stderr of a container, demultiplexed into one string. */
export async function containerLogs(container: Docker.Container): Promise<string> {
  const buffer = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const lines: string[] = [];
  // Docker multiplexes non-TTY logs: 8-byte header (stream, 0, 0, 0, size BE32), then payload.
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    lines.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return lines.join('');
}

/**
 * Polls `check` every `delayMs` until it returns true, at most `attempts` times.
 * Fails at once, with the container's logs, if the container stops running.
 */
export async function waitWhileRunning(
  what: string,
  container: Docker.Container,
  check: () => Promise<boolean>,
  attempts: number,
  delayMs: number,
): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check().catch(() => false)) return;
    const state = (await container.inspect()).State;
    if (!state.Running) {
      throw new Error(`${what}: container exited with ${state.ExitCode}:\n${await containerLogs(container)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error(`timed out waiting for ${what} (${attempts} × ${delayMs} ms):\n${await containerLogs(container)}`);
}

/** An HTTP GET that resolves to its status and body, bounded in time (n8n is slow on a busy machine). */
export async function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** Memory a container really uses, as `docker stats` shows it: usage minus inactive page cache. */
export function workingSetBytes(stats: Docker.ContainerStats): number {
  const memory = stats.memory_stats;
  const inactive = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
  return memory.usage - inactive;
}

/** A log as text to match on: n8n colours some lines; drop the ANSI escapes. */
export function plainLog(log: string): string {
  // eslint-disable-next-line no-control-regex
  return log.replace(/\u001b\[[0-9;]*m/g, '');
}

import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run } from './processes.js';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL 15 on 127.0.0.1 in a temp dir. initdb refuses
 * root, so it runs as the `postgres` user.
 */
export async function startPostgres(options: { alsoListenOn?: string } = {}): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rp9-pg-'));
  const asPostgres = (args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args]);
  await run('chown', ['postgres:postgres', dir]);
  await run('chmod', ['700', dir]);
  const port = await freePort();
  // Passwords are checked over TCP (scram), as in production; the socket stays trusted.
  await writeFile(`${dir}/pw`, 'postgres\n');
  await run('chown', ['postgres:postgres', `${dir}/pw`]);
  await asPostgres([`${BIN}/initdb`, '-D', `${dir}/data`, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${dir}/pw`, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  // Containers of the test dockerd reach the host at its bridge address; allow them in (scram, like loopback).
  const listen = ['127.0.0.1', ...(options.alsoListenOn ? [options.alsoListenOn] : [])].join(',');
  if (options.alsoListenOn) await appendFile(`${dir}/data/pg_hba.conf`, "host all all 0.0.0.0/0 scram-sha-256\n");
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=${listen} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  await asPostgres([`${BIN}/pg_ctl`, '-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', serverOptions, 'start']);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await asPostgres([`${BIN}/pg_ctl`, '-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

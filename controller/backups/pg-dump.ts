// pg_dump and pg_restore as streams: the custom format (-Fc) on stdout, or
// into pg_restore's stdin. A non-zero exit fails with stderr in the message.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BackupError } from './errors.js';

export interface DumpProcess {
  stdout: Readable;
  /** Resolves when pg_dump exited 0; rejects with backup.dump-failed otherwise. */
  done: Promise<void>;
  kill(): void;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function child(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): { stdin: Writable; stdout: Readable; done: Promise<void>; kill(): void } {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString('utf8');
  });
  const done = new Promise<void>((resolve, reject) => {
    proc.on('error', (error) => reject(new BackupError('backup.dump-failed', `${what}: ${error.message}`, { cause: error })));
    proc.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new BackupError('backup.dump-failed', `${what} exited ${code ?? signal}: ${stderr.trim().slice(0, 1000)}`));
    });
  });
  done.catch(() => undefined);
  return { stdin: proc.stdin, stdout: proc.stdout, done, kill: () => proc.kill('SIGKILL') };
}

/** `pg_dump -Fc` of the database at `url` (the password goes through the environment, never argv). */
export function pgDump(url: string): DumpProcess {
  const { conninfo, env } = connection(url);
  const proc = child('pg_dump', ['-Fc', '--no-owner', '--no-acl', '--dbname', conninfo], env, `pg_dump of ${redactUrl(url)}`);
  proc.stdin.end();
  return proc;
}

/** `pg_restore` into the (empty) database at `url`, reading the dump from stdin; with `role`, what it creates is owned by that role (SET ROLE). */
export function pgRestore(url: string, options: { role?: string } = {}): { stdin: Writable; done: Promise<void>; kill(): void } {
  const { conninfo, env } = connection(url);
  const role = options.role ? [`--role=${options.role}`] : [];
  const proc = child('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', ...role, '--dbname', conninfo], env, `pg_restore into ${redactUrl(url)}`);
  proc.stdout.resume();
  return proc;
}

function connection(url: string): { conninfo: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { conninfo: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

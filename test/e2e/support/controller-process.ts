// `rp9 controller` as a real child process over an end-to-end world (the same
// settings as World.startController, by flags and environment), for tests
// that kill it the way a crash would. Its JSON log (stdout) is kept line by
// line; its address and lease holder id come from its "controller started"
// line. Every process started here is killed by stopControllerProcesses()
// (call it in afterAll) and, as a last resort, when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../../harness/wait.js';
import type { World } from './world.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./rp9-main.ts', import.meta.url));

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

export interface ControllerProcess {
  pid: number;
  url: string;
  /** The lease holder id it logged at start. */
  holder: string;
  /** JSON log lines written so far (stdout). */
  logs(): LogLine[];
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` and waits (bounded) for the process to exit; resolves with how it ended. */
  kill(signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ControllerProcessOptions {
  /** Names its state directory; unique per world. */
  name: string;
  intervalSeconds?: number;
  env?: Record<string, string>;
  /** How long to wait for its "controller started" line. */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();

function killAllSync(): void {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAllSync);

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts `rp9 controller` on the world's repo, store, routes and Docker engine; resolves once it listens. */
export async function spawnController(world: World, options: ControllerProcessOptions): Promise<ControllerProcess> {
  const stateDir = join(dirname(world.routesDir), `process-${options.name}`);
  await mkdir(stateDir, { recursive: true });
  const env = world.env({ ...(options.intervalSeconds ? { RP9_INTERVAL_SECONDS: String(options.intervalSeconds) } : {}), ...options.env });
  const args = ['--import', 'tsx', ENTRY, 'controller', '--repo', world.repoUrl, '--state-dir', stateDir, '--routes-dir', world.routesDir, '--listen', '127.0.0.1:0'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: LogLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ msg: line, level: 'RAW' });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const started = await until(`controller ${options.name} to start (pid ${child.pid})`, () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited ${child.exitCode ?? child.signalCode}: ${stderr.slice(-2_000)}`);
    return lines.find((line) => line.msg === 'controller started');
  }, { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 100 }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  return {
    pid: child.pid!,
    url: String(started.url),
    holder: String(started.holder),
    logs: () => [...lines],
    stderr: () => stderr,
    async kill(signal, timeoutMs = 15_000) {
      const exited = exitOf(child);
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`controller ${options.name} (pid ${child.pid}) did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Kills every controller process still running (SIGKILL) and waits, bounded, for each to exit. */
export async function stopControllerProcesses(timeoutMs = 10_000): Promise<void> {
  const children = [...running];
  const exits = children.map(exitOf);
  for (const child of children) child.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all(exits), timeout]);
  clearTimeout(timer);
  const left = children.filter((child) => child.exitCode === null && child.signalCode === null);
  if (left.length > 0) throw new Error(`controller processes still running after SIGKILL: ${left.map((c) => c.pid).join(', ')}`);
}

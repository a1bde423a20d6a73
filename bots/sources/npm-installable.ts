// Whether n8n versions install from the npm registry: runs
// deploy/n8n-image/resolve.sh per version (`npm install --package-lock-only`
// with the Node and npm of the version's line, results cached under
// ${RP9_CACHE_DIR:-~/.cache/rp9}/n8n-resolve/). Exit 0: the tree resolves;
// exit 3: it does not (a missing package or version); anything else: the
// check itself failed, which fails the run rather than guess.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SourceReadError } from './errors.js';

export interface InstallableOptions {
  /** Default: deploy/n8n-image/resolve.sh of this checkout. */
  script?: string;
  /** Per version; a cold resolve of n8n 2.x took up to 8 minutes on a loaded machine. Default 15 minutes. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_RESOLVE_SCRIPT = fileURLToPath(new URL('../../deploy/n8n-image/resolve.sh', import.meta.url));

export function createInstallableSource(options: InstallableOptions = {}): (versions: string[]) => Promise<Map<string, boolean>> {
  const script = options.script ?? DEFAULT_RESOLVE_SCRIPT;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  return async (versions) => {
    const verdicts = new Map<string, boolean>();
    for (const version of versions) verdicts.set(version, await resolves(script, version, timeoutMs, options.env ?? process.env));
    return verdicts;
  };
}

function resolves(script: string, version: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, version], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let log = '';
    const timer = setTimeout(() => { if (child.pid) process.kill(-child.pid, 'SIGTERM'); }, timeoutMs);
    child.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4_000)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SourceReadError('sources.installable-check-failed', `${script} ${version}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(true);
      else if (code === 3) resolve(false);
      else reject(new SourceReadError('sources.installable-check-failed', `${script} ${version} exited ${code ?? signal}: ${log.trim().slice(-1_000)}`));
    });
  });
}

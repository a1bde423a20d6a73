// Peak RSS of `rp9 controller` as a new user runs it: bin/rp9.js in its own
// process, sampled from /proc every 50 ms until every tenant is Ready at the
// commit (and `settleMs` more). Reports the controller's own peak (VmHWM) and
// the peak of the controller plus its children (the first run's initdb).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

async function status(pid) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function descendants(pid) {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean).map(Number);
  const nested = await Promise.all(children.map(descendants));
  return [...children, ...nested.flat()];
}

/**
 * Starts `node bin/rp9.js controller` with `env` in `cwd`, waits (at most
 * `timeoutMs`) until `converged()` is true, keeps sampling `settleMs` more,
 * then stops it with SIGTERM. Returns peaks in MB and the time to converge.
 */
export async function measureController({ root, cwd, env, converged, timeoutMs = 300_000, settleMs = 5_000 }) {
  const started = performance.now();
  const child = spawn(process.execPath, [`${root}/bin/rp9.js`, 'controller'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output = (output + chunk).slice(-20_000); });
  child.stderr.on('data', (chunk) => { output = (output + chunk).slice(-20_000); });
  let treePeakKb = 0;
  let convergedMs;
  try {
    const deadline = Date.now() + timeoutMs;
    let settleUntil;
    while (Date.now() < deadline && child.exitCode === null) {
      const pids = [child.pid, ...(await descendants(child.pid))];
      const sizes = await Promise.all(pids.map(status));
      treePeakKb = Math.max(treePeakKb, sizes.reduce((sum, s) => sum + s.rss, 0));
      if (convergedMs === undefined && (await converged().catch(() => false))) {
        convergedMs = performance.now() - started;
        settleUntil = Date.now() + settleMs;
      }
      if (settleUntil !== undefined && Date.now() >= settleUntil) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const own = await status(child.pid);
    if (convergedMs === undefined) throw new Error(`controller did not converge within ${timeoutMs} ms (exit ${child.exitCode}); last output:\n${output.slice(-3_000)}`);
    return { peakMb: own.hwm / 1024, endMb: own.rss / 1024, treePeakMb: treePeakKb / 1024, convergedMs, firstLine: output.split('\n')[0] ?? '' };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

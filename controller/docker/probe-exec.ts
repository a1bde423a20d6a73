// Runs a container's own healthcheck command once, now, through `docker exec`,
// so a new container counts as ready as soon as it answers instead of at the
// engine's next scheduled check (every Interval seconds; Docker 20.10-24 have
// no start_interval). Needs no network path from the controller to the
// container. Returns a value, never throws.
import type Docker from 'dockerode';
import { engineMessage } from './docker-errors.js';

export type ProbeResult = { ok: true } | { ok: false; detail: string };

/** The exec command for a healthcheck Test (`CMD …` or `CMD-SHELL …`), or undefined for NONE, inherited or empty tests. */
export function probeCommand(test: readonly string[] | undefined): string[] | undefined {
  const [kind, ...rest] = test ?? [];
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type Prober = (command: string[], timeoutMs: number) => Promise<ProbeResult>;

/**
 * Probes container `name` by executing a command in it and reporting whether
 * it exited 0 within `timeoutMs`. The exec runs detached and its state is
 * polled (inspect, about 2 ms a call), so no output stream has to be drained.
 * A probe still running at its timeout is not abandoned: the next call
 * watches it again instead of starting another, so the controller never has
 * more than one probe running in a container (a hung `wget` would otherwise
 * pile up next to the next ones and starve the server it probes).
 */
export function execProber(docker: Docker, name: string): Prober {
  let running: Docker.Exec | undefined;
  return async (command, timeoutMs) => {
    const started = Date.now();
    try {
      const exec = running ?? (await docker.getContainer(name).exec({ Cmd: command, AttachStdout: false, AttachStderr: false }));
      if (!running) await exec.start({ Detach: true });
      running = undefined;
      const attempts = Math.ceil(timeoutMs / 20) + 1;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const info = await exec.inspect();
        if (!info.Running) return info.ExitCode === 0 ? { ok: true } : { ok: false, detail: `probe exit ${info.ExitCode ?? 'unknown'}` };
        if (Date.now() - started >= timeoutMs) break;
        await sleep(20);
      }
      running = exec;
      return { ok: false, detail: `probe still running after ${timeoutMs} ms` };
    } catch (error) {
      running = undefined;
      return { ok: false, detail: `probe failed: ${engineMessage(error)}` };
    }
  };
}

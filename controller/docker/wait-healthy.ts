// Bounded wait for a container to report healthy (or, without a healthcheck,
// to be running). Polls inspect (about 2 ms a call); returns a value, never throws.
//
// While the engine still says "starting", the container's own healthcheck
// command is also run through `docker exec` at each poll (probe-exec.ts): the
// engine runs it only every Interval (10 s for n8n), so a container that is up
// after 2 s would otherwise wait up to 10 s for its route. The engine's
// healthcheck keeps its slow interval for steady-state monitoring.
import type Docker from 'dockerode';
import { statusOf, engineMessage } from './docker-errors.js';
import { execProber, probeCommand } from './probe-exec.js';

export type HealthWaitStatus = 'healthy' | 'unhealthy' | 'exited' | 'missing' | 'timeout' | 'unreachable';

export interface HealthWait {
  ok: boolean;
  status: HealthWaitStatus;
  waitedMs: number;
  /** What was last seen, for messages: state, health, exit code, last probe output. */
  detail?: string;
}

export interface WaitHealthyOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Run the healthcheck command through exec while the engine says "starting" (default true). */
  probe?: boolean;
  /**
   * Most time between two exec probes of the container (default 1 s): each
   * exec costs the engine a runc exec. The first gaps are shorter (see probeGapMs).
   */
  probeIntervalMs?: number;
}

/**
 * The gap after the `probesRun`-th exec probe: the poll interval, doubling up
 * to `maxMs` (250 ms, 500 ms, then 1 s by default). A container that starts
 * in a fraction of a second is seen within a poll, not a second later; one
 * that takes longer (n8n: seconds) is probed about once a second, as before.
 */
export function probeGapMs(probesRun: number, options: { firstMs: number; maxMs: number }): number {
  return Math.min(options.maxMs, options.firstMs * 2 ** Math.max(0, probesRun - 1));
}

const NS_PER_MS = 1_000_000;
/** Bound on one exec probe when the healthcheck sets no timeout. */
const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lastProbe(info: Docker.ContainerInspectInfo): string {
  const log = info.State.Health?.Log;
  const last = log?.[log.length - 1];
  return last ? `; last probe exit ${last.ExitCode}: ${last.Output.trim().slice(0, 200)}` : '';
}

/** Waits until `name` is healthy, unhealthy, gone or stopped, or `timeoutMs` passed. */
export async function waitHealthy(docker: Docker, name: string, options: WaitHealthyOptions): Promise<HealthWait> {
  const intervalMs = Math.max(10, options.intervalMs ?? 250);
  const started = Date.now();
  const attempts = Math.ceil(options.timeoutMs / intervalMs) + 1;
  let detail = 'not inspected yet';
  let firstRestartCount: number | undefined;
  const probeIntervalMs = Math.max(intervalMs, options.probeIntervalMs ?? 1_000);
  let nextProbeAt = started;
  let probesRun = 0;
  const probeExec = execProber(docker, name);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const waitedMs = Date.now() - started;
    let info: Docker.ContainerInspectInfo | undefined;
    try {
      info = await docker.getContainer(name).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return { ok: false, status: 'missing', waitedMs, detail: `no container ${name}` };
      if (statusOf(err) === undefined) return { ok: false, status: 'unreachable', waitedMs, detail: engineMessage(err) };
      detail = engineMessage(err); // a 5xx: try again
    }
    if (info) {
      const state = info.State;
      const health = state.Health?.Status;
      detail = `state ${state.Status}${health ? `, health ${health}` : ''}${lastProbe(info)}`;
      firstRestartCount ??= info.RestartCount;
      // Stopped, or crashed and brought back by its restart policy: it is not coming up healthy.
      if (!state.Running || state.Restarting) {
        return { ok: false, status: 'exited', waitedMs, detail: `${detail}, exit code ${state.ExitCode}, restarts ${info.RestartCount}` };
      }
      if (info.RestartCount > firstRestartCount) {
        // Already brought back by its restart policy: the exit code is gone, the crash loop is not.
        return { ok: false, status: 'exited', waitedMs, detail: `${detail}, crashed and restarted ${info.RestartCount - firstRestartCount} time(s) while waiting` };
      }
      if (health === 'healthy' || !health || health === 'none') return { ok: true, status: 'healthy', waitedMs, detail };
      if (health === 'unhealthy') return { ok: false, status: 'unhealthy', waitedMs, detail };
      const command = options.probe === false ? undefined : probeCommand(info.Config.Healthcheck?.Test);
      if (health === 'starting' && command && Date.now() >= nextProbeAt) {
        probesRun += 1;
        nextProbeAt = Date.now() + probeGapMs(probesRun, { firstMs: intervalMs, maxMs: probeIntervalMs });
        const configured = (info.Config.Healthcheck?.Timeout ?? 0) / NS_PER_MS;
        const left = options.timeoutMs - (Date.now() - started);
        const probe = await probeExec(command, Math.max(10, Math.min(configured > 0 ? configured : DEFAULT_PROBE_TIMEOUT_MS, left)));
        if (probe.ok) return { ok: true, status: 'healthy', waitedMs: Date.now() - started, detail: `${detail}; its healthcheck command answered through exec` };
        detail = `${detail}; exec probe: ${probe.detail}`;
      }
    }
    if (Date.now() - started >= options.timeoutMs) break;
    await sleep(Math.min(intervalMs, Math.max(0, options.timeoutMs - (Date.now() - started))));
  }
  return { ok: false, status: 'timeout', waitedMs: Date.now() - started, detail };
}

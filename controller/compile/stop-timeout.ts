// How long docker (or swarm) waits between SIGTERM and SIGKILL when it stops an
// n8n container: above n8n's own graceful shutdown (N8N_GRACEFUL_SHUTDOWN_TIMEOUT,
// 30 s by default), so a stopping main finishes its webhook responses and a
// stopping worker its running jobs before it is killed. Pure.
import type { EnvValue } from '../model.js';

/** n8n's default N8N_GRACEFUL_SHUTDOWN_TIMEOUT, in seconds. */
export const N8N_GRACEFUL_SHUTDOWN_SECONDS = 30;
/** Seconds on top of n8n's own shutdown: its process exit, the task runner's. */
export const STOP_MARGIN_SECONDS = 15;

/** The stop timeout for an n8n container with `env`: its graceful shutdown (set, or n8n's default) plus the margin. */
export function n8nStopTimeoutSeconds(env: Readonly<Record<string, EnvValue | undefined>>): number {
  const set = env.N8N_GRACEFUL_SHUTDOWN_TIMEOUT;
  const parsed = typeof set === 'string' && /^\d{1,5}$/.test(set.trim()) ? Number(set.trim()) : Number.NaN;
  const graceful = Number.isFinite(parsed) && parsed > 0 ? parsed : N8N_GRACEFUL_SHUTDOWN_SECONDS;
  return graceful + STOP_MARGIN_SECONDS;
}

// `rp9 tenant restart`: a dedicated tenant's containers restarted in place
// through Docker (main first, then its workers), each waited for until healthy
// within one overall bound. Stops at the first container that does not come
// back healthy; the rest are reported as not restarted. Never throws for a
// container; an engine that cannot be listed is an error to the caller.
import { n8nStopTimeoutSeconds } from '../compile/stop-timeout.js';
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type ContainerRole } from '../model.js';
import { engineMessage } from './docker-errors.js';
import { waitHealthy, type HealthWait } from './wait-healthy.js';

export interface TenantContainer {
  name: string;
  role: ContainerRole;
}

export type RestartStep =
  | { name: string; role: ContainerRole; outcome: 'healthy' | 'unhealthy'; health: HealthWait }
  | { name: string; role: ContainerRole; outcome: 'restart-failed'; detail: string }
  | { name: string; role: ContainerRole; outcome: 'skipped' };

export interface RestartOutcome {
  ok: boolean;
  steps: RestartStep[];
  seconds: number;
}

/** Main first (workers reconnect to it through Redis anyway), then workers by name. Pure. */
export function restartOrder(containers: readonly TenantContainer[]): TenantContainer[] {
  const rank = (c: TenantContainer) => (c.role === 'main' ? 0 : 1);
  return [...containers].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The tenant's containers that carry rp9's owner labels in this environment, in restart order. */
export async function tenantContainers(docker: Docker, environment: string, tenant: string): Promise<TenantContainer[]> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${environment}`, `${LABEL.tenant}=${tenant}`] } });
  const found: TenantContainer[] = [];
  for (const c of listed) {
    const role = c.Labels[LABEL.role];
    const name = c.Names[0]?.replace(/^\//, '');
    if (name && (role === 'main' || role === 'worker')) found.push({ name, role });
  }
  return restartOrder(found);
}

export async function restartTenantContainers(docker: Docker, containers: readonly TenantContainer[], options: { timeoutMs: number; stopTimeoutSeconds?: number }): Promise<RestartOutcome> {
  const started = Date.now();
  const steps: RestartStep[] = [];
  let failed = false;
  for (const c of containers) {
    if (failed) {
      steps.push({ ...c, outcome: 'skipped' });
      continue;
    }
    try {
      // The container's own stop timeout (compile sets it above n8n's graceful shutdown); one made before that gets the default's.
      const own = options.stopTimeoutSeconds ?? ((await docker.getContainer(c.name).inspect()).Config as { StopTimeout?: number }).StopTimeout;
      await docker.getContainer(c.name).restart({ t: own ?? n8nStopTimeoutSeconds({}) });
    } catch (error) {
      steps.push({ ...c, outcome: 'restart-failed', detail: engineMessage(error) });
      failed = true;
      continue;
    }
    const left = Math.max(1_000, options.timeoutMs - (Date.now() - started));
    const health = await waitHealthy(docker, c.name, { timeoutMs: left });
    steps.push({ ...c, outcome: health.ok ? 'healthy' : 'unhealthy', health });
    if (!health.ok) failed = true;
  }
  return { ok: !failed, steps, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

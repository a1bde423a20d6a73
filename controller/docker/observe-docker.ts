// Observe edge: what rp9 owns in one Docker engine, for one environment.
// One list call for containers, one for volumes, then an inspect per rp9
// container (limits live only in HostConfig), a few at a time. Never throws:
// an engine that cannot be read is reported as unavailable, with the reason.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type ContainerRole, type ObservedContainer, type ObservedVolume } from '../model.js';
import { engineMessage, statusOf } from './docker-errors.js';
import { mapLimit } from '../../kernel/concurrency/map-limit.js';

export interface DockerObservation {
  available: boolean;
  reason?: string;
  containers: ObservedContainer[];
  volumes: ObservedVolume[];
}

export interface ObserveOptions {
  /** Concurrent inspects; default 8. */
  inspectConcurrency?: number;
}

const STATES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);
const HEALTHS: ReadonlySet<string> = new Set(['starting', 'healthy', 'unhealthy']);

/** The engine's address, for messages: the socket path, or host:port. */
export function dockerAddress(docker: Docker): string {
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: unknown; port?: unknown } }).modem;
  if (typeof modem?.socketPath === 'string') return modem.socketPath;
  if (typeof modem?.host === 'string') return `${modem.host}${modem.port ? `:${String(modem.port)}` : ''}`;
  return 'the configured address';
}

function unreachableReason(docker: Docker, err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const status = statusOf(err);
  if (status !== undefined) return `Docker at ${dockerAddress(docker)} answered ${status}: ${engineMessage(err)}`;
  return `Docker not reachable at ${dockerAddress(docker)}: ${typeof code === 'string' ? code : engineMessage(err)}`;
}

/** Health from the list Status text, e.g. "Up 3 seconds (health: starting)". */
export function healthFromStatus(status: string): ObservedContainer['health'] {
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return undefined;
}

function ownerFilters(environment: string): { label: string[] } {
  return { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${environment}`] };
}

function isRole(value: string | undefined): value is ContainerRole {
  return value === 'main' || value === 'worker';
}

/**
 * Maps one listed container plus its inspect to the model. Containers that lack
 * a tenant or a valid role label were not made by this rp9 and are left out.
 */
export function toObservedContainer(listed: Docker.ContainerInfo, inspected: Docker.ContainerInspectInfo | undefined): ObservedContainer | undefined {
  const labels = listed.Labels ?? {};
  const tenant = labels[LABEL.tenant];
  const role = labels[LABEL.role];
  if (!tenant || !isRole(role)) return undefined;
  const stateText = inspected?.State.Status ?? listed.State;
  const healthText = inspected ? inspected.State.Health?.Status : healthFromStatus(listed.Status);
  const name = (inspected?.Name ?? listed.Names[0] ?? '').replace(/^\//, '');
  const observed: ObservedContainer = {
    kind: 'container',
    id: listed.Id,
    name,
    tenant,
    role,
    image: inspected?.Config.Image ?? listed.Image,
    state: STATES.has(stateText) ? (stateText as ObservedContainer['state']) : 'dead',
    cpu: (inspected?.HostConfig.NanoCpus ?? 0) / 1_000_000_000,
    memoryMb: (inspected?.HostConfig.Memory ?? 0) / (1024 * 1024),
    hash: labels[LABEL.specHash] ?? '',
    labels: { ...labels },
  };
  if (healthText && HEALTHS.has(healthText)) observed.health = healthText as ObservedContainer['health'];
  return observed;
}

async function observeContainers(docker: Docker, environment: string, concurrency: number): Promise<ObservedContainer[]> {
  const listed = await docker.listContainers({ all: true, filters: ownerFilters(environment) });
  const inspected = await mapLimit(listed, concurrency, async (c) => {
    try {
      return await docker.getContainer(c.Id).inspect();
    } catch (err) {
      // Removed between list and inspect: it no longer exists.
      if (statusOf(err) === 404) return null;
      throw err;
    }
  });
  const observed: ObservedContainer[] = [];
  listed.forEach((c, i) => {
    const info = inspected[i];
    if (info === null) return;
    const container = toObservedContainer(c, info);
    if (container) observed.push(container);
  });
  return observed.sort((a, b) => a.name.localeCompare(b.name));
}

async function observeVolumes(docker: Docker, environment: string): Promise<ObservedVolume[]> {
  const { Volumes } = await docker.listVolumes({ filters: ownerFilters(environment) });
  return (Volumes ?? [])
    .filter((v) => Boolean(v.Labels?.[LABEL.tenant]))
    .map((v): ObservedVolume => ({ kind: 'volume', name: v.Name, tenant: v.Labels[LABEL.tenant] ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** rp9's containers (running or not) and volumes in `environment`; never throws. */
export async function observeDocker(docker: Docker, environment: string, options: ObserveOptions = {}): Promise<DockerObservation> {
  try {
    const [containers, volumes] = await Promise.all([
      observeContainers(docker, environment, options.inspectConcurrency ?? 8),
      observeVolumes(docker, environment),
    ]);
    return { available: true, containers, volumes };
  } catch (err) {
    // A partial picture is worse than none: the plan would create what exists.
    return { available: false, reason: unreachableReason(docker, err), containers: [], volumes: [] };
  }
}

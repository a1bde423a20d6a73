// The Swarm services of a dedicated tenant (spec.runtime: swarm), built from
// the containers the single-engine runtime would run: main becomes a service
// of one replica, the workers one service with `workers` replicas. Pure.
import { LABEL, type DesiredContainer, type DesiredService } from '../model.js';
import { stableHash } from './hash.js';
import { mainContainerName, workerServiceName, type Colour } from './names.js';

/**
 * The node label that names a node's region. Swarm refuses a '/' in a label
 * key used by a placement constraint, so it is dotted, unlike the owner labels.
 */
export const REGION_LABEL = 'rp9.io.region';

export function regionConstraint(region: string): string {
  return `node.labels.${REGION_LABEL}==${region}`;
}

export type ServicePort = DesiredService['ports'][number];

/**
 * The least health-check start period of a service. Unlike one engine, which
 * only marks a container unhealthy, Swarm replaces an unhealthy task: with the
 * container default (60 s, then 6 failures 10 s apart) a main still running
 * its first migrations on a loaded node, or under a small CPU limit, would be
 * killed mid-migration and start over. A probe that succeeds ends the start
 * period at once, so a healthy n8n is not held back by it.
 */
export const SERVICE_MIN_START_PERIOD_SECONDS = 300;

export function serviceHealthcheck(healthcheck: DesiredContainer['healthcheck']): DesiredContainer['healthcheck'] {
  return { ...healthcheck, startPeriodSeconds: Math.max(healthcheck.startPeriodSeconds, SERVICE_MIN_START_PERIOD_SECONDS) };
}

/** With a fixed host port the new task cannot start before the old one stops (start-first waits forever). */
export function updateOrderFor(ports: readonly ServicePort[]): DesiredService['updateOrder'] {
  return ports.length > 0 ? 'stop-first' : 'start-first';
}

export interface TenantServicesInput {
  region: string;
  /** Fixed host-mode ports of main (none unless the caller publishes one). */
  mainPorts?: ServicePort[];
  colour?: Colour;
}

/**
 * `containers` as tenantContainers returns them: main, then workers 1..n.
 * Every worker replica shares worker 1's env (each task has its own network
 * namespace, so the task-broker port needs no offset). No workers: no worker service.
 */
export function tenantServices(containers: readonly DesiredContainer[], input: TenantServicesInput): DesiredService[] {
  const main = containers.find((c) => c.role === 'main');
  if (!main) return [];
  const workers = containers.filter((c) => c.role === 'worker');
  const colour = input.colour ?? 'green';
  const services = [service(main, mainContainerName(main.tenant, colour), main.running ? 1 : 0, input.mainPorts ?? [], input.region)];
  const first = workers[0];
  if (first) services.push(service(first, workerServiceName(first.tenant, colour), first.running ? workers.length : 0, [], input.region));
  return services;
}

function service(container: DesiredContainer, name: string, replicas: number, ports: ServicePort[], region: string): DesiredService {
  const { [LABEL.specHash]: _containerHash, ...labels } = container.labels;
  const constraints = [regionConstraint(region)];
  const updateOrder = updateOrderFor(ports);
  const healthcheck = serviceHealthcheck(container.healthcheck);
  const hash = stableHash({
    command: container.command,
    constraints,
    env: container.env,
    healthcheck,
    image: container.image,
    kind: 'service',
    labels,
    mounts: container.mounts,
    name,
    network: container.network,
    ports,
    role: container.role,
    tenant: container.tenant,
    updateOrder,
  });
  return {
    kind: 'service',
    name,
    tenant: container.tenant,
    role: container.role,
    image: container.image,
    command: container.command,
    env: container.env,
    replicas,
    cpu: container.cpu,
    memoryMb: container.memoryMb,
    // Reservations equal limits: no overcommit, so a region without room says so before anything changes.
    reserve: { cpu: container.cpu, memoryMb: container.memoryMb },
    region,
    constraints,
    mounts: container.mounts,
    healthcheck,
    ...(container.stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds: container.stopTimeoutSeconds } : {}),
    network: container.network,
    ports,
    updateOrder,
    labels: { ...labels, [LABEL.specHash]: hash },
    hash,
  };
}

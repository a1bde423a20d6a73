// Observe edge of the Swarm runtime: rp9's services in one environment, as
// the manager sees them, with how many of their tasks run, and the nodes'
// capacity. One call each for services, tasks and nodes. Never throws: a
// swarm that cannot be read is reported unavailable, with the reason.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type ContainerRole, type ObservedService } from '../model.js';
import { REGION_LABEL } from '../compile/services.js';
import { engineMessage } from '../docker/docker-errors.js';
import type { NodeCapacity } from './capacity.js';
import { FINGERPRINT_LABEL, fingerprintOf, type ServiceSpec } from './service-spec.js';

export interface SwarmObservation {
  available: boolean;
  reason?: string;
  services: ObservedService[];
  nodes: NodeCapacity[];
}

interface ListedService { ID: string; Spec: ServiceSpec }
interface ListedTask { ServiceID: string; NodeID?: string; DesiredState?: string; Status?: { State?: string; Message?: string; Err?: string }; Spec?: { Resources?: { Reservations?: { NanoCPUs?: number; MemoryBytes?: number } } } }
interface ListedNode { ID: string; Spec?: { Availability?: string; Labels?: Record<string, string> }; Status?: { State?: string }; Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } } }

const NS = 1_000_000_000;
const MB = 1024 * 1024;

function isRole(value: string | undefined): value is ContainerRole {
  return value === 'main' || value === 'worker';
}

/** The service's model, counting only tasks on ready nodes as running (a down node's tasks still read `running`). */
export function toObservedService(service: ListedService, tasks: readonly ListedTask[], readyNodes: ReadonlySet<string>): ObservedService | undefined {
  const labels = service.Spec.Labels ?? {};
  const tenant = labels[LABEL.tenant];
  const role = labels[LABEL.role];
  if (!tenant || !isRole(role)) return undefined;
  const spec = service.Spec;
  const limits = spec.TaskTemplate.Resources?.Limits;
  const wanted = tasks.filter((t) => t.ServiceID === service.ID && t.DesiredState === 'running');
  const running = wanted.filter((t) => t.Status?.State === 'running' && t.NodeID !== undefined && readyNodes.has(t.NodeID)).length;
  const waiting = [...new Set(wanted.filter((t) => t.Status?.State !== 'running').map((t) => t.Status?.Err || t.Status?.Message || t.Status?.State || 'unknown'))].sort();
  return {
    kind: 'service',
    id: service.ID,
    name: spec.Name,
    tenant,
    role,
    image: spec.TaskTemplate.ContainerSpec.Image,
    replicas: spec.Mode?.Replicated?.Replicas ?? 0,
    cpu: (limits?.NanoCPUs ?? 0) / NS,
    memoryMb: (limits?.MemoryBytes ?? 0) / MB,
    hash: labels[LABEL.specHash] ?? '',
    drifted: labels[FINGERPRINT_LABEL] !== fingerprintOf(spec),
    running,
    waiting,
    labels: { ...labels },
  };
}

/** Capacity per node: its resources and the reservations of every task that should run on it. */
export function toNodeCapacity(nodes: readonly ListedNode[], tasks: readonly ListedTask[], serviceNames: ReadonlyMap<string, string>): NodeCapacity[] {
  return nodes.map((n) => {
    const state = n.Status?.State ?? 'unknown';
    const availability = n.Spec?.Availability ?? 'active';
    const reserved = tasks
      .filter((t) => t.NodeID === n.ID && t.DesiredState === 'running')
      .map((t) => ({ service: serviceNames.get(t.ServiceID) ?? t.ServiceID, cpu: (t.Spec?.Resources?.Reservations?.NanoCPUs ?? 0) / NS, memoryMb: (t.Spec?.Resources?.Reservations?.MemoryBytes ?? 0) / MB }));
    return {
      hostname: n.Description?.Hostname ?? n.ID,
      region: n.Spec?.Labels?.[REGION_LABEL],
      available: state === 'ready' && availability === 'active',
      state: state === 'ready' ? availability : state,
      cpu: (n.Description?.Resources?.NanoCPUs ?? 0) / NS,
      memoryMb: (n.Description?.Resources?.MemoryBytes ?? 0) / MB,
      reserved,
    };
  }).sort((a, b) => a.hostname.localeCompare(b.hostname));
}

/** rp9's services in `environment` and every node's capacity; never throws. */
export async function observeSwarm(docker: Docker, environment: string): Promise<SwarmObservation> {
  try {
    const [services, tasks, nodes] = await Promise.all([
      docker.listServices({ filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${environment}`] } }) as Promise<unknown> as Promise<ListedService[]>,
      docker.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<unknown> as Promise<ListedTask[]>,
      docker.listNodes() as Promise<unknown> as Promise<ListedNode[]>,
    ]);
    const ready = new Set(nodes.filter((n) => n.Status?.State === 'ready').map((n) => n.ID));
    const observed = services.map((s) => toObservedService(s, tasks, ready)).filter((s): s is ObservedService => s !== undefined).sort((a, b) => a.name.localeCompare(b.name));
    // Reservations of every service count against a node, rp9's or not; only rp9's names are known here.
    const names = new Map(services.map((s) => [s.ID, s.Spec.Name]));
    return { available: true, services: observed, nodes: toNodeCapacity(nodes, tasks, names) };
  } catch (error) {
    return { available: false, reason: `Swarm manager not readable: ${engineMessage(error)}`, services: [], nodes: [] };
  }
}

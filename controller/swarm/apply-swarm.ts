// Apply edge of the Swarm runtime: idempotent primitives on the manager.
// applyService creates or updates a service to the spec rp9 wants (a no-op
// when it already carries it and nobody changed it since), removeService
// removes one. Services without rp9's owner label are never touched.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type DesiredService } from '../model.js';
import { statusOf, toDockerError } from '../docker/docker-errors.js';
import { FINGERPRINT_LABEL, fingerprintOf, serviceSpec, type SecretResolver, type ServiceSpec } from './service-spec.js';
import { SwarmError } from './swarm-errors.js';
import { canonicalJson } from '../compile/hash.js';

interface InspectedService { ID: string; Version: { Index: number }; Spec: ServiceSpec; UpdateStatus?: { State?: string; Message?: string } }

export interface SwarmApplyResult {
  changed: boolean;
  id?: string;
}

async function inspectService(docker: Docker, name: string): Promise<InspectedService | undefined> {
  try {
    return (await docker.getService(name).inspect()) as InspectedService;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw toDockerError(error, `inspect service ${name}`);
  }
}

function assertManaged(name: string, labels: Record<string, string> | undefined): void {
  if (labels?.[LABEL.managedBy] === MANAGED_BY) return;
  throw new SwarmError('swarm.not-managed', 'terminal', `service ${name} exists but is not managed by rp9 (no ${LABEL.managedBy}=${MANAGED_BY} label); refusing to touch it`);
}

/** Creates the attachable overlay network (Traefik joins it) unless it exists. */
export async function ensureOverlayNetwork(docker: Docker, name: string, labels: Record<string, string>): Promise<SwarmApplyResult> {
  const find = async (): Promise<Docker.NetworkInspectInfo | undefined> => (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
  try {
    const existing = await find();
    if (existing) return { changed: false, id: existing.Id };
    const network = await docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, Labels: labels, CheckDuplicate: true });
    return { changed: true, id: network.id };
  } catch (error) {
    throw toDockerError(error, `ensure overlay network ${name}`);
  }
}

/**
 * Makes the service match `s`: created when missing; updated when its spec
 * differs from what rp9 would write or was changed outside rp9 (its
 * fingerprint no longer matches); otherwise left alone.
 */
export async function applyService(docker: Docker, s: DesiredService, secrets: SecretResolver): Promise<SwarmApplyResult> {
  const spec = serviceSpec(s, secrets);
  const existing = await inspectService(docker, s.name);
  if (!existing) {
    try {
      const created = (await docker.createService(spec as never)) as { id?: string; ID?: string };
      return { changed: true, id: created.id ?? created.ID ?? '' };
    } catch (error) {
      throw toDockerError(error, `create service ${s.name}`);
    }
  }
  assertManaged(s.name, existing.Spec.Labels);
  const untouched = existing.Spec.Labels[FINGERPRINT_LABEL] === fingerprintOf(existing.Spec);
  if (untouched && existing.Spec.Labels[FINGERPRINT_LABEL] === spec.Labels[FINGERPRINT_LABEL]) return { changed: false, id: existing.ID };
  try {
    // _query and _body apart, or docker-modem puts the whole spec in the query string too.
    await docker.getService(existing.ID).update({ _query: { version: existing.Version.Index }, _body: spec } as never);
  } catch (error) {
    throw toDockerError(error, `update service ${s.name}`);
  }
  return { changed: true, id: existing.ID };
}

/** Removes the service (its tasks stop; node-local volumes stay). A no-op when it is missing. */
export async function removeService(docker: Docker, name: string): Promise<SwarmApplyResult> {
  const existing = await inspectService(docker, name);
  if (!existing) return { changed: false };
  assertManaged(name, existing.Spec.Labels);
  try {
    await docker.getService(existing.ID).remove();
  } catch (error) {
    if (statusOf(error) !== 404) throw toDockerError(error, `remove service ${name}`);
  }
  return { changed: true, id: existing.ID };
}

interface ListedTask { NodeID?: string; Spec?: Partial<ServiceSpec['TaskTemplate']>; Status?: { State?: string; Message?: string; Err?: string } }

/** What a task runs, as far as an update changes it: image, args, env, resources, constraints. */
function templateKey(template: Partial<ServiceSpec['TaskTemplate']> | undefined): string {
  const c = template?.ContainerSpec;
  return canonicalJson({ args: c?.Args ?? [], constraints: template?.Placement?.Constraints ?? [], env: c?.Env ?? [], image: c?.Image ?? '', resources: template?.Resources ?? {} });
}

export interface ConvergeOptions {
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Waits (bounded) until the service runs exactly its replicas on ready nodes
 * with the current spec and no update is in progress. Throws a transient
 * swarm.not-converged naming the tasks' messages when time runs out.
 */
export async function waitServiceConverged(docker: Docker, name: string, options: ConvergeOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const attempts = Math.max(1, Math.ceil(options.timeoutMs / pollMs));
  let last = 'not inspected';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const service = await inspectService(docker, name);
    if (!service) throw new SwarmError('swarm.not-converged', 'transient', `service ${name} disappeared while waiting for its tasks`);
    const want = service.Spec.Mode?.Replicated?.Replicas ?? 0;
    const [tasks, nodes] = await Promise.all([
      docker.listTasks({ filters: { service: [service.ID], 'desired-state': ['running'] } }) as Promise<unknown> as Promise<ListedTask[]>,
      docker.listNodes() as Promise<unknown> as Promise<{ ID: string; Status?: { State?: string } }[]>,
    ]);
    const ready = new Set(nodes.filter((n) => n.Status?.State === 'ready').map((n) => n.ID));
    // A task of the spec before an update still runs until its successor does (start-first): only current tasks count.
    const current = templateKey(service.Spec.TaskTemplate);
    const running = tasks.filter((t) => t.Status?.State === 'running' && t.NodeID !== undefined && ready.has(t.NodeID) && templateKey(t.Spec) === current).length;
    const updating = service.UpdateStatus?.State === 'updating' || service.UpdateStatus?.State === 'rollback_started';
    // Tasks of a down node still read `running`: only tasks on ready nodes, or on none yet, count.
    const counted = tasks.filter((t) => t.NodeID === undefined || t.NodeID === '' || ready.has(t.NodeID)).length;
    if (running === want && counted === running && !updating) return;
    const messages = [...new Set(tasks.filter((t) => t.Status?.State !== 'running').map((t) => t.Status?.Err || t.Status?.Message || t.Status?.State || ''))].filter(Boolean);
    last = `${running}/${want} tasks running${updating ? ', update in progress' : ''}${messages.length > 0 ? ` (${messages.join('; ')})` : ''}`;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new SwarmError('swarm.not-converged', 'transient', `service ${name}: ${last} after ${options.timeoutMs} ms`);
}

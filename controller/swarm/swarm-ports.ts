// The apply ports of the Swarm runtime: the single-engine ports (databases,
// routes, secrets) with the manager as their engine, plus services and the
// region capacity check that runs before a tenant's first action.
import type Docker from 'dockerode';
import type { ApplyPorts } from '../apply/apply-plan.js';
import { createApplyPorts, type ApplyEdges } from '../runtime/apply-ports.js';
import { LABEL, MANAGED_BY, type SecretRef, type TenantPlan } from '../model.js';
import { applyService, ensureOverlayNetwork, removeService, waitServiceConverged } from './apply-swarm.js';
import { regionCapacity, type TaskDemand } from './capacity.js';
import { observeSwarm } from './observe-swarm.js';
import { SwarmError } from './swarm-errors.js';

export interface SwarmApplyEdges extends ApplyEdges {
  /** The manager's engine. */
  docker: Docker;
  /** How long a service may take to run its tasks after a change. */
  convergeTimeoutMs: number;
}

/** The capacity check of one tenant's plan: the services it creates or updates must fit in their region. Throws swarm.no-capacity-in-region. */
export async function checkTenantCapacity(docker: Docker, environment: string, tenantPlan: TenantPlan): Promise<void> {
  const services = tenantPlan.actions.flatMap((a) => (a.kind === 'service' && (a.op === 'create' || a.op === 'update') && a.desired?.kind === 'service' ? [a.desired] : []));
  if (services.length === 0) return;
  const observed = await observeSwarm(docker, environment);
  if (!observed.available) throw new SwarmError('swarm.unavailable', 'transient', observed.reason ?? 'Swarm manager not readable');
  const byRegion = new Map<string, TaskDemand[]>();
  for (const s of services) {
    const list = byRegion.get(s.region) ?? [];
    for (let i = 0; i < s.replicas; i++) list.push({ service: s.name, cpu: s.reserve.cpu, memoryMb: s.reserve.memoryMb });
    byRegion.set(s.region, list);
  }
  const replacing = new Set(services.map((s) => s.name));
  for (const [region, demand] of byRegion) {
    const verdict = regionCapacity(observed.nodes, region, demand, replacing);
    if (!verdict.ok) throw new SwarmError('swarm.no-capacity-in-region', 'terminal', `tenant ${tenantPlan.tenant}: ${verdict.message}; nothing was changed`);
  }
}

export function createSwarmApplyPorts(edges: SwarmApplyEdges): ApplyPorts {
  const base = createApplyPorts(edges);
  const { docker } = edges;
  let networkReady: Promise<void> | undefined;

  function network(): Promise<void> {
    networkReady ??= ensureOverlayNetwork(docker, edges.network, { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: edges.environment }).then(
      () => undefined,
      (error: unknown) => {
        networkReady = undefined;
        throw error;
      },
    );
    return networkReady;
  }

  async function secretsFor(tenant: string): Promise<(ref: SecretRef) => string> {
    const [password, key] = await Promise.all([edges.secrets.ensure(tenant, 'db-password'), edges.secrets.ensure(tenant, 'encryption-key')]);
    return (ref) => (ref.secret === 'db-password' ? password.reveal() : key.reveal());
  }

  return {
    ...base,
    async applyService(service) {
      await network();
      await applyService(docker, service, await secretsFor(service.tenant));
      await waitServiceConverged(docker, service.name, { timeoutMs: edges.convergeTimeoutMs });
    },
    async removeService(name) {
      await removeService(docker, name);
    },
    async preflight(tenantPlan) {
      await checkTenantCapacity(docker, edges.environment, tenantPlan);
    },
    classify(error) {
      if (error instanceof SwarmError) return error.retry;
      return base.classify(error);
    },
  };
}

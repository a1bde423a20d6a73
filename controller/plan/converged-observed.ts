// The observed state of a platform assumed converged to a desired state.
// check-pr plans a PR against its base this way ("the base is what runs"),
// and `rp9 plan --base` uses it too; tests and benches reuse it.
import type { Availability, DesiredResource, DesiredState, ObservedResource, ObservedState } from '../model.js';

export const ALL_AVAILABLE: Availability = {
  docker: { available: true },
  database: { available: true },
  routes: { available: true },
};

/** What observe would report for a resource after apply created it as desired. */
export function observedFrom(resource: DesiredResource): ObservedResource {
  switch (resource.kind) {
    case 'database':
    case 'volume':
      return { kind: resource.kind, name: resource.name, tenant: resource.tenant };
    case 'route':
      return { kind: 'route', name: resource.name, tenant: resource.tenant, hash: resource.hash, hosts: [...resource.hosts] };
    case 'service':
      return {
        kind: 'service',
        id: `id-${resource.name}`,
        name: resource.name,
        tenant: resource.tenant,
        role: resource.role,
        image: resource.image,
        replicas: resource.replicas,
        cpu: resource.cpu,
        memoryMb: resource.memoryMb,
        hash: resource.hash,
        drifted: false,
        running: resource.replicas,
        waiting: [],
        labels: { ...resource.labels },
      };
    case 'container':
      return {
        kind: 'container',
        id: `id-${resource.name}`,
        name: resource.name,
        tenant: resource.tenant,
        role: resource.role,
        image: resource.image,
        state: resource.running ? 'running' : 'exited',
        health: resource.running ? 'healthy' : undefined,
        cpu: resource.cpu,
        memoryMb: resource.memoryMb,
        hash: resource.hash,
        labels: { ...resource.labels },
      };
  }
}

/** The observed state of a platform that already matches `desired`. */
export function convergedObserved(desired: DesiredState, availability: Availability = ALL_AVAILABLE): ObservedState {
  const resources: ObservedResource[] = [];
  for (const tenant of desired.tenants) for (const resource of tenant.resources) resources.push(observedFrom(resource));
  return { availability, resources };
}

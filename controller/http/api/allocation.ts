// What a tenant holds on the Docker host: a dedicated tenant that is not
// suspended runs a main and its workers, each with the tenant's cpu and
// memoryMb (its spec.resources, else its plan's), as compile gives them; a
// shared or suspended tenant holds nothing of its own (the shared n8n's
// containers are the platform's). Pure; costs, growth and recommendations use it.
import type { Platform, Tenant } from '../../../config/types.js';

export interface Allocation {
  cores: number;
  memoryMb: number;
}

/** cpu and memoryMb of one container of the tenant, and how many containers a dedicated one runs (main + workers). */
export function perContainer(tenant: Tenant, platform: Platform): { cpu: number; memoryMb: number; containers: number } {
  const spec = tenant.spec;
  const plan = platform.spec.plans[spec.plan];
  return {
    cpu: spec.resources?.cpu ?? plan?.cpu ?? 0,
    memoryMb: spec.resources?.memoryMb ?? plan?.memoryMb ?? 0,
    containers: 1 + (spec.resources?.workers ?? plan?.workers ?? 0),
  };
}

export function allocationOf(tenant: Tenant, platform: Platform): Allocation {
  if (tenant.spec.mode !== 'dedicated' || tenant.spec.suspended) return { cores: 0, memoryMb: 0 };
  const one = perContainer(tenant, platform);
  return { cores: one.cpu * one.containers, memoryMb: one.memoryMb * one.containers };
}

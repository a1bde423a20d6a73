// The tenant files in the simulated config repo: the Tenant a trace's tenant
// starts as, and a merged pull request's edits applied to it. Pure.
import type { Platform } from '../config/types.js';
import type { Tenant } from '../types/tenant.js';
import type { FieldEdit } from '../bots/core/types.js';
import type { ResourceChangeRecord } from './flaps.js';
import type { TenantMeta } from './trace.js';

const RESOURCE_FIELDS = new Set(['cpu', 'memoryMb', 'workers']);

export function tenantOf(meta: TenantMeta, platform: Platform): Tenant {
  const plan = platform.spec.plans[meta.plan]!;
  const region = Object.keys(platform.spec.regions ?? {})[0] ?? 'us-east';
  const resources: Record<string, number> = {};
  if (meta.recorded.cpu !== plan.cpu) resources.cpu = meta.recorded.cpu;
  if (meta.recorded.memoryMb !== plan.memoryMb) resources.memoryMb = meta.recorded.memoryMb;
  if (meta.recorded.workers !== plan.workers) resources.workers = meta.recorded.workers;
  return {
    apiVersion: 'rp9.io/v1',
    kind: 'Tenant',
    metadata: { name: meta.name, email: `ops@${meta.name}.example` },
    spec: {
      plan: meta.plan,
      mode: meta.mode,
      region,
      subdomain: meta.name,
      customDomains: [],
      suspended: false,
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
    },
  } as unknown as Tenant;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

export interface Merged {
  tenant: Tenant;
  /** The changes of spec.resources cpu, memoryMb and workers (from the effective value, the plan's when unset). */
  resourceChanges: Omit<ResourceChangeRecord, 'at'>[];
  /** Edits that set spec.mode to dedicated (a promotion PR has one). */
  promotions: number;
}

/** `tenant` with `edits` (paths from the document root, `spec` first) applied; the input is not changed. */
export function mergeEdits(tenant: Tenant, edits: readonly FieldEdit[], platform: Platform): Merged {
  const spec = structuredClone(tenant.spec) as unknown as Record<string, unknown>;
  const planDef = platform.spec.plans[tenant.spec.plan]!;
  const res = (tenant.spec.resources ?? {}) as Record<string, number | undefined>;
  const resourceChanges: Merged['resourceChanges'] = [];
  let promotions = 0;
  for (const edit of edits) {
    const field = edit.path[2];
    if (edit.path[1] === 'resources' && field && RESOURCE_FIELDS.has(field)) {
      const from = res[field] ?? (planDef as unknown as Record<string, number>)[field]!;
      resourceChanges.push({ resource: field as ResourceChangeRecord['resource'], from, to: edit.value as number });
    }
    if (edit.path[1] === 'mode' && edit.value === 'dedicated') promotions += 1;
    setPath(spec, edit.path.slice(1), edit.value);
  }
  return { tenant: { ...tenant, spec: spec as unknown as Tenant['spec'] }, resourceChanges, promotions };
}

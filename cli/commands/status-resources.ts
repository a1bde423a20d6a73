// CPU and memory against the allocation, for `rp9 status <tenant>`: the
// collector's latest rp9_tenant_cpu_percent, rp9_tenant_mem_bytes and
// rp9_tenant_mem_percent (dedicated tenants only: a shared tenant has no
// containers of its own), set against what the config allocates (cpu and
// memoryMb for main and each worker). The queries, the allocation and the
// rows are pure; the read is the edge.
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../../bots/core/format.js';
import type { PrometheusClient } from '../../bots/metrics/prometheus-client.js';

export interface ResourceFigures {
  /** Cores used ÷ cores allocated × 100, summed over main and workers. */
  cpuPercent?: number;
  memBytes?: number;
  /** Memory held ÷ memory limits × 100. */
  memPercent?: number;
}

/** What the config allocates a dedicated tenant, over main and its workers. */
export interface Allocation {
  cores: number;
  memoryMb: number;
  containers: number;
}

const GAUGE: Record<keyof ResourceFigures, string> = {
  cpuPercent: 'rp9_tenant_cpu_percent',
  memBytes: 'rp9_tenant_mem_bytes',
  memPercent: 'rp9_tenant_mem_percent',
};

/** The latest value of each gauge in the last 5 minutes (about five collector passes), one series per tenant. */
export function resourceQueries(): Record<keyof ResourceFigures, string> {
  const out = {} as Record<keyof ResourceFigures, string>;
  for (const field of Object.keys(GAUGE) as (keyof ResourceFigures)[]) out[field] = `max by (tenant) (last_over_time(${GAUGE[field]}[5m]))`;
  return out;
}

export async function readResourceFigures(client: PrometheusClient, now: Date): Promise<Map<string, ResourceFigures>> {
  const queries = resourceQueries();
  const fields = Object.keys(queries) as (keyof ResourceFigures)[];
  const answers = await Promise.all(fields.map((field) => client.instantVector(queries[field], now)));
  const byTenant = new Map<string, ResourceFigures>();
  fields.forEach((field, i) => {
    for (const sample of answers[i] ?? []) {
      const tenant = sample.labels.tenant;
      if (!tenant || !Number.isFinite(sample.value)) continue;
      byTenant.set(tenant, { ...byTenant.get(tenant), [field]: sample.value });
    }
  });
  return byTenant;
}

/** A dedicated tenant's allocation (its resources, else its plan's; each container gets cpu and memoryMb); undefined for a shared tenant. */
export function allocationOf(tenant: Tenant, platform: Platform): Allocation | undefined {
  if (tenant.spec.mode !== 'dedicated') return undefined;
  const plan = platform.spec.plans[tenant.spec.plan];
  if (!plan) return undefined;
  const resources = tenant.spec.resources;
  const containers = 1 + (resources?.workers ?? plan.workers);
  return { cores: (resources?.cpu ?? plan.cpu) * containers, memoryMb: (resources?.memoryMb ?? plan.memoryMb) * containers, containers };
}

function percentText(percent: number | undefined): string {
  return percent === undefined ? '-' : `${Math.round(percent)} %`;
}

/**
 * Rows RESOURCE, USED, ALLOCATED, PERCENT. The percent is the collector's
 * (against the limits the running containers have); cores used are that
 * percent of the allocation. Without the config the allocation is `-`.
 */
export function resourceRows(figures: ResourceFigures, allocation: Allocation | undefined): string[][] {
  const rows: string[][] = [];
  if (figures.cpuPercent !== undefined) {
    const used = allocation ? `${formatNumber((figures.cpuPercent / 100) * allocation.cores)} cores` : '-';
    rows.push(['cpu', used, allocation ? `${formatNumber(allocation.cores)} cores` : '-', percentText(figures.cpuPercent)]);
  }
  if (figures.memBytes !== undefined || figures.memPercent !== undefined) {
    const used = figures.memBytes === undefined ? '-' : `${formatNumber(Math.round(figures.memBytes / 1024 ** 2))} MiB`;
    rows.push(['memory', used, allocation ? `${formatNumber(allocation.memoryMb)} MiB` : '-', percentText(figures.memPercent)]);
  }
  return rows;
}

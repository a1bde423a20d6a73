// GET /analytics/utilization: CPU and memory against allocation, by plan.
// The gauges rp9_tenant_cpu_percent and rp9_tenant_mem_percent are already a
// percentage of each tenant's allocation; per tenant over the period we read
// the mean and the p95 over time, then per plan the mean of the tenants'
// means and the p95 (nearest rank) of the tenants' p95s. Pure aggregation,
// one Prometheus read.
import type { PrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import { promDuration, selector, TENANT_METRIC } from '../../../bots/metrics/tenant-queries.js';

export interface TenantUsage {
  cpuAvg?: number;
  cpuP95?: number;
  memAvg?: number;
  memP95?: number;
}

export interface PlanTenant {
  name: string;
  plan: string;
  /** Allocated cores and MiB (the tenant's resources, else its plan's). */
  cpu: number;
  memoryMb: number;
}

export interface PlanUtilization {
  plan: string;
  tenants: number;
  /** Tenants with samples in the period. */
  measured: number;
  allocated: { cpu: number; memoryMb: number };
  cpu_percent: { avg: number | null; p95: number | null };
  memory_percent: { avg: number | null; p95: number | null };
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100); null when empty. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function defined(values: (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export function utilizationByPlan(tenants: readonly PlanTenant[], usage: ReadonlyMap<string, TenantUsage>): PlanUtilization[] {
  const plans = [...new Set(tenants.map((t) => t.plan))].sort();
  return plans.map((plan) => {
    const mine = tenants.filter((t) => t.plan === plan);
    const used = mine.map((t) => usage.get(t.name) ?? {});
    return {
      plan,
      tenants: mine.length,
      measured: used.filter((u) => u.cpuAvg !== undefined || u.memAvg !== undefined).length,
      allocated: { cpu: mine.reduce((a, t) => a + t.cpu, 0), memoryMb: mine.reduce((a, t) => a + t.memoryMb, 0) },
      cpu_percent: { avg: mean(defined(used.map((u) => u.cpuAvg))), p95: nearestRank(defined(used.map((u) => u.cpuP95)), 95) },
      memory_percent: { avg: mean(defined(used.map((u) => u.memAvg))), p95: nearestRank(defined(used.map((u) => u.memP95)), 95) },
    };
  });
}

/** The four PromQL reads, one series per tenant each. */
export function utilizationQueries(period: string): Record<keyof TenantUsage, string> {
  const p = promDuration(period);
  const avg = (metric: string) => `avg by (tenant) (avg_over_time(${selector(metric)}[${p}]))`;
  const p95 = (metric: string) => `max by (tenant) (quantile_over_time(0.95, ${selector(metric)}[${p}]))`;
  return { cpuAvg: avg(TENANT_METRIC.cpuPercent), cpuP95: p95(TENANT_METRIC.cpuPercent), memAvg: avg(TENANT_METRIC.memoryPercent), memP95: p95(TENANT_METRIC.memoryPercent) };
}

export async function readUtilization(client: PrometheusClient, period: string, now: Date): Promise<Map<string, TenantUsage>> {
  const queries = utilizationQueries(period);
  const fields = Object.keys(queries) as (keyof TenantUsage)[];
  const answers = await Promise.all(fields.map((f) => client.instantVector(queries[f], now)));
  const usage = new Map<string, TenantUsage>();
  fields.forEach((field, i) => {
    for (const sample of answers[i] ?? []) {
      const tenant = sample.labels.tenant;
      if (!tenant || Number.isNaN(sample.value)) continue;
      usage.set(tenant, { ...usage.get(tenant), [field]: sample.value });
    }
  });
  return usage;
}

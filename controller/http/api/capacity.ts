// GET /analytics/recommendations: host capacity and over-allocated tenants.
// Capacity is what the Docker engine reports (`docker info`: NCPU, MemTotal)
// for each host the controller runs tenants on. The allocated cores and
// memory are the dedicated tenants' (allocation.ts) in the config in force;
// the growth rate is the least-squares slope of that allocation over the
// config's git history (growth.ts). Days to full = headroom ÷ daily growth.
// A dedicated tenant is over-allocated in a resource when its p95 over the
// period (percent of its allocation) stays below the autoscale bot's
// scale-down threshold; the suggestion sizes it so that p95 would sit midway
// between the scale-down and scale-up thresholds. Pure.
import type { Platform } from '../../../config/types.js';

export interface HostCapacity {
  name: string;
  cpus: number;
  memoryMb: number;
  /** Where the figures come from. */
  source: 'docker-info';
}

export interface DedicatedTenant {
  name: string;
  plan: string;
  /** Per container (main and each worker). */
  cpu: number;
  memoryMb: number;
  containers: number;
}

export interface TenantP95 {
  cpuP95?: number;
  memP95?: number;
}

export interface Fill {
  /** Days until the allocation reaches capacity at the current rate; 0 already there; null when not growing. */
  days: number | null;
  date: string | null;
}

export interface OverAllocated {
  tenant: string;
  plan: string;
  containers: number;
  allocated: { cpu: number; memory_mb: number };
  p95: { cpu_percent: number | null; memory_percent: number | null };
  suggested: { cpu: number; memory_mb: number };
  reclaimable: { cores: number; memory_mb: number };
}

export interface CapacityReport {
  hosts: { name: string; cpus: number; memory_mb: number; source: string }[];
  capacity: { cores: number; memory_mb: number };
  allocated: { cores: number; memory_mb: number };
  headroom: { cores: number; memory_mb: number };
  growth: { cores_per_30d: number | null; memory_mb_per_30d: number | null };
  fills: { cores: Fill; memory: Fill };
  thresholds: { over_allocated_below: { cpu_percent: number; memory_percent: number }; target: { cpu_percent: number; memory_percent: number } };
  over_allocated: OverAllocated[];
  recommendations: string[];
}

const DAY_MS = 86_400_000;
const CPU_STEP = 0.5;
const MEMORY_STEP_MB = 256;

/** Days until `headroom` is used at `per30Days`; 0 when none is left, null when not growing. */
export function daysToFull(headroom: number, per30Days: number | null, now: Date): Fill {
  if (headroom <= 0) return { days: 0, date: now.toISOString() };
  if (per30Days === null || !(per30Days > 0)) return { days: null, date: null };
  const days = headroom / (per30Days / 30);
  return { days, date: new Date(now.getTime() + days * DAY_MS).toISOString() };
}

/** The allocation at which `p95` percent of `allocated` would be `target` percent, rounded up to `step` (at least one step). */
export function rightSize(allocated: number, p95: number, target: number, step: number): number {
  return Math.max(step, Math.ceil((allocated * p95) / target / step) * step);
}

export function overAllocated(tenant: DedicatedTenant, usage: TenantP95 | undefined, below: { cpu: number; memory: number }, target: { cpu: number; memory: number }): OverAllocated | undefined {
  const cpuP95 = usage?.cpuP95;
  const memP95 = usage?.memP95;
  const cpuOver = cpuP95 !== undefined && cpuP95 < below.cpu;
  const memOver = memP95 !== undefined && memP95 < below.memory;
  if (!cpuOver && !memOver) return undefined;
  const cpu = cpuOver ? Math.min(tenant.cpu, rightSize(tenant.cpu, cpuP95, target.cpu, CPU_STEP)) : tenant.cpu;
  const memoryMb = memOver ? Math.min(tenant.memoryMb, rightSize(tenant.memoryMb, memP95, target.memory, MEMORY_STEP_MB)) : tenant.memoryMb;
  if (cpu === tenant.cpu && memoryMb === tenant.memoryMb) return undefined;
  return {
    tenant: tenant.name,
    plan: tenant.plan,
    containers: tenant.containers,
    allocated: { cpu: tenant.cpu, memory_mb: tenant.memoryMb },
    p95: { cpu_percent: cpuP95 ?? null, memory_percent: memP95 ?? null },
    suggested: { cpu, memory_mb: memoryMb },
    reclaimable: { cores: (tenant.cpu - cpu) * tenant.containers, memory_mb: (tenant.memoryMb - memoryMb) * tenant.containers },
  };
}

function fillText(what: string, fill: Fill, per30Days: number | null, unit: string): string {
  if (fill.days === 0) return `${what}: the dedicated tenants already allocate all of the hosts' ${unit}`;
  if (fill.days === null) return `${what}: the allocation is not growing over the period; no fill date`;
  return `${what}: full in ${Math.floor(fill.days)} days (${fill.date?.slice(0, 10)}) at +${Number(per30Days?.toFixed(2))} ${unit} per 30 days`;
}

export interface CapacityInputs {
  hosts: readonly HostCapacity[];
  tenants: readonly DedicatedTenant[];
  usage: ReadonlyMap<string, TenantP95>;
  growth: { cores_per_30d: number | null; memory_mb_per_30d: number | null };
  platform: Platform;
  now: Date;
}

export function capacityReport(inputs: CapacityInputs): CapacityReport {
  const autoscale = inputs.platform.spec.policies.autoscale;
  const below = { cpu: autoscale.scaleDown.cpuPercent, memory: autoscale.scaleDown.memoryPercent };
  const target = { cpu: (autoscale.scaleDown.cpuPercent + autoscale.scaleUp.cpuPercent) / 2, memory: (autoscale.scaleDown.memoryPercent + autoscale.scaleUp.memoryPercent) / 2 };
  const capacity = { cores: inputs.hosts.reduce((a, h) => a + h.cpus, 0), memory_mb: inputs.hosts.reduce((a, h) => a + h.memoryMb, 0) };
  const allocated = {
    cores: inputs.tenants.reduce((a, t) => a + t.cpu * t.containers, 0),
    memory_mb: inputs.tenants.reduce((a, t) => a + t.memoryMb * t.containers, 0),
  };
  const headroom = { cores: capacity.cores - allocated.cores, memory_mb: capacity.memory_mb - allocated.memory_mb };
  const fills = { cores: daysToFull(headroom.cores, inputs.growth.cores_per_30d, inputs.now), memory: daysToFull(headroom.memory_mb, inputs.growth.memory_mb_per_30d, inputs.now) };
  const over = inputs.tenants
    .flatMap((t) => overAllocated(t, inputs.usage.get(t.name), below, target) ?? [])
    .sort((a, b) => b.reclaimable.cores - a.reclaimable.cores || b.reclaimable.memory_mb - a.reclaimable.memory_mb || a.tenant.localeCompare(b.tenant));
  const recommendations = [
    fillText('CPU', fills.cores, inputs.growth.cores_per_30d, 'cores'),
    fillText('Memory', fills.memory, inputs.growth.memory_mb_per_30d, 'MB'),
    ...over.map((o) => `${o.tenant}: over-allocated (p95 CPU ${o.p95.cpu_percent ?? '-'} %, memory ${o.p95.memory_percent ?? '-'} % of its allocation); cpu ${o.allocated.cpu} → ${o.suggested.cpu}, memoryMb ${o.allocated.memory_mb} → ${o.suggested.memory_mb} frees ${o.reclaimable.cores} cores and ${o.reclaimable.memory_mb} MB`),
  ];
  return {
    hosts: inputs.hosts.map((h) => ({ name: h.name, cpus: h.cpus, memory_mb: h.memoryMb, source: h.source })),
    capacity,
    allocated,
    headroom,
    growth: inputs.growth,
    fills,
    thresholds: { over_allocated_below: { cpu_percent: below.cpu, memory_percent: below.memory }, target: { cpu_percent: target.cpu, memory_percent: target.memory } },
    over_allocated: over,
    recommendations,
  };
}

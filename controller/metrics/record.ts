// Pure summaries and the setters that write them into the metrics. Gauges that
// describe "the current set" are reset before being set, so label sets that
// vanished (a deleted tenant, a changed phase, an old commit) disappear too.
import type { Counter } from 'prom-client';
import type { ObservedContainer } from '../model.js';
import type { ContainerStatType, Metrics, ReconcileResult } from '../../kernel/metrics/registry.js';

/** What rp9_tenants_total and rp9_tenant_ready need of a tenant; the status page's TenantRow fits. */
export interface TenantStatusInput {
  name: string;
  mode: string;
  plan: string;
  phase: string;
  ready: boolean;
}

export interface TenantCount {
  mode: string;
  status: string;
  plan: string;
  count: number;
}

/** Counts tenants by (mode, status = phase, plan), sorted by those labels. */
export function summarizeTenants(rows: readonly Pick<TenantStatusInput, 'mode' | 'plan' | 'phase'>[]): TenantCount[] {
  const counts = new Map<string, TenantCount>();
  for (const row of rows) {
    const key = JSON.stringify([row.mode, row.phase, row.plan]);
    const entry = counts.get(key) ?? { mode: row.mode, status: row.phase, plan: row.plan, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => a.mode.localeCompare(b.mode) || a.status.localeCompare(b.status) || a.plan.localeCompare(b.plan));
}

/**
 * Containers by state. running: state running (unhealthy ones included);
 * unhealthy: running with a failing healthcheck; failed: dead or restarting
 * (crash loop); stopped: created, paused, exited or being removed.
 */
export function summarizeContainers(containers: readonly Pick<ObservedContainer, 'state' | 'health'>[]): Record<ContainerStatType, number> {
  const stats: Record<ContainerStatType, number> = { running: 0, stopped: 0, failed: 0, unhealthy: 0 };
  for (const container of containers) {
    if (container.state === 'running') {
      stats.running += 1;
      if (container.health === 'unhealthy') stats.unhealthy += 1;
    } else if (container.state === 'dead' || container.state === 'restarting') {
      stats.failed += 1;
    } else {
      stats.stopped += 1;
    }
  }
  return stats;
}

export function recordTenants(metrics: Pick<Metrics, 'tenantsTotal' | 'tenantReady'>, rows: readonly TenantStatusInput[]): void {
  metrics.tenantsTotal.reset();
  for (const { mode, status, plan, count } of summarizeTenants(rows)) metrics.tenantsTotal.set({ mode, status, plan }, count);
  metrics.tenantReady.reset();
  for (const row of rows) metrics.tenantReady.set({ tenant: row.name, mode: row.mode, plan: row.plan, phase: row.phase }, row.ready ? 1 : 0);
}

export function recordContainers(metrics: Pick<Metrics, 'containerStats'>, containers: readonly Pick<ObservedContainer, 'state' | 'health'>[]): void {
  const stats = summarizeContainers(containers);
  for (const type of Object.keys(stats) as ContainerStatType[]) metrics.containerStats.set({ stat_type: type }, stats[type]);
}

export interface ReconcileOutcome {
  result: ReconcileResult;
  durationSeconds: number;
  /** Stable error codes (e.g. `docker.unreachable`) of the failures in this pass. */
  errorCodes?: readonly string[];
}

export function recordReconcile(metrics: Pick<Metrics, 'reconcileTotal' | 'reconcileErrors' | 'reconcileDuration'>, outcome: ReconcileOutcome): void {
  metrics.reconcileTotal.inc({ result: outcome.result });
  metrics.reconcileDuration.observe(Math.max(0, outcome.durationSeconds));
  for (const reason of outcome.errorCodes ?? []) metrics.reconcileErrors.inc({ reason });
}

export function recordAppliedCommit(metrics: Pick<Metrics, 'lastAppliedCommitInfo' | 'lastAppliedTimestamp'>, commit: string, at: Date): void {
  metrics.lastAppliedCommitInfo.reset();
  metrics.lastAppliedCommitInfo.set({ commit }, 1);
  metrics.lastAppliedTimestamp.set(at.getTime() / 1000);
}

/** One tenant's usage as the bots' collectors read it; absent fields are not exported. */
export interface TenantUsageSample {
  tenant: string;
  mode: string;
  plan: string;
  queueWaitP95Seconds?: number;
  cpuPercent?: number;
  memBytes?: number;
  memPercent?: number;
  executionsPerMinute?: number;
  executionsMonth?: number;
  concurrentExecutions?: number;
  executionSuccessRatio?: number;
  /** Bytes of the tenant's data: database + volumes (dedicated), its project's rows in the shared database (shared). */
  storageBytes?: number;
  /** The period executionsMonth counts over: its start, and whether it is the Stripe subscription's or the calendar month. */
  billingPeriod?: { start: Date; source: 'stripe' | 'calendar' };
}

type UsageGauge = 'tenantQueueWaitP95' | 'tenantCpuPercent' | 'tenantMemBytes' | 'tenantMemPercent' | 'tenantExecutionsMin' | 'tenantExecutionsMonth' | 'tenantConcurrentExecutions' | 'tenantExecutionSuccessRatio' | 'tenantStorageBytes';
const USAGE_FIELDS: [keyof TenantUsageSample, UsageGauge][] = [
  ['queueWaitP95Seconds', 'tenantQueueWaitP95'],
  ['cpuPercent', 'tenantCpuPercent'],
  ['memBytes', 'tenantMemBytes'],
  ['memPercent', 'tenantMemPercent'],
  ['executionsPerMinute', 'tenantExecutionsMin'],
  ['executionsMonth', 'tenantExecutionsMonth'],
  ['concurrentExecutions', 'tenantConcurrentExecutions'],
  ['executionSuccessRatio', 'tenantExecutionSuccessRatio'],
  ['storageBytes', 'tenantStorageBytes'],
];

/** Replaces every per-tenant usage gauge with `samples` (tenants missing from it disappear). */
export function recordTenantUsage(metrics: Pick<Metrics, UsageGauge | 'tenantBillingPeriodStart'>, samples: readonly TenantUsageSample[]): void {
  for (const [, gauge] of USAGE_FIELDS) metrics[gauge].reset();
  metrics.tenantBillingPeriodStart.reset();
  for (const sample of samples) {
    const labels = { tenant: sample.tenant, mode: sample.mode, plan: sample.plan };
    for (const [field, gauge] of USAGE_FIELDS) {
      const value = sample[field];
      if (typeof value === 'number' && Number.isFinite(value)) metrics[gauge].set(labels, value);
    }
    if (sample.billingPeriod && sample.executionsMonth !== undefined) metrics.tenantBillingPeriodStart.set({ ...labels, source: sample.billingPeriod.source }, sample.billingPeriod.start.getTime() / 1000);
  }
}

/** One autoscale event as apply reports it (controller/apply/autoscale-events.ts). */
export interface AutoscaleEventInput {
  tenant: string;
  action: 'scale_up' | 'scale_down';
  success: boolean;
}

/** Counts each event once on rp9_autoscale_events_total{tenant, action, success}. */
export function recordAutoscaleEvents(metrics: Pick<Metrics, 'autoscaleEvents'>, events: readonly AutoscaleEventInput[]): void {
  for (const event of events) metrics.autoscaleEvents.inc({ tenant: event.tenant, action: event.action, success: event.success ? 'true' : 'false' });
}

/** Counts each enforcement action the controller applied on rp9_enforcement_events_total{tenant, action, limit_type}. */
export function recordEnforcementEvents(metrics: Pick<Metrics, 'enforcementEvents'>, tenant: string, events: readonly { action: string; limitType: string }[]): void {
  for (const event of events) metrics.enforcementEvents.inc({ tenant, action: event.action, limit_type: event.limitType });
}

/** Drops a deleted tenant's series from the per-tenant counters. */
export async function forgetTenant(metrics: Pick<Metrics, 'autoscaleEvents' | 'backups' | 'enforcementEvents'>, tenant: string): Promise<void> {
  const counters: Counter<string>[] = [metrics.autoscaleEvents, metrics.backups, metrics.enforcementEvents];
  for (const counter of counters) {
    const { values } = await counter.get();
    for (const { labels } of values) {
      if (labels.tenant === tenant) counter.remove(labels);
    }
  }
}

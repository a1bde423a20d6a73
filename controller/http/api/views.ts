// What the API shows of the controller's records: plain JSON views of
// tenants, operations, events and backups (no operation state: it may hold
// wrapped keys and internal names).
import type { LoadedTenant, Platform } from '../../../config/types.js';
import type { BackupRecord } from '../../store/backups-repo.js';
import type { Operation, StoreEvent, TenantStatus } from '../../store/types.js';

export function operationView(op: Operation): Record<string, unknown> {
  const done = op.steps.filter((s) => s.status === 'done').length;
  return {
    id: op.id,
    tenant: op.tenant,
    kind: op.kind,
    status: op.status,
    step: op.steps[op.currentStep]?.name ?? null,
    progress: { done, total: op.steps.length },
    steps: op.steps,
    error: op.error,
    startedAt: op.startedAt,
    updatedAt: op.updatedAt,
    finishedAt: op.finishedAt,
  };
}

export function tenantSummary(entry: LoadedTenant, status: TenantStatus | undefined): Record<string, unknown> {
  const ready = status?.conditions.find((c) => c.type === 'Ready');
  return {
    name: entry.name,
    mode: entry.tenant.spec.mode,
    plan: entry.tenant.spec.plan,
    phase: status?.phase ?? 'provisioning',
    ready: ready?.status === 'True',
    reason: ready ? `${ready.reason}: ${ready.message}` : null,
    appliedCommit: status?.appliedCommit ?? null,
    updatedAt: status?.updatedAt ?? null,
  };
}

export function tenantDetail(platform: Platform, commit: string, entry: LoadedTenant, status: TenantStatus | undefined, current: Operation | undefined): Record<string, unknown> {
  const spec = entry.tenant.spec;
  const plan = platform.spec.plans[spec.plan];
  const host = `${spec.subdomain}.${platform.spec.domain}`;
  const hosts = spec.mode === 'dedicated' ? [host, ...(spec.customDomains ?? [])] : [host];
  return {
    ...tenantSummary(entry, status),
    displayName: entry.tenant.metadata.displayName ?? null,
    region: spec.region,
    suspended: spec.suspended === true,
    urls: hosts.map((h) => `https://${h}/`),
    resources: {
      cpu: spec.resources?.cpu ?? plan?.cpu,
      memoryMb: spec.resources?.memoryMb ?? plan?.memoryMb,
      workers: spec.resources?.workers ?? plan?.workers,
      storageGb: spec.resources?.storageGb ?? plan?.storageGb,
    },
    n8nVersion: spec.mode === 'dedicated' ? (spec.n8n?.version ?? platform.spec.dedicated.n8nVersion) : platform.spec.sharedN8n.version,
    conditions: status?.conditions ?? [],
    observedCommit: status?.observedCommit ?? null,
    configCommit: commit,
    currentOperation: current ? operationView(current) : null,
  };
}

export function eventView(event: StoreEvent): Record<string, unknown> {
  return { time: event.time, type: event.type, reason: event.reason, message: event.message, actor: event.actor, commit: event.commit };
}

export function backupView(record: BackupRecord): Record<string, unknown> {
  return {
    id: record.id,
    kind: record.kind,
    status: record.status,
    location: record.location,
    createdAt: record.createdAt,
    completedAt: record.completedAt,
    verifiedAt: record.verifiedAt,
    keepUntil: record.keepUntil,
    storedBytes: record.storedBytes,
    operationId: record.operationId,
  };
}

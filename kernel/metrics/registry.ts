// The controller's Prometheus metrics: one registry, typed handles, fixed names.
// Names and labels follow the spec's Observabilidad section; deploy/prometheus
// alert rules and dashboards depend on them, so renaming one is a breaking change.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type TenantLabel = 'tenant' | 'mode' | 'plan';
export type ContainerStatType = 'running' | 'stopped' | 'failed' | 'unhealthy';
/** success: applied changes; noop: nothing to do; refused: a safety rail stopped the plan; error: it failed. */
export type ReconcileResult = 'success' | 'noop' | 'refused' | 'error';

export interface Metrics {
  registry: Registry;
  // Orchestrator
  tenantsTotal: Gauge<'mode' | 'status' | 'plan'>;
  tenantReady: Gauge<TenantLabel | 'phase'>;
  containerStats: Gauge<'stat_type'>;
  reconcileDuration: Histogram<never>;
  reconcileTotal: Counter<'result'>;
  reconcileErrors: Counter<'reason'>;
  lastAppliedCommitInfo: Gauge<'commit'>;
  lastAppliedTimestamp: Gauge<never>;
  reconcileQueueDepth: Gauge<never>;
  leader: Gauge<never>;
  httpRequests: Counter<'route' | 'method' | 'code'>;
  webhookDeliveries: Counter<'event' | 'result'>;
  apiAuthFailures: Counter<'reason'>;
  // Per tenant (filled by the bots' collectors)
  tenantQueueWaitP95: Gauge<TenantLabel>;
  tenantQueueWait: Histogram<TenantLabel>;
  tenantCpuPercent: Gauge<TenantLabel>;
  tenantMemBytes: Gauge<TenantLabel>;
  tenantMemPercent: Gauge<TenantLabel>;
  tenantExecutionsMin: Gauge<TenantLabel>;
  tenantExecutionsMonth: Gauge<TenantLabel>;
  tenantBillingPeriodStart: Gauge<TenantLabel | 'source'>;
  tenantExecutionSuccessRatio: Gauge<TenantLabel>;
  tenantStorageBytes: Gauge<TenantLabel>;
  tenantConcurrentExecutions: Gauge<TenantLabel>;
  autoscaleEvents: Counter<'tenant' | 'action' | 'success'>;
  backups: Counter<'tenant' | 'status' | 'type'>;
  enforcementEvents: Counter<'tenant' | 'action' | 'limit_type'>;
  // Long operations (controller/operations) and backups
  operations: Counter<'kind' | 'result'>;
  operationStepDuration: Histogram<'kind' | 'step'>;
  backupLastSuccess: Gauge<'tenant' | 'type'>;
  backupExpectedSince: Gauge<'tenant' | 'type'>;
  backupBytes: Gauge<'tenant' | 'type'>;
  restoreDrills: Counter<'result'>;
  restoreRto: Gauge<'tenant'>;
  promotions: Counter<'result'>;
  promotionFreeze: Histogram<'result'>;
  upgrades: Counter<'tenant' | 'result' | 'swapped'>;
}

export interface MetricsOptions {
  /** Also export process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
  /** Labels on every series, e.g. { environment: 'prod' }. */
  defaultLabels?: Record<string, string>;
}

export const RECONCILE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/**
 * Queue wait, seconds: fine around the scale-down (1 s) and scale-up (5 s)
 * thresholds and the promotion/alert one (10 s), up to 2 min; beyond is +Inf.
 */
/** Operation step duration, seconds: from a quick check to a long dump or restore. */
export const OPERATION_STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600];
/** Promotion freeze, seconds: around the 60 s target, up to the seed's 10 min. */
export const FREEZE_BUCKETS = [5, 10, 20, 30, 45, 60, 90, 120, 300, 600];
export const QUEUE_WAIT_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
const TENANT_LABELS: TenantLabel[] = ['tenant', 'mode', 'plan'];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });

  return {
    registry,
    tenantsTotal: gauge('rp9_tenants_total', 'Tenants by mode, status (phase) and plan.', ['mode', 'status', 'plan']),
    tenantReady: gauge('rp9_tenant_ready', '1 when the tenant matches its desired state, else 0.', [...TENANT_LABELS, 'phase']),
    containerStats: gauge('rp9_container_stats', 'Managed containers by state (unhealthy is a subset of running).', ['stat_type']),
    reconcileDuration: new Histogram<never>({
      name: 'rp9_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass (observe, plan, apply).',
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    reconcileTotal: counter('rp9_reconcile_total', 'Reconcile passes by result (success, noop, refused, error).', ['result']),
    reconcileErrors: counter('rp9_reconcile_errors_total', 'Reconcile errors by error code.', ['reason']),
    lastAppliedCommitInfo: gauge('rp9_last_applied_commit_info', 'Always 1; the commit label is the last applied config commit.', ['commit']),
    lastAppliedTimestamp: gauge('rp9_last_applied_timestamp_seconds', 'Unix time the last commit was applied.'),
    reconcileQueueDepth: gauge('rp9_reconcile_queue_depth', 'Reconcile requests waiting (webhooks, timers, retries).'),
    leader: gauge('rp9_leader', '1 while this controller holds the leader lease, else 0.'),
    httpRequests: counter('rp9_http_requests_total', 'HTTP requests served by the controller.', ['route', 'method', 'code']),
    webhookDeliveries: counter('rp9_webhook_deliveries_total', 'GitHub webhook deliveries by event and result.', ['event', 'result']),
    apiAuthFailures: counter('rp9_api_auth_failures_total', 'API requests refused by authentication (401) or role (403), by reason.', ['reason']),
    tenantQueueWaitP95: gauge('rp9_tenant_queue_wait_p95_seconds', 'Execution queue wait p95 per tenant.', TENANT_LABELS),
    tenantQueueWait: new Histogram<TenantLabel>({
      name: 'rp9_tenant_queue_wait_seconds',
      help: 'Execution queue wait (startedAt - createdAt) per tenant; each started execution observed once.',
      labelNames: TENANT_LABELS,
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    }),
    tenantCpuPercent: gauge('rp9_tenant_cpu_percent', 'CPU use per tenant, percent of its plan limit.', TENANT_LABELS),
    tenantMemBytes: gauge('rp9_tenant_mem_bytes', 'Memory use per tenant in bytes.', TENANT_LABELS),
    tenantMemPercent: gauge('rp9_tenant_mem_percent', 'Memory use per tenant, percent of its plan limit.', TENANT_LABELS),
    tenantExecutionsMin: gauge('rp9_tenant_executions_min', 'Workflow executions per minute per tenant.', TENANT_LABELS),
    tenantExecutionsMonth: gauge('rp9_tenant_executions_month', 'Workflow executions this billing period per tenant (since rp9_tenant_billing_period_start_seconds: its Stripe subscription\'s current period, else the calendar month UTC).', TENANT_LABELS),
    tenantBillingPeriodStart: gauge('rp9_tenant_billing_period_start_seconds', 'Unix time rp9_tenant_executions_month counts from per tenant; source is stripe (its subscription\'s current period) or calendar (the month, UTC).', [...TENANT_LABELS, 'source']),
    tenantExecutionSuccessRatio: gauge('rp9_tenant_execution_success_ratio', 'Share of the executions started in the collector window and finished that succeeded (success / success+error+crashed); absent when none finished.', TENANT_LABELS),
    tenantStorageBytes: gauge('rp9_tenant_storage_bytes', 'Bytes of the tenant\'s data: its database and volumes (dedicated), its project\'s rows in the shared n8n database (shared).', TENANT_LABELS),
    tenantConcurrentExecutions: gauge('rp9_tenant_concurrent_executions', 'Workflow executions running now per tenant.', TENANT_LABELS),
    autoscaleEvents: counter('rp9_autoscale_events_total', 'Autoscale events per tenant by action and success.', ['tenant', 'action', 'success']),
    backups: counter('rp9_backups_total', 'Backups per tenant by status and type.', ['tenant', 'status', 'type']),
    enforcementEvents: counter('rp9_enforcement_events_total', 'Limit enforcement events per tenant.', ['tenant', 'action', 'limit_type']),
    operations: counter('rp9_operations_total', 'Long operations (backup, restore, drill, ...) by kind and result (done, rolled-back, failed).', ['kind', 'result']),
    operationStepDuration: new Histogram<'kind' | 'step'>({
      name: 'rp9_operation_step_duration_seconds',
      help: 'Duration of one run of an operation step, by kind and step.',
      labelNames: ['kind', 'step'],
      buckets: OPERATION_STEP_BUCKETS,
      registers,
    }),
    backupLastSuccess: gauge('rp9_backup_last_success_timestamp_seconds', 'Unix time of the last successful backup per tenant and type.', ['tenant', 'type']),
    backupExpectedSince: gauge('rp9_backup_expected_since_timestamp_seconds', 'Unix time since when a scheduled backup of this type is expected for the tenant (its first attempt in the journal, or when this controller first saw the schedule): what BackupMissed measures from until a first success.', ['tenant', 'type']),
    backupBytes: gauge('rp9_backup_bytes', 'Stored size in bytes of the last successful backup per tenant and type.', ['tenant', 'type']),
    restoreDrills: counter('rp9_restore_drills_total', 'Restore drills by result (success, failure).', ['result']),
    promotions: counter('rp9_promotions_total', 'Promotions shared -> dedicated by result (success, rolled-back, failed).', ['result']),
    promotionFreeze: new Histogram<'result'>({
      name: 'rp9_promotion_freeze_seconds',
      help: 'How long a promotion froze the tenant (workflows deactivated, route answering 503), by result.',
      labelNames: ['result'],
      buckets: FREEZE_BUCKETS,
      registers,
    }),
    upgrades: counter('rp9_upgrades_total', 'Blue/green upgrades per tenant by result (success, rolled-back, failed) and whether blue had served the tenant (swapped: true, false).', ['tenant', 'result', 'swapped']),
    restoreRto: gauge('rp9_restore_rto_seconds', 'Seconds from start to verified of the last restore drill per tenant.', ['tenant']),
  };
}

// Per-tenant usage on /metrics: every interval, the leader measures each
// tenant (Docker stats of dedicated containers; executions from the tenant's
// own n8n database, or from the shared n8n's database by the tenant's
// personal project, found by its owner email in one query per pass) and
// records the samples. Bounded per tenant; a slow tenant never stalls the others.
// It also keeps the queue-wait histogram's high-water marks from pass to pass
// (in memory: a restart or a change of leader starts with a baseline pass).
// Executions are counted over each tenant's billing period: its Stripe
// subscription's current period as the store recorded it (the stripe-sync and
// enforcement listings, the webhooks), else the calendar month.
import type Docker from 'dockerode';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { recordQueueWaits } from '../../controller/metrics/record-queue-waits.js';
import { recordTenantUsage } from '../../controller/metrics/record.js';
import { liveStacks, type LiveJournal } from '../upgrades/live-stack.js';
import { collectTenantMetrics } from '../telemetry/collect.js';
import { createContainerUsageSource } from '../telemetry/docker-source.js';
import { createSqlExecutionSource } from '../telemetry/execution-source.js';
import { createStorageSource, createVolumeSizes } from '../telemetry/storage-source.js';
import { resolveSharedProjects } from '../telemetry/personal-projects.js';
import { PROJECT_LABEL, projectIdOf, type Attribution, type ProjectOwner } from '../telemetry/project-attribution.js';
import { nextMarks, type WaitMark } from '../telemetry/queue-wait-marks.js';
import type { TelemetrySources, TelemetryTarget } from '../telemetry/types.js';
import { subscriptionPeriodOf, type PeriodSubscription } from '../../bots/enforcement/subscription-period.js';

export { PROJECT_LABEL } from '../telemetry/project-attribution.js';

/** Bound on the pass's one personal-project lookup (connect + query). */
const PROJECT_LOOKUP_TIMEOUT_MS = 10_000;

export interface TelemetryLoopOptions {
  intervalMs: number;
  docker: Docker;
  /** Admin URL of the tenant database server; dedicated tenants' databases are read through it. */
  tenantDatabaseUrl: string | undefined;
  /** The shared n8n's database, for shared tenants. */
  sharedDatabaseUrl: string | undefined;
  /** The journal: a dedicated tenant's live database after a blue/green upgrade. */
  operations: LiveJournal;
  config(): GoodConfig | undefined;
  isLeader(): boolean;
  metrics: Metrics;
  logger: Logger;
  /** How long one read of the volumes' sizes (Docker's /system/df) serves (default 10 min). */
  volumeMaxAgeMs?: number;
  /** The Stripe subscriptions the store recorded, by customer (store.subscriptions.byCustomer); without it every tenant counts over the calendar month. */
  subscriptions?: () => Promise<ReadonlyMap<string, readonly PeriodSubscription[]>>;
}

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Every tenant, suspended ones too: a suspension keeps the tenant's data
 * (storage still costs, and counts against storageGb), its executions of the
 * period still count, and the enforcement bot lifts a suspension only once
 * the limit it names is measured again.
 */
export function targetsOf(good: GoodConfig, subscriptions: ReadonlyMap<string, readonly PeriodSubscription[]> = new Map()): TelemetryTarget[] {
  return good.config.tenants.map(({ name, tenant }) => {
    const subscriptionPeriod = subscriptionPeriodOf(tenant, subscriptions);
    return { tenant: name, mode: tenant.spec.mode, plan: tenant.spec.plan, ...(subscriptionPeriod ? { subscriptionPeriod } : {}) };
  });
}

/** The recorded subscriptions; a failed read counts every tenant over the calendar month this pass (the enforcement bot sees the period differ and leaves the figure out). */
async function recordedSubscriptions(options: TelemetryLoopOptions): Promise<ReadonlyMap<string, readonly PeriodSubscription[]>> {
  if (!options.subscriptions) return new Map();
  try {
    return await options.subscriptions();
  } catch (error) {
    options.logger.warn('Stripe subscriptions not read from the store: executions counted over the calendar month this pass', { code: 'telemetry.periods-unread', error: error instanceof Error ? error.message : String(error) });
    return new Map();
  }
}

/** The shared tenants (suspended ones too) to attribute on the shared n8n: owner email, and the override label when set. */
export function projectOwnersOf(good: GoodConfig): ProjectOwner[] {
  return good.config.tenants
    .filter(({ tenant }) => tenant.spec.mode === 'shared')
    .map(({ name, tenant }) => {
      const label = tenant.metadata.labels[PROJECT_LABEL];
      return { tenant: name, email: tenant.metadata.email, ...(label ? { label } : {}) };
    });
}

async function sharedProjects(good: GoodConfig, sharedDatabaseUrl: string | undefined): Promise<Map<string, Attribution>> {
  const owners = projectOwnersOf(good);
  if (!sharedDatabaseUrl || owners.length === 0) return new Map();
  return resolveSharedProjects(owners, { sharedDatabase: sharedDatabaseUrl, signal: AbortSignal.timeout(PROJECT_LOOKUP_TIMEOUT_MS), statementTimeoutMs: PROJECT_LOOKUP_TIMEOUT_MS });
}

export function startTelemetryLoop(options: TelemetryLoopOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let marks = new Map<string, WaitMark>();
  const volumeSizes = createVolumeSizes(options.docker, { maxAgeMs: options.volumeMaxAgeMs ?? 10 * 60_000 });

  async function tick(): Promise<void> {
    const good = options.config();
    // A follower's marks go stale while the leader observes: regaining the lease starts over.
    // Its usage gauges go too, so bots reading max_over_time never mix a former leader's last values in.
    if (!options.isLeader()) {
      marks = new Map();
      recordTenantUsage(options.metrics, []);
    }
    if (good && options.isLeader()) {
      try {
        const projects = await sharedProjects(good, options.sharedDatabaseUrl);
        const live = await liveStacks(options.operations);
        const sources: TelemetrySources = {
          containerUsage: createContainerUsageSource(options.docker, good.platform.spec.environment),
          ...(options.tenantDatabaseUrl || options.sharedDatabaseUrl
            ? {
                executions: createSqlExecutionSource({
                  dedicatedDatabase: (tenant) => withDatabase(options.tenantDatabaseUrl ?? '', live(tenant).database),
                  ...(options.sharedDatabaseUrl ? { sharedDatabase: options.sharedDatabaseUrl } : {}),
                  projectIdFor: (tenant) => projectIdOf(projects, tenant),
                }),
                storage: createStorageSource({
                  dedicatedDatabase: (tenant) => withDatabase(options.tenantDatabaseUrl ?? '', live(tenant).database),
                  ...(options.sharedDatabaseUrl ? { sharedDatabase: options.sharedDatabaseUrl } : {}),
                  projectIdFor: (tenant) => projectIdOf(projects, tenant),
                  volumes: volumeSizes(good.platform.spec.environment),
                }),
              }
            : {}),
        };
        const targets = targetsOf(good, await recordedSubscriptions(options));
        const result = await collectTenantMetrics(targets, sources, { timeoutMs: 10_000, concurrency: 4, queueWaitMarks: marks });
        recordTenantUsage(options.metrics, result.samples);
        await recordQueueWaits(options.metrics, result.queueWaits, targets);
        marks = nextMarks(marks, result.queueWaits, targets);
        if (result.errors.length > 0) {
          options.logger.debug('tenant metrics incomplete', { errors: result.errors.length, first: result.errors[0] });
        }
      } catch (error) {
        options.logger.warn('tenant metrics collection failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), options.intervalMs);
    timer.unref?.();
  }

  timer = setTimeout(() => void tick(), Math.min(options.intervalMs, 5_000));
  timer.unref?.();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

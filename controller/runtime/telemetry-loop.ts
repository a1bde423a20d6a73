// Per-tenant usage on /metrics: every interval, the leader measures each
// tenant (Docker stats of dedicated containers; executions from the tenant's
// own n8n database, or from the shared n8n's database by the tenant's
// project) and records the samples. Bounded per tenant; a slow tenant never
// stalls the others.
import type Docker from 'dockerode';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import { recordTenantUsage } from '../metrics/record.js';
import { databaseName } from '../compile/names.js';
import { collectTenantMetrics } from '../telemetry/collect.js';
import { createContainerUsageSource } from '../telemetry/docker-source.js';
import { createSqlExecutionSource } from '../telemetry/execution-source.js';
import type { TelemetrySources, TelemetryTarget } from '../telemetry/types.js';

/** The label that names a shared tenant's personal project on the shared n8n. */
export const PROJECT_LABEL = 'rp9.io/n8n-project';

export interface TelemetryLoopOptions {
  intervalMs: number;
  docker: Docker;
  /** Admin URL of the tenant database server; dedicated tenants' databases are read through it. */
  tenantDatabaseUrl: string | undefined;
  /** The shared n8n's database, for shared tenants. */
  sharedDatabaseUrl: string | undefined;
  config(): GoodConfig | undefined;
  isLeader(): boolean;
  metrics: Metrics;
  logger: Logger;
}

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function targetsOf(good: GoodConfig): TelemetryTarget[] {
  return good.config.tenants
    .filter(({ tenant }) => !tenant.spec.suspended)
    .map(({ name, tenant }) => ({ tenant: name, mode: tenant.spec.mode, plan: tenant.spec.plan }));
}

export function startTelemetryLoop(options: TelemetryLoopOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function tick(): Promise<void> {
    const good = options.config();
    if (good && options.isLeader()) {
      const environment = good.platform.spec.environment;
      const projects = new Map(good.config.tenants.map(({ name, tenant }) => [name, tenant.metadata.labels[PROJECT_LABEL]]));
      const sources: TelemetrySources = {
        containerUsage: createContainerUsageSource(options.docker, environment),
        ...(options.tenantDatabaseUrl || options.sharedDatabaseUrl
          ? {
              executions: createSqlExecutionSource({
                dedicatedDatabase: (tenant) => withDatabase(options.tenantDatabaseUrl ?? '', databaseName(tenant)),
                ...(options.sharedDatabaseUrl ? { sharedDatabase: options.sharedDatabaseUrl } : {}),
                projectIdFor: (tenant) => projects.get(tenant),
              }),
            }
          : {}),
      };
      try {
        const result = await collectTenantMetrics(targetsOf(good), sources, { timeoutMs: 10_000, concurrency: 4 });
        recordTenantUsage(options.metrics, result.samples);
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

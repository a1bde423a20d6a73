// Pure PromQL for the enforcement bot's usage figures, one series per tenant:
// - executions this billing period: the collector's rp9_tenant_executions_month (its latest value),
//   and the start of the period it counts over (rp9_tenant_billing_period_start_seconds);
// - peak concurrency: the most rp9_tenant_concurrent_executions over the last hour;
// - API calls an hour: requests through the tenant's Traefik router over the
//   last hour (traefik_router_requests_total of the file-provider router
//   rp9-<tenant>@file, the router rp9 writes), renamed to the tenant label;
// - storage: the collector's rp9_tenant_storage_bytes (its latest value).
// Why the route and not n8n: see docs/bots.md#metering.
import type { TenantUsage } from '../enforcement/levels.js';
import { selector, TENANT_METRIC } from './tenant-queries.js';

export const TRAEFIK_ROUTER_REQUESTS = 'traefik_router_requests_total';
export const STORAGE_METRIC = 'rp9_tenant_storage_bytes';
export const PERIOD_START_METRIC = 'rp9_tenant_billing_period_start_seconds';

export type UsageField = keyof TenantUsage;

export function usageQueries(labels: Record<string, string> = {}): Record<UsageField, string> {
  const routers = `${TRAEFIK_ROUTER_REQUESTS}{router=~"rp9-.+@file"}`;
  return {
    executionsMonth: `max by (tenant) (last_over_time(${selector(TENANT_METRIC.executionsMonth, labels)}[1h]))`,
    // The newest start wins: after a period change the old series lingers in last_over_time for up to an hour.
    periodStartSeconds: `max by (tenant) (last_over_time(${selector(PERIOD_START_METRIC, labels)}[1h]))`,
    concurrentPeak: `max by (tenant) (max_over_time(${selector(TENANT_METRIC.concurrentExecutions, labels)}[1h]))`,
    storageBytes: `max by (tenant) (last_over_time(${selector(STORAGE_METRIC, labels)}[1h]))`,
    apiCallsHour: `sum by (tenant) (label_replace(increase(${routers}[1h]), "tenant", "$1", "router", "rp9-(.+)@file"))`,
  };
}

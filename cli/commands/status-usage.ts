// The usage part of `rp9 status`: each tenant's figures (executions this
// billing period, peak concurrent executions and API calls over the last
// hour, storage: the enforcement bot's own Prometheus read of the controller's
// rp9_tenant_* gauges and Traefik's router counters), set against its plan's
// limits when the config is at hand, and a dedicated tenant's CPU and memory
// against its allocation (status-resources.ts). The views and their text are pure; the
// read is the edge.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { readConfigDir } from '../../config/read-config-dir.js';
import type { LoadedConfig } from '../../config/types.js';
import { formatNumber } from '../../bots/core/format.js';
import { limitStatuses, type LimitStatus, type TenantUsage } from '../../bots/enforcement/levels.js';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { tenantUsage } from '../../bots/metrics/usage-metrics.js';
import { allocationOf, readResourceFigures, type Allocation, type ResourceFigures } from './status-resources.js';

export interface TenantUsageView {
  tenant: string;
  figures: TenantUsage;
  /** Against the plan's (or spec.limits') allowances; empty without the config. */
  limits: LimitStatus[];
  /** CPU and memory (dedicated tenants), with what the config allocates when it is at hand. */
  resources?: ResourceFigures;
  allocation?: Allocation;
}

export type UsageRead =
  | { kind: 'read'; prometheus: string; limitsFrom?: string; byTenant: Map<string, TenantUsageView> }
  | { kind: 'unavailable'; reason: string };

const FIGURE_NAMES: [keyof TenantUsage, string][] = [
  ['executionsMonth', 'executions this period'],
  ['concurrentPeak', 'peak concurrent executions (1 h)'],
  ['apiCallsHour', 'API calls (1 h)'],
  ['storageBytes', 'storage (bytes)'],
];

/** Pure: the figures per tenant with their limit statuses from the config's tenants and plans. */
export function usageViews(usage: ReadonlyMap<string, TenantUsage>, config: LoadedConfig | undefined, resources: ReadonlyMap<string, ResourceFigures> = new Map()): Map<string, TenantUsageView> {
  const views = new Map<string, TenantUsageView>();
  for (const tenant of new Set([...usage.keys(), ...resources.keys()])) {
    const figures = usage.get(tenant) ?? {};
    const loaded = config?.tenants.find((t) => t.name === tenant);
    const limits = loaded && config?.platform ? limitStatuses(loaded.tenant, figures, config.platform) : [];
    const allocation = loaded && config?.platform ? allocationOf(loaded.tenant, config.platform) : undefined;
    const measured = resources.get(tenant);
    views.set(tenant, { tenant, figures, limits, ...(measured ? { resources: measured } : {}), ...(allocation ? { allocation } : {}) });
  }
  return views;
}

function percentText(percent: number): string {
  return Number.isFinite(percent) ? `${Math.round(percent)} %` : 'over 100 %';
}

/** The all-tenants table's cell: the limit nearest to (or past) its allowance, or the executions figure without limits. */
export function usageCell(view: TenantUsageView | undefined): string {
  if (!view) return '-';
  const worst = [...view.limits].sort((a, b) => b.percent - a.percent)[0];
  if (worst) return `${worst.limit} ${percentText(worst.percent)}${worst.level === 'ok' ? '' : ` (${worst.level})`}`;
  return view.figures.executionsMonth !== undefined ? `executions ${formatNumber(view.figures.executionsMonth)}` : '-';
}

/** `executions since 2026-11-15 10:00 UTC (the billing period)`: where the executions figure counts from; undefined when the collector does not say. */
export function periodLine(view: TenantUsageView): string | undefined {
  const seconds = view.figures.periodStartSeconds;
  if (view.figures.executionsMonth === undefined || seconds === undefined || !Number.isFinite(seconds)) return undefined;
  const iso = new Date(seconds * 1000).toISOString();
  const at = iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return `executions since ${at} (the billing period: the Stripe subscription's, else the calendar month)`;
}

/** The tenant detail's rows: LIMIT, USED, ALLOWED, PERCENT, LEVEL (allowance columns `-` without the config). */
export function usageRows(view: TenantUsageView): string[][] {
  if (view.limits.length > 0) return view.limits.map((s) => [s.limit, formatNumber(s.used), formatNumber(s.allowed), percentText(s.percent), s.level]);
  return FIGURE_NAMES.flatMap(([field, name]) => (view.figures[field] === undefined ? [] : [[name, formatNumber(view.figures[field]!), '-', '-', '-']]));
}

/**
 * Reads usage from Prometheus (`prometheusUrl`, else nothing) and the limits
 * from the config directory `dir` when it holds a platform.yaml. Never
 * throws: an unreachable Prometheus or a bad config is a reason shown instead.
 */
export async function readUsage(prometheusUrl: string | undefined, dir: string, now: Date): Promise<UsageRead> {
  if (!prometheusUrl) return { kind: 'unavailable', reason: 'RP9_PROMETHEUS_URL is not set' };
  let usage: Map<string, TenantUsage>;
  let resources: Map<string, ResourceFigures>;
  try {
    const client = createPrometheusClient({ url: prometheusUrl, timeoutMs: 5_000 });
    [usage, resources] = await Promise.all([tenantUsage(client, now), readResourceFigures(client, now)]);
  } catch (error) {
    return { kind: 'unavailable', reason: `Prometheus ${prometheusUrl}: ${(error as Error).message}` };
  }
  let config: LoadedConfig | undefined;
  if (existsSync(join(dir, 'platform.yaml'))) {
    try {
      config = loadConfig(await readConfigDir(dir));
    } catch {
      config = undefined;
    }
  }
  const limitsFrom = config?.platform ? dir : undefined;
  return { kind: 'read', prometheus: prometheusUrl, ...(limitsFrom ? { limitsFrom } : {}), byTenant: usageViews(usage, config, resources) };
}

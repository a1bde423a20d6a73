// One comparison: every policy over the same source, then the worst tenants.
import { availableParallelism } from 'node:os';
import type { Platform } from '../config/types.js';
import { renderChart } from './chart.js';
import { simulatedContext } from './context.js';
import { simulateInThreads } from './parallel.js';
import { worstTenants, type Comparison } from './report.js';
import { simulateAll, type PolicyName, type SimulationResult } from './simulate.js';
import type { DemandSource } from './trace.js';

export interface CompareOptions {
  platform: Platform;
  source: DemandSource;
  policies?: PolicyName[];
  mergeDelayMinutes?: number;
  /** undefined: PRs that wait for a human are never merged. */
  reviewDelayMinutes?: number;
  applyDelayMinutes?: number;
  sloSeconds?: number;
  /** Worker threads, one shard of tenants each (default: the machine's parallelism); the result is the same for any number. */
  threads?: number;
}

export interface CompareResult {
  comparison: Comparison;
  results: { policy: PolicyName; result: SimulationResult }[];
  /** The SVG chart of the three worst tenants. */
  chart(): string;
}

export async function compare(options: CompareOptions): Promise<CompareResult> {
  const policies = options.policies ?? ['rp9', 'naive'];
  const mergeDelayMinutes = options.mergeDelayMinutes ?? 5;
  const applyDelayMinutes = options.applyDelayMinutes ?? 2;
  const sloSeconds = options.sloSeconds ?? 5;
  const shared = {
    platform: options.platform,
    source: options.source,
    mergeDelayMinutes,
    reviewDelayMinutes: options.reviewDelayMinutes ?? Number.POSITIVE_INFINITY,
    applyDelayMinutes,
    sloSeconds,
  };
  const threads = options.threads ?? availableParallelism();
  const all = (threads > 1 ? await simulateInThreads(shared, policies, threads) : undefined) ?? (await simulateAll({ ...shared, context: simulatedContext(options.platform) }, policies));
  const results = policies.map((policy, k) => ({ policy, result: all[k]! }));
  const comparison: Comparison = {
    tenants: options.source.tenants.length,
    days: options.source.minutes / 1440,
    start: options.source.start.toISOString(),
    sloSeconds,
    delays: { mergeMinutes: mergeDelayMinutes, reviewMinutes: options.reviewDelayMinutes ?? null, applyMinutes: applyDelayMinutes },
    policies: results.map((r) => r.result.totals),
    worst: worstTenants(options.source, results, 3),
  };
  return { comparison, results, chart: () => renderChart(comparison.worst, results, 'Allocation against demand: the three tenants with the most minutes over the SLO') };
}

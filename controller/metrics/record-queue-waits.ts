// Writes the collector's new queue waits into rp9_tenant_queue_wait_seconds.
// Unlike the usage gauges this is a histogram (counters): it is never reset;
// each wait is observed once (the collector's high-water marks decide which
// ones are new), and Prometheus's increase() over a window gives the window's
// distribution.
import type { Metrics, TenantLabel } from '../../kernel/metrics/registry.js';

type Labels = Record<TenantLabel, string>;

/** One tenant series' waits from one pass. */
export interface QueueWaitObservation {
  tenant: string;
  mode: string;
  plan: string;
  /** Waits (startedAt − createdAt) of executions not observed before, seconds. */
  waitsSeconds: readonly number[];
  /**
   * First pass for this series (since start, leadership or a mode/plan
   * change): the series is created at 0 so that Prometheus sees the first
   * observations of the next pass as an increase.
   */
  baseline: boolean;
}

function key(labels: { tenant: string; mode: string; plan: string }): string {
  return JSON.stringify([labels.tenant, labels.mode, labels.plan]);
}

/**
 * Observes every wait of `observations`; creates (at 0) the series of a
 * baseline pass if it does not exist yet; removes the series whose label set
 * is not among `current` (a deleted or suspended tenant, an old plan).
 * Non-finite or negative waits are skipped.
 */
export async function recordQueueWaits(
  metrics: Pick<Metrics, 'tenantQueueWait'>,
  observations: readonly QueueWaitObservation[],
  current: readonly { tenant: string; mode: string; plan: string }[],
): Promise<void> {
  const histogram = metrics.tenantQueueWait;
  const existing = new Map<string, Labels>();
  for (const { labels } of (await histogram.get()).values) {
    const series = { tenant: String(labels.tenant), mode: String(labels.mode), plan: String(labels.plan) };
    existing.set(key(series), series);
  }
  const keep = new Set(current.map(key));
  for (const [name, labels] of existing) {
    if (!keep.has(name)) histogram.remove(labels);
  }
  for (const observation of observations) {
    const labels: Labels = { tenant: observation.tenant, mode: observation.mode, plan: observation.plan };
    if (observation.baseline && !existing.has(key(labels))) histogram.zero(labels);
    for (const wait of observation.waitsSeconds) {
      if (Number.isFinite(wait) && wait >= 0) histogram.observe(labels, wait);
    }
  }
}

// "Low since" without the scan back: per tenant and thresholds, the first
// block of the trailing run of low blocks, extended by the blocks closed since
// the last question. The same answer as Prometheus's trailing low run
// (bots/metrics/tenant-queries.ts, trailingLowRun) over the ring's blocks.
import type { LowThresholds } from '../bots/metrics/tenant-queries.js';
import { isLowBlock, type MinuteRings } from './minute-rings.js';

interface LowRun {
  thresholds: LowThresholds;
  /** Blocks before this one have been looked at. */
  checkedUpTo: number;
  /** The first block of the trailing low run; undefined: the last block was not low. */
  start: number | undefined;
}

/** Per tenant, one entry per distinct thresholds asked about (a handful: the rules' limits for a few allocations). */
export type LowRuns = LowRun[][];

export function createLowRuns(n: number): LowRuns {
  return Array.from({ length: n }, () => []);
}

function sameThresholds(a: LowThresholds, b: LowThresholds): boolean {
  return a.cpuPercent === b.cpuPercent && a.memoryPercent === b.memoryPercent && a.executionsPerMinute === b.executionsPerMinute && a.queueWaitP95Seconds === b.queueWaitP95Seconds;
}

/** The first block of tenant `i`'s trailing low run over the closed blocks before `blocksDone`, as far back as the ring holds. */
export function trailingLowRun(runs: LowRuns, rings: MinuteRings, i: number, thresholds: LowThresholds, blocksDone: number): number | undefined {
  const entries = runs[i]!;
  const kept = entries.find((entry) => sameThresholds(entry.thresholds, thresholds));
  if (kept && kept.checkedUpTo <= blocksDone && blocksDone - kept.checkedUpTo < rings.blockRing) {
    for (let b = kept.checkedUpTo; b < blocksDone; b++) {
      if (isLowBlock(rings, i, b, thresholds)) kept.start ??= b;
      else kept.start = undefined;
    }
    kept.checkedUpTo = blocksDone;
    return kept.start;
  }
  const floor = Math.max(0, blocksDone - rings.blockRing + 1);
  let start: number | undefined;
  for (let b = blocksDone - 1; b >= floor && isLowBlock(rings, i, b, thresholds); b--) start = b;
  const entry: LowRun = { thresholds: { ...thresholds }, checkedUpTo: blocksDone, start };
  if (kept) Object.assign(kept, entry);
  else entries.push(entry);
  return start;
}

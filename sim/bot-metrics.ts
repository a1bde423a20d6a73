// What the bots read in the simulator: the BotMetrics of Prometheus and the
// FieldHistory of git, answered from the simulated figures (sim/minute-rings.ts)
// and merges instead of from queries. See docs/simulate.md#what-runs.
import type { LowThresholds } from '../bots/metrics/tenant-queries.js';
import type { BotMetrics, FieldHistory, WindowFigures } from '../bots/sources/types.js';
import { createLowRuns, trailingLowRun, type LowRuns } from './low-runs.js';
import { LOW_STEP_MINUTES, windowFiguresOf, type MinuteRings } from './minute-rings.js';
import { MINUTE_MS } from './trace.js';
import { tenantFile } from '../bots/core/types.js';

/** The simulated state the adapters read (live arrays: they see the run as it goes). */
export interface MetricsState {
  startMs: number;
  rings: MinuteRings;
  lowRuns: LowRuns;
  indexByName: ReadonlyMap<string, number>;
  /** tenants/<name>.yaml → index. */
  indexByFile: ReadonlyMap<string, number>;
  /** 1 while the tenant runs its own containers (it has CPU and memory series). */
  dedicated: Uint8Array;
  monthExecutions: Float64Array;
  /** Epoch ms of the last merged change of spec.resources (−Infinity: none). */
  lastResourceChange: Float64Array;
}

export function createMetricsState(names: readonly string[], startMs: number, rings: MinuteRings, dedicated: Uint8Array): MetricsState {
  const n = names.length;
  return {
    startMs,
    rings,
    lowRuns: createLowRuns(n),
    indexByName: new Map(names.map((name, i) => [name, i])),
    indexByFile: new Map(names.map((name, i) => [tenantFile(name), i])),
    dedicated,
    monthExecutions: new Float64Array(n),
    lastResourceChange: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
  };
}

export function minutesOf(window: string): number {
  const match = /^(\d+)(m|h)$/.exec(window);
  if (!match) throw new RangeError(`window ${window} is not minutes or hours`);
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
}

/** Prometheus as of the start of `minute` (it has the minutes before it), for the tenants `names`. */
export function botMetricsAt(state: MetricsState, minute: number, names: readonly string[]): BotMetrics {
  const { rings, indexByName, startMs } = state;
  return {
    async window(window) {
      const minutes = minutesOf(window);
      const map = new Map<string, WindowFigures>();
      for (const name of names) {
        const i = indexByName.get(name)!;
        map.set(name, windowFiguresOf(rings, i, minute, minutes, state.dedicated[i] === 1, state.monthExecutions[i]!));
      }
      return map;
    },
    async lowSince(name, thresholds: LowThresholds, _now, lookbackSeconds) {
      const i = indexByName.get(name)!;
      const blocksDone = Math.floor(minute / LOW_STEP_MINUTES);
      const oldest = Math.max(0, blocksDone - Math.floor(lookbackSeconds / 60 / LOW_STEP_MINUTES), blocksDone - rings.blockRing + 1);
      if (blocksDone - 1 < oldest) return undefined;
      // What Prometheus's trailing low run gives over the closed blocks, without the scan back (168 h = 2,016 blocks).
      const run = trailingLowRun(state.lowRuns, rings, i, thresholds, blocksDone);
      if (run === undefined) return undefined;
      return new Date(startMs + Math.max(run, oldest) * LOW_STEP_MINUTES * MINUTE_MS);
    },
    async ready() {
      return new Map(names.map((name) => [name, true]));
    },
  };
}

/** Git history of spec.resources: the merges of the simulation. */
export function fieldHistoryOf(state: MetricsState): FieldHistory {
  return {
    async lastChangeAt(file, _field, since) {
      const i = state.indexByFile.get(file);
      if (i === undefined) return undefined;
      const changed = state.lastResourceChange[i]!;
      return changed >= since.getTime() ? new Date(changed) : undefined;
    },
  };
}

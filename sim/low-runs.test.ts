// The kept trailing low run gives the answer of a scan back from now, however the questions come.
import { describe, expect, it } from 'vitest';
import type { LowThresholds } from '../bots/metrics/tenant-queries.js';
import { createLowRuns, trailingLowRun } from './low-runs.js';
import { createMinuteRings, isLowBlock, type MinuteRings } from './minute-rings.js';
import { lcg } from './random.js';

/** Prometheus's answer: walk back from the last closed block while blocks are low, as far as the ring holds. */
function scanBack(rings: MinuteRings, i: number, thresholds: LowThresholds, blocksDone: number): number | undefined {
  let start: number | undefined;
  for (let b = blocksDone - 1; b >= Math.max(0, blocksDone - rings.blockRing + 1) && isLowBlock(rings, i, b, thresholds); b--) start = b;
  return start;
}

function writeBlock(rings: MinuteRings, i: number, b: number, value: number): void {
  const slot = (b % rings.blockRing) * rings.n + i;
  rings.block.cpu[slot] = value;
  rings.block.mem[slot] = value;
  rings.block.epm[slot] = value;
  rings.block.p95[slot] = value;
}

describe('trailingLowRun', () => {
  it.each([
    { name: 'mostly low', lowShare: 0.9, seed: 1 },
    { name: 'half low', lowShare: 0.5, seed: 2 },
    { name: 'rarely low', lowShare: 0.1, seed: 3 },
  ])('$name: equals a scan back at every question, for two tenants and several thresholds', ({ lowShare, seed }) => {
    const next = lcg(seed);
    const rings = createMinuteRings(2, 5, 12);
    const runs = createLowRuns(2);
    const asks: LowThresholds[] = [{ cpuPercent: 20, memoryPercent: 20 }, { executionsPerMinute: 20, queueWaitP95Seconds: 20 }, { cpuPercent: 40 }];
    let answers = 0;
    for (let b = 0; b < 400; b++) {
      // A block below 20 is low for every ask, one in [20, 40) only for the third, one at 40 or above for none.
      for (let i = 0; i < 2; i++) writeBlock(rings, i, b, next() < lowShare ? 10 : next() < 0.5 ? 30 : 50);
      const blocksDone = b + 1;
      for (let i = 0; i < 2; i++) {
        // Asked at irregular intervals, sometimes after more blocks than the ring holds.
        for (const thresholds of asks) {
          if (next() < 0.4) continue;
          // The kept run may start before the ring's oldest block; lowSince reads it from there at the earliest.
          const kept = trailingLowRun(runs, rings, i, thresholds, blocksDone);
          const floor = Math.max(0, blocksDone - rings.blockRing + 1);
          expect(kept === undefined ? undefined : Math.max(kept, floor)).toBe(scanBack(rings, i, thresholds, blocksDone));
          answers += 1;
        }
      }
      if (b % 50 === 49) for (let skip = 0; skip < 14; skip++, b++) for (let i = 0; i < 2; i++) writeBlock(rings, i, b + 1, 10);
    }
    expect(answers).toBeGreaterThan(500);
  });

  it('a step without samples (NaN) is never low', () => {
    const rings = createMinuteRings(1, 5, 10);
    const runs = createLowRuns(1);
    for (let b = 0; b < 4; b++) writeBlock(rings, 0, b, 5);
    rings.block.cpu[(2 % 10) * 1] = Number.NaN;
    expect(trailingLowRun(runs, rings, 0, { cpuPercent: 20 }, 4)).toBe(3);
    expect(trailingLowRun(runs, rings, 0, { executionsPerMinute: 20 }, 4)).toBe(0);
  });
});

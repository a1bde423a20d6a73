// The figures a tenant's metrics would show, kept for as far back as the bots
// look: rings of per-minute figures (queue wait shape, cpu %, mem %,
// executions/min, busy slots) and of 5-minute blocks (the step of "low
// since"). Minute-major, index (minute % ring) × tenants + tenant, so the
// minute loop writes each row in tenant order, contiguously. Pure data and
// the arithmetic over it; see docs/simulate.md.
import type { LowThresholds } from '../bots/metrics/tenant-queries.js';
import type { WindowFigures } from '../bots/sources/types.js';
import { mixtureP95Columns, type ShapeColumns } from './queueing.js';

/** "Low since" is evaluated on 5-minute steps, as `lowQuery` does. */
export const LOW_STEP_MINUTES = 5;

export interface MinuteRings {
  /** Tenants (the row width). */
  n: number;
  /** Minutes kept. */
  ring: number;
  /** 5-minute blocks kept. */
  blockRing: number;
  shapes: ShapeColumns;
  /** NaN for a minute without a sample (a shared tenant has no CPU or memory series). */
  cpu: Float64Array;
  mem: Float64Array;
  epm: Float64Array;
  busy: Float64Array;
  /** Per block: max_over_time of cpu, mem and executions/min (NaN: no samples), and the block's p95. */
  block: { cpu: Float64Array; mem: Float64Array; epm: Float64Array; p95: Float64Array };
  /**
   * Per tenant, the block being filled (`recordMinute` adds, `closeBlock` takes and resets): the maxima so far
   * and the largest p95 of a minute with arrivals (0: no minute had more than 5 % of its arrivals waiting).
   */
  open: { cpu: Float64Array; mem: Float64Array; epm: Float64Array; p95: Float64Array };
  /** Scratch: the slots of a window (no array allocated per tenant and window). */
  pick: Int32Array;
}

export function createMinuteRings(n: number, ring: number, blockRing: number): MinuteRings {
  const column = () => new Float64Array(n * ring);
  const pick = new Int32Array(Math.max(ring, LOW_STEP_MINUTES));
  const blocks = () => new Float64Array(n * blockRing);
  return {
    n,
    ring,
    blockRing,
    shapes: { delay: column(), waitProbability: column(), rate: column(), weight: column() },
    cpu: column(),
    mem: column(),
    epm: column(),
    busy: column(),
    block: { cpu: blocks(), mem: blocks(), epm: blocks(), p95: blocks() },
    open: { cpu: new Float64Array(n).fill(Number.NaN), mem: new Float64Array(n).fill(Number.NaN), epm: new Float64Array(n), p95: new Float64Array(n) },
    pick,
  };
}

/** Where tenant `i`'s figures of `minute` are. */
export function slotOf(rings: MinuteRings, i: number, minute: number): number {
  return (minute % rings.ring) * rings.n + i;
}

/**
 * Tenant `i`'s machine and queue figures of the minute at `slot` (`slotOf`), added to its open block too: cpu and
 * mem % (NaN: no sample), executions/min, busy slots, and the minute's own p95 wait (`p95Of` of its shape, which the
 * caller has written to `shapes`; 0 when not over 0).
 */
export function recordMinute(rings: MinuteRings, slot: number, i: number, cpu: number, mem: number, epm: number, busy: number, p95: number): void {
  const { open } = rings;
  rings.cpu[slot] = cpu;
  rings.mem[slot] = mem;
  rings.epm[slot] = epm;
  rings.busy[slot] = busy;
  // max_over_time of the samples there are; a step without any is NaN (a gap).
  if (!(cpu <= open.cpu[i]!) && cpu === cpu) open.cpu[i] = cpu;
  if (!(mem <= open.mem[i]!) && mem === mem) open.mem[i] = mem;
  if (epm > open.epm[i]!) open.epm[i] = epm;
  if (epm > 0 && p95 > open.p95[i]!) open.p95[i] = p95;
}

/** Closes the 5-minute block that ends with `minute`: its minutes were recorded (`recordMinute`) since the last close. */
export function closeBlock(rings: MinuteRings, i: number, minute: number): void {
  const { pick, block, open, n, ring } = rings;
  const b = Math.floor(minute / LOW_STEP_MINUTES);
  const bslot = (b % rings.blockRing) * n + i;
  block.cpu[bslot] = open.cpu[i]!;
  block.mem[bslot] = open.mem[i]!;
  block.epm[bslot] = open.epm[i]!;
  // The mixture's p95 is 0 when every minute's own is (the common case): bisect only otherwise.
  if (open.p95[i]! > 0) {
    for (let k = 0; k < LOW_STEP_MINUTES; k++) pick[k] = ((minute - k) % ring) * n + i;
    block.p95[bslot] = mixtureP95Columns(rings.shapes, pick, LOW_STEP_MINUTES);
  } else {
    block.p95[bslot] = 0;
  }
  open.cpu[i] = Number.NaN;
  open.mem[i] = Number.NaN;
  open.epm[i] = 0;
  open.p95[i] = 0;
}

/** Whether block `b` of tenant `i` is below every threshold given (a gap, NaN, never is). */
export function isLowBlock(rings: MinuteRings, i: number, b: number, thresholds: LowThresholds): boolean {
  const slot = (b % rings.blockRing) * rings.n + i;
  const { block } = rings;
  return (
    (thresholds.cpuPercent === undefined || block.cpu[slot]! < thresholds.cpuPercent) &&
    (thresholds.memoryPercent === undefined || block.mem[slot]! < thresholds.memoryPercent) &&
    (thresholds.executionsPerMinute === undefined || block.epm[slot]! < thresholds.executionsPerMinute) &&
    (thresholds.queueWaitP95Seconds === undefined || block.p95[slot]! < thresholds.queueWaitP95Seconds)
  );
}

/**
 * What the window queries read for tenant `i` over the `windowMinutes` before `minute`: the p95 of all
 * waits, the mean executions/min, the peak of busy slots, and the mean CPU and memory of the minutes
 * with samples (only when `dedicated`: a shared tenant has no series).
 */
export function windowFiguresOf(rings: MinuteRings, i: number, minute: number, windowMinutes: number, dedicated: boolean, executionsMonth: number): WindowFigures {
  const { cpu, mem, epm, busy, pick, n, ring } = rings;
  const count = Math.min(windowMinutes, minute, ring);
  const figures: WindowFigures = { queueWaitP95Seconds: undefined, cpuPercent: undefined, memoryPercent: undefined, executionsPerMinute: undefined, executionsMonth: undefined, concurrentExecutions: undefined };
  if (count <= 0) return figures;
  let cpuSum = 0;
  let memSum = 0;
  let measured = 0;
  let epmSum = 0;
  let busyMax = 0;
  for (let k = 0; k < count; k++) {
    const slot = ((minute - 1 - k) % ring) * n + i;
    pick[k] = slot;
    if (!Number.isNaN(cpu[slot]!)) {
      cpuSum += cpu[slot]!;
      memSum += mem[slot]!;
      measured += 1;
    }
    epmSum += epm[slot]!;
    if (busy[slot]! > busyMax) busyMax = busy[slot]!;
  }
  figures.queueWaitP95Seconds = mixtureP95Columns(rings.shapes, pick, count);
  figures.executionsPerMinute = epmSum / count;
  figures.executionsMonth = executionsMonth;
  figures.concurrentExecutions = busyMax;
  if (dedicated && measured > 0) {
    figures.cpuPercent = cpuSum / measured;
    figures.memoryPercent = memSum / measured;
  }
  return figures;
}

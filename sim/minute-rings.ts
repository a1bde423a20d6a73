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
    pick,
  };
}

/** Where tenant `i`'s figures of `minute` are. */
export function slotOf(rings: MinuteRings, i: number, minute: number): number {
  return (minute % rings.ring) * rings.n + i;
}

/** Closes the 5-minute block that ends with `minute` (its figures must be in the rings). */
export function closeBlock(rings: MinuteRings, i: number, minute: number): void {
  const { cpu, mem, epm, pick, block, n, ring } = rings;
  const b = Math.floor(minute / LOW_STEP_MINUTES);
  const bslot = (b % rings.blockRing) * n + i;
  let cpuMax = Number.NaN;
  let memMax = Number.NaN;
  let epmMax = 0;
  for (let k = 0; k < LOW_STEP_MINUTES; k++) {
    const s = ((minute - k) % ring) * n + i;
    pick[k] = s;
    // max_over_time of the samples there are; a step without any is NaN (a gap).
    if (!(cpu[s]! <= cpuMax)) cpuMax = Number.isNaN(cpu[s]!) ? cpuMax : cpu[s]!;
    if (!(mem[s]! <= memMax)) memMax = Number.isNaN(mem[s]!) ? memMax : mem[s]!;
    if (epm[s]! > epmMax) epmMax = epm[s]!;
  }
  block.cpu[bslot] = cpuMax;
  block.mem[bslot] = memMax;
  block.epm[bslot] = epmMax;
  block.p95[bslot] = mixtureP95Columns(rings.shapes, pick, LOW_STEP_MINUTES);
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

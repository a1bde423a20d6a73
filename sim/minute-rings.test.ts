// The rings hold each tenant's figures apart, and read them back as the window and "low since" queries would.
import { describe, expect, it } from 'vitest';
import { closeBlock, createMinuteRings, recordMinute, slotOf, windowFiguresOf, type MinuteRings } from './minute-rings.js';
import { mixtureP95Columns, p95Of } from './queueing.js';

function record(rings: MinuteRings, i: number, minute: number, figures: { cpu: number; epm: number; busy?: number; delay?: number; waitProbability?: number }): void {
  const slot = slotOf(rings, i, minute);
  const { shapes } = rings;
  shapes.weight[slot] = figures.epm;
  shapes.delay[slot] = figures.delay ?? 0;
  shapes.waitProbability[slot] = figures.waitProbability ?? 0;
  shapes.rate[slot] = 1;
  recordMinute(rings, slot, i, figures.cpu, figures.cpu, figures.epm, figures.busy ?? 0, p95Of(shapes.delay[slot]!, shapes.waitProbability[slot]!, 1));
}

describe('minute rings', () => {
  it('keeps tenants apart across the ring’s wrap, and a window reads the minutes before now', () => {
    const rings = createMinuteRings(3, 15, 4);
    for (let minute = 0; minute < 40; minute++) {
      for (let i = 0; i < 3; i++) record(rings, i, minute, { cpu: 10 * (i + 1), epm: minute + i, busy: i === 1 && minute === 30 ? 7 : 1 });
    }
    for (let i = 0; i < 3; i++) {
      const figures = windowFiguresOf(rings, i, 40, 15, true, 123);
      // Minutes 25–39: epm minute + i.
      expect(figures).toEqual({ queueWaitP95Seconds: 0, cpuPercent: 10 * (i + 1), memoryPercent: 10 * (i + 1), executionsPerMinute: 32 + i, executionsMonth: 123, concurrentExecutions: i === 1 ? 7 : 1 });
    }
    expect(windowFiguresOf(rings, 0, 0, 15, true, 0).executionsPerMinute).toBeUndefined();
  });

  it('a shared tenant (no CPU or memory samples, NaN) has no CPU figure, and its blocks no CPU maximum', () => {
    const rings = createMinuteRings(2, 15, 4);
    for (let minute = 0; minute < 5; minute++) {
      record(rings, 0, minute, { cpu: Number.NaN, epm: 2 });
      record(rings, 1, minute, { cpu: minute === 2 ? Number.NaN : minute * 10, epm: minute });
    }
    expect(windowFiguresOf(rings, 0, 5, 15, false, 0).cpuPercent).toBeUndefined();
    expect(windowFiguresOf(rings, 1, 5, 15, true, 0).cpuPercent).toBe((0 + 10 + 30 + 40) / 4);
    closeBlock(rings, 0, 4);
    closeBlock(rings, 1, 4);
    expect([rings.block.cpu[0], rings.block.epm[0]]).toEqual([Number.NaN, 2]);
    expect([rings.block.cpu[1], rings.block.epm[1], rings.block.p95[1]]).toEqual([40, 4, 0]);
  });

  it('closes a block from its own minutes: the maxima, and the mixture p95 only when a minute waits; the next block starts afresh', () => {
    const rings = createMinuteRings(1, 15, 4);
    for (let minute = 0; minute < 5; minute++) record(rings, 0, minute, { cpu: 90 - minute, epm: 10, delay: minute === 3 ? 4 : 0, waitProbability: minute === 3 ? 1 : 0 });
    closeBlock(rings, 0, 4);
    for (let minute = 5; minute < 10; minute++) record(rings, 0, minute, { cpu: 5, epm: 1 });
    closeBlock(rings, 0, 9);

    const scanned = mixtureP95Columns(rings.shapes, [0, 1, 2, 3, 4], 5);
    expect(scanned).toBeGreaterThan(0);
    expect([rings.block.cpu[0], rings.block.epm[0], rings.block.p95[0]]).toEqual([90, 10, scanned]);
    expect([rings.block.cpu[1], rings.block.epm[1], rings.block.p95[1]]).toEqual([5, 1, 0]);
  });
});

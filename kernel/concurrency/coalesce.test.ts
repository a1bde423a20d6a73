import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.js';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('coalesce', () => {
  it('runs once per call when calls do not overlap', async () => {
    let runs = 0;
    const refresh = coalesce(async () => void (runs += 1));

    refresh();
    await refresh.idle();
    refresh();
    await refresh.idle();

    expect(runs).toBe(2);
  });

  it('merges the calls made during a run into one more run, and never overlaps runs', async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    let inFlight = 0;
    let peak = 0;
    const refresh = coalesce(async () => {
      const gate = gates[runs];
      runs += 1;
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await gate?.promise;
      inFlight -= 1;
    });

    refresh();
    refresh();
    refresh();
    refresh();
    gates[0]!.resolve();
    gates[1]!.resolve();
    await refresh.idle();

    expect([runs, peak]).toEqual([2, 1]);
  });

  it('hands a failed run to onError and runs again on the next call', async () => {
    const errors: string[] = [];
    let runs = 0;
    const refresh = coalesce(async () => {
      runs += 1;
      if (runs === 1) throw new Error('store closed');
    }, (error) => errors.push((error as Error).message));

    refresh();
    await refresh.idle();
    refresh();
    await refresh.idle();

    expect([runs, errors]).toEqual([2, ['store closed']]);
  });
});

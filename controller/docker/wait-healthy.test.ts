// The exec-probe schedule of waitHealthy (pure); the waits themselves run
// against the test dockerd in apply-docker.test.ts.
import { describe, expect, it } from 'vitest';
import { probeGapMs } from './wait-healthy.js';

describe('probeGapMs', () => {
  it.each([
    { name: 'defaults: 250 ms, 500 ms, then every second', firstMs: 250, maxMs: 1_000, gaps: [250, 500, 1_000, 1_000, 1_000] },
    { name: 'a slower poll starts there', firstMs: 400, maxMs: 1_000, gaps: [400, 800, 1_000, 1_000, 1_000] },
    { name: 'a cap below the poll interval holds from the start', firstMs: 250, maxMs: 50, gaps: [50, 50, 50, 50, 50] },
  ])('$name', ({ firstMs, maxMs, gaps }) => {
    expect([1, 2, 3, 4, 5].map((n) => probeGapMs(n, { firstMs, maxMs }))).toEqual(gaps);
  });
});

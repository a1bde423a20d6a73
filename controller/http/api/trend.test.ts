import { describe, expect, it } from 'vitest';
import { linearFit, valueAt } from './trend.js';

describe('linearFit', () => {
  it.each([
    { name: 'no points', points: [], expected: undefined },
    { name: 'one point', points: [{ x: 1, y: 5 }], expected: undefined },
    { name: 'one x twice', points: [{ x: 1, y: 5 }, { x: 1, y: 7 }], expected: undefined },
    { name: 'an exact line', points: [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }], expected: { slope: 2, intercept: 1, points: 3 } },
    { name: 'flat', points: [{ x: 0, y: 4 }, { x: 10, y: 4 }], expected: { slope: 0, intercept: 4, points: 2 } },
    // mean x 1.5, mean y 2.5; sxy = (-1.5)(-1.5)+(-0.5)(0.5)+(0.5)(-0.5)+(1.5)(1.5) = 4, sxx = 5: slope 0.8, intercept 2.5 − 1.2 = 1.3.
    { name: 'a noisy line, by hand', points: [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }, { x: 3, y: 4 }], expected: { slope: 0.8, intercept: 1.3, points: 4 } },
    { name: 'a NaN sample is left out', points: [{ x: 0, y: 0 }, { x: 1, y: Number.NaN }, { x: 2, y: 2 }], expected: { slope: 1, intercept: 0, points: 2 } },
  ])('$name', ({ points, expected }) => {
    const fit = linearFit(points);
    if (expected === undefined) {
      expect(fit).toBeUndefined();
      return;
    }
    expect(fit?.points).toBe(expected.points);
    expect(fit?.slope).toBeCloseTo(expected.slope, 12);
    expect(fit?.intercept).toBeCloseTo(expected.intercept, 12);
  });

  it('valueAt extends the line', () => {
    expect(valueAt({ slope: 2, intercept: 1, points: 3 }, 10)).toBe(21);
  });
});

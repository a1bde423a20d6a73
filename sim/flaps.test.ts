import { describe, expect, it } from 'vitest';
import { countFlaps, type ResourceChangeRecord } from './flaps.js';

const H = 3_600_000;
const change = (hours: number, resource: ResourceChangeRecord['resource'], from: number, to: number): ResourceChangeRecord => ({ at: hours * H, resource, from, to });

describe('countFlaps', () => {
  it.each([
    { name: 'no changes', changes: [], expected: 0 },
    { name: 'up then down within the window', changes: [change(0, 'workers', 2, 3), change(2, 'workers', 3, 2)], expected: 1 },
    { name: 'down then up within the window', changes: [change(0, 'cpu', 2, 1), change(5.9, 'cpu', 1, 2)], expected: 1 },
    { name: 'a reversal after the window is not a flap', changes: [change(0, 'workers', 2, 3), change(6, 'workers', 3, 2)], expected: 0 },
    { name: 'two steps the same way', changes: [change(0, 'workers', 1, 2), change(1, 'workers', 2, 3)], expected: 0 },
    { name: 'other resources do not reverse each other', changes: [change(0, 'workers', 1, 2), change(1, 'cpu', 2, 1)], expected: 0 },
    { name: 'up, down, up: two flaps', changes: [change(0, 'workers', 1, 2), change(1, 'workers', 2, 1), change(2, 'workers', 1, 2)], expected: 2 },
    { name: 'a no-op change is ignored', changes: [change(0, 'workers', 1, 2), change(1, 'workers', 2, 2)], expected: 0 },
  ])('$name → $expected', ({ changes, expected }) => {
    expect(countFlaps(changes, 6 * H)).toBe(expected);
  });
});

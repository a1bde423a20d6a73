// One open PR per bot and tenant: opened, updated, left, closed, merged, as the runner's planRun does.
import { describe, expect, it } from 'vitest';
import type { FieldEdit } from '../bots/core/types.js';
import { claimMerge, closeUnwanted, createPullRequests, propose, sameEdits, takeEvents } from './pull-requests.js';

const workers = (value: number): FieldEdit[] => [{ path: ['spec', 'resources', 'workers'], value }];
const names = ['a', 'b', 'c'];

describe('sameEdits', () => {
  it.each([
    { name: 'same path and value', a: workers(3), b: workers(3), expected: true },
    { name: 'another value', a: workers(3), b: workers(4), expected: false },
    { name: 'another path', a: workers(3), b: [{ path: ['spec', 'resources', 'cpu'], value: 3 }], expected: false },
    { name: 'a longer path', a: workers(3), b: [{ path: ['spec', 'resources', 'workers', 'x'], value: 3 }], expected: false },
    { name: 'equal objects', a: [{ path: ['spec', 'promotion'], value: { window: 'w' } }], b: [{ path: ['spec', 'promotion'], value: { window: 'w' } }], expected: true },
    { name: 'more edits', a: workers(3), b: [...workers(3), ...workers(3)], expected: false },
  ])('$name → $expected', ({ a, b, expected }) => {
    expect(sameEdits(a, b)).toBe(expected);
  });
});

describe('pull requests', () => {
  it('opens once, updates on other edits (its merge moves), leaves the same edits, and merges only the latest', () => {
    const prs = createPullRequests(5, Number.POSITIVE_INFINITY);
    propose(prs, 'autoscale', 0, workers(3), true, 10);
    propose(prs, 'autoscale', 0, workers(3), true, 11);
    propose(prs, 'autoscale', 0, workers(4), true, 12);
    expect({ opened: prs.opened, review: prs.review }).toEqual({ opened: 1, review: 0 });
    const first = takeEvents(prs, 15)!;
    expect(first).toHaveLength(1);
    expect(first[0]!.kind === 'merge' && claimMerge(prs, first[0]!.pr)).toBe(false);
    const latest = takeEvents(prs, 17)!;
    expect(latest[0]!.kind === 'merge' && latest[0]!.pr.edits).toEqual(workers(4));
    expect(latest[0]!.kind === 'merge' && claimMerge(prs, latest[0]!.pr)).toBe(true);
    expect({ merged: prs.merged, open: prs.open.autoscale.size, queued: prs.events.size }).toEqual({ merged: 1, open: 0, queued: 0 });
  });

  it('a PR for review with no review delay waits forever: counted, never scheduled', () => {
    const prs = createPullRequests(5, Number.POSITIVE_INFINITY);
    propose(prs, 'autoscale', 1, workers(9), false, 10, true);
    expect({ opened: prs.opened, review: prs.review, queued: prs.events.size, open: prs.open.autoscale.size }).toEqual({ opened: 1, review: 1, queued: 0, open: 1 });
  });

  it.each([
    { name: 'undefined wanted closes nothing', wanted: undefined, keep: undefined, closed: 0 },
    { name: 'tenants no longer wanted close', wanted: new Set(['a']), keep: undefined, closed: 2 },
    { name: 'a kept beyond-ceiling PR stays', wanted: new Set(['a']), keep: new Set(['b']), closed: 1 },
    { name: 'keeping applies to beyond-ceiling PRs only', wanted: new Set(['a']), keep: new Set(['c']), closed: 2 },
  ])('closeUnwanted: $name', ({ wanted, keep, closed }) => {
    const prs = createPullRequests(5, 60);
    propose(prs, 'autoscale', 0, workers(3), true, 0);
    propose(prs, 'autoscale', 1, workers(9), false, 0, true);
    propose(prs, 'autoscale', 2, workers(3), true, 0);
    closeUnwanted(prs, 'autoscale', names, wanted, keep);
    expect(prs.closed).toBe(closed);
    expect(prs.open.autoscale.size).toBe(3 - closed);
  });
});

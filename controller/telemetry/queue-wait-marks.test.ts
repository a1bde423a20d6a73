import { describe, expect, it } from 'vitest';
import type { ExecutionRow } from './executions.js';
import { compareIds, newQueueWaits, nextMarks, readFromFor, seriesKey, type WaitMark } from './queue-wait-marks.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');
/** An instant `s` seconds after T0. */
const t = (s: number) => new Date(T0 + s * 1000);
const mark = (s: number, id = ''): WaitMark => ({ startedAtMs: T0 + s * 1000, id });

/** A row created at `created` s and started at `started` s (null: still queued). */
function row(id: string, created: number, started: number | null, status = started === null ? 'new' : 'success'): ExecutionRow {
  return { id, createdAt: t(created), startedAt: started === null ? null : t(started), stoppedAt: null, status };
}

const BOUNDS = { cutoff: t(290), readFrom: t(0) };

describe('newQueueWaits', () => {
  it.each<[string, ExecutionRow[], WaitMark | undefined, { waitsSeconds: number[]; mark: WaitMark; baseline: boolean }]>([
    ['first pass: nothing observed, the mark at the newest start', [row('1', 10, 12), row('2', 20, 25)], undefined, { waitsSeconds: [], mark: mark(25, '2'), baseline: true }],
    ['first pass without started rows: the mark at the read start', [row('3', 100, null)], undefined, { waitsSeconds: [], mark: mark(0), baseline: true }],
    ['first pass with no rows at all', [], undefined, { waitsSeconds: [], mark: mark(0), baseline: true }],
    ['rows at or below the mark are not observed again', [row('1', 10, 12), row('2', 20, 25), row('3', 30, 34)], mark(25, '2'), { waitsSeconds: [4], mark: mark(34, '3'), baseline: false }],
    ['nothing new: the mark stays', [row('1', 10, 12), row('2', 20, 25)], mark(25, '2'), { waitsSeconds: [], mark: mark(25, '2'), baseline: false }],
    ['same millisecond: the greater id is new, the smaller one is not', [row('7', 20, 25), row('9', 21, 25), row('8', 22, 25)], mark(25, '8'), { waitsSeconds: [4], mark: mark(25, '9'), baseline: false }],
    ['ids compare as numbers: 10 is after 9', [row('10', 23, 25)], mark(25, '9'), { waitsSeconds: [2], mark: mark(25, '10'), baseline: false }],
    ['rows started after the cutoff wait for a later pass', [row('4', 200, 240), row('5', 280, 295)], mark(25, '2'), { waitsSeconds: [40], mark: mark(240, '4'), baseline: false }],
    ['a later start committed before an earlier one, both within the cutoff: both observed', [row('6', 250, 260), row('5', 200, 255)], mark(25, '2'), { waitsSeconds: [10, 55], mark: mark(260, '6'), baseline: false }],
    ['queued rows are observed once they start, with their whole wait', [row('3', 100, null), row('4', 120, null)], mark(25, '2'), { waitsSeconds: [], mark: mark(25, '2'), baseline: false }],
    ['a start before its creation (clock skew) counts as no wait', [row('3', 50, 49.5)], mark(25, '2'), { waitsSeconds: [0], mark: mark(49.5, '3'), baseline: false }],
    ['a row still running from before the mark is not observed again', [row('1', 10, 12, 'running'), row('3', 40, 41)], mark(25, '2'), { waitsSeconds: [1], mark: mark(41, '3'), baseline: false }],
  ])('%s', (_name, rows, previous, expected) => {
    expect(newQueueWaits(rows, previous, BOUNDS)).toEqual(expected);
  });

  it('rows without an id at the mark\'s millisecond are taken as seen', () => {
    const rows: ExecutionRow[] = [{ createdAt: t(20), startedAt: t(25), stoppedAt: null, status: 'success' }];

    expect(newQueueWaits(rows, mark(25), BOUNDS)).toEqual({ waitsSeconds: [], mark: mark(25), baseline: false });
  });

  it('observes every execution exactly once over overlapping passes, queued ones once they start', () => {
    // Arrange: the table as it grows; a row becomes visible at `visibleAt` s; each pass reads a 300 s window.
    const table: { visibleAt: number; row: ExecutionRow }[] = [
      { visibleAt: 5, row: row('1', 0, 5) }, // before the first pass: never observed (baseline)
      { visibleAt: 70, row: row('2', 60, 70) },
      { visibleAt: 100, row: row('3', 90, 100) },
      { visibleAt: 125, row: row('4', 124, 125) }, // within the settle time of pass 2: left to pass 3
      { visibleAt: 200, row: row('5', 120, 200) }, // queued at pass 2, started 80 s after its creation
      { visibleAt: 201, row: row('6', 200, 201) },
      { visibleAt: 400, row: row('7', 395, 400) },
    ];
    const queued = (at: number) => table.filter((r) => r.row.createdAt.getTime() <= t(at).getTime() && r.visibleAt > at).map((r) => ({ ...r.row, startedAt: null, status: 'new' }));
    const settle = 10;
    let previous: WaitMark | undefined;
    const observed: number[] = [];

    // Act: passes at 60, 128, 260, 420 s.
    for (const now of [60, 128, 260, 420]) {
      const readFrom = readFromFor(t(now - 300), previous, t(now), 3_600_000);
      const visible = table.filter((r) => r.visibleAt <= now && r.row.startedAt!.getTime() >= readFrom.getTime()).map((r) => r.row);
      const pass = newQueueWaits([...visible, ...queued(now)], previous, { cutoff: t(now - settle), readFrom });
      observed.push(...pass.waitsSeconds);
      previous = pass.mark;
    }

    // Assert: rows 2..7 once each, with their waits; row 1 predates the first pass.
    expect(observed).toEqual([10, 10, 1, 80, 1, 5]);
  });
});

describe('readFromFor', () => {
  const hour = 3_600_000;

  it.each<[string, WaitMark | undefined, Date]>([
    ['no mark: the window start', undefined, t(0)],
    ['a mark inside the window: the window start', mark(100), t(0)],
    ['a mark before the window (failed passes): the mark', mark(-900), t(-900)],
    ['a mark older than the read-back limit: the limit', mark(-7200), t(300 - 3600)],
  ])('%s', (_name, previous, expected) => {
    expect(readFromFor(t(0), previous, t(300), hour)).toEqual(expected);
  });
});

describe('nextMarks', () => {
  type Target = { tenant: string; mode: 'shared' | 'dedicated'; plan: string };
  const acme: Target = { tenant: 'acme', mode: 'dedicated', plan: 'pro' };
  const hooli: Target = { tenant: 'hooli', mode: 'shared', plan: 'pro' };
  const hooliDedicated: Target = { tenant: 'hooli', mode: 'dedicated', plan: 'pro' };

  it.each<[string, [string, WaitMark][], { key: string; mark: WaitMark }[], Target[], [string, WaitMark][]]>([
    ['a read series takes its new mark', [[seriesKey(acme), mark(1)]], [{ key: seriesKey(acme), mark: mark(2) }], [acme], [[seriesKey(acme), mark(2)]]],
    ['a series whose read failed keeps its mark', [[seriesKey(acme), mark(1)], [seriesKey(hooli), mark(5)]], [{ key: seriesKey(acme), mark: mark(2) }], [acme, hooli], [[seriesKey(acme), mark(2)], [seriesKey(hooli), mark(5)]]],
    ['a tenant no longer measured loses its mark', [[seriesKey(acme), mark(1)], [seriesKey(hooli), mark(5)]], [], [acme], [[seriesKey(acme), mark(1)]]],
    ['a promoted tenant starts over: the shared mark does not apply to its own database', [[seriesKey(hooli), mark(5)]], [{ key: seriesKey(hooliDedicated), mark: mark(0) }], [hooliDedicated], [[seriesKey(hooliDedicated), mark(0)]]],
    ['a pass result for a series that is not a target is dropped', [], [{ key: seriesKey(hooli), mark: mark(3) }], [acme], []],
  ])('%s', (_name, previous, passed, targets, expected) => {
    expect([...nextMarks(new Map(previous), passed, targets)]).toEqual(expected);
  });
});

describe('compareIds', () => {
  it.each<[string, string, number]>([
    ['9', '10', -1],
    ['10', '9', 1],
    ['42', '42', 0],
    ['007', '7', 0],
    ['', '1', -1],
    ['abc', 'abd', -1],
  ])('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
});

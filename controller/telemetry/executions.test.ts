import { describe, expect, it } from 'vitest';
import { isRunning, p95, summarizeExecutions, type ExecutionRow } from './executions.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const WINDOW = { now: NOW, windowStart: new Date('2026-03-10T11:55:00Z') };

/** A row at NOW minus the given seconds; null stays null. */
function row(createdAgo: number, startedAgo: number | null, stoppedAgo: number | null, status: string | null): ExecutionRow {
  const at = (ago: number | null) => (ago === null ? null : new Date(NOW.getTime() - ago * 1000));
  return { createdAt: at(createdAgo)!, startedAt: at(startedAgo), stoppedAt: at(stoppedAgo), status };
}

describe('p95', () => {
  it.each([
    ['none', [], 0],
    ['one', [7], 7],
    ['nearest rank of 20: the 19th', Array.from({ length: 20 }, (_, i) => i + 1), 19],
    ['nearest rank of 100: the 95th', Array.from({ length: 100 }, (_, i) => 100 - i), 95],
    ['nearest rank of 10: the 10th (ceil 9.5)', [1, 2, 3, 4, 5, 6, 7, 8, 9, 50], 50],
    ['unsorted input', [3, 1, 2], 3],
  ] as [string, number[], number][])('%s', (_name, values, expected) => {
    expect(p95(values)).toBe(expected);
  });
});

describe('isRunning', () => {
  it.each([
    ['status running, not stopped', row(10, 9, null, 'running'), true],
    ['no status (old rows), started, not stopped', row(10, 9, null, null), true],
    ['stopped', row(10, 9, 1, 'success'), false],
    ['queued (not started)', row(10, null, null, 'new'), false],
    ['sleeping in a Wait node', row(10, 9, null, 'waiting'), false],
    ['crashed without stoppedAt', row(10, 9, null, 'crashed'), false],
    ['starts in the future (clock skew)', row(0, -5, null, 'running'), false],
  ] as [string, ExecutionRow, boolean][])('%s', (_name, r, expected) => {
    expect(isRunning(r, NOW)).toBe(expected);
  });
});

describe('summarizeExecutions', () => {
  it('counts executions started in the window per minute and the queue wait of each', () => {
    // 10 executions started in the 5-minute window with waits 1..10 s.
    const rows = Array.from({ length: 10 }, (_, i) => row(60 + i + 1 + (i + 1), 60 + i + 1, 60 + i, 'success'));

    const summary = summarizeExecutions({ rows, periodCount: 1234 }, WINDOW);

    expect(summary).toEqual({ executionsPerMinute: 2, executionsMonth: 1234, concurrentExecutions: 0, queueWaitP95Seconds: 10, executionSuccessRatio: 1 });
  });

  it('leaves out executions started before the window, but counts them as running if not stopped', () => {
    const rows = [
      row(400, 399, 390, 'success'), // before the window
      row(600, 590, null, 'running'), // long-running, started before the window
      row(30, 28, null, 'running'), // started in the window, still running
      row(20, 18, 10, 'error'), // started in the window, failed
    ];

    const summary = summarizeExecutions({ rows, periodCount: 4 }, WINDOW);

    expect(summary.executionsPerMinute).toBeCloseTo(2 / 5, 12);
    expect(summary.concurrentExecutions).toBe(2);
    expect(summary.queueWaitP95Seconds).toBe(2);
  });

  it('counts executions still in the queue with their wait so far', () => {
    const rows = [
      row(50, 49, 40, 'success'), // waited 1 s
      row(45, null, null, 'new'), // queued 45 s and counting
    ];

    const summary = summarizeExecutions({ rows, periodCount: 2 }, WINDOW);

    expect(summary.queueWaitP95Seconds).toBe(45);
    expect(summary.executionsPerMinute).toBeCloseTo(1 / 5, 12);
    expect(summary.concurrentExecutions).toBe(0);
  });

  it('gives the p95, not the max, when enough executions started', () => {
    // 40 executions: 38 waited 0.5 s, 2 waited 30 s; rank ceil(38) = 38th is 0.5 s.
    const rows = [
      ...Array.from({ length: 38 }, () => row(100.5, 100, 99, 'success')),
      row(130, 100, 99, 'success'),
      row(130, 100, 99, 'success'),
    ];

    expect(summarizeExecutions({ rows, periodCount: 40 }, WINDOW).queueWaitP95Seconds).toBe(0.5);
  });

  it('treats a start before creation (clock skew between main and worker) as no wait', () => {
    const rows = [row(10, 12, 5, 'success')];

    expect(summarizeExecutions({ rows, periodCount: 1 }, WINDOW).queueWaitP95Seconds).toBe(0);
  });

  it('reports zeros, and the month count, for a tenant that ran nothing in the window', () => {
    const summary = summarizeExecutions({ rows: [], periodCount: 77 }, WINDOW);

    expect(summary).toEqual({ executionsPerMinute: 0, executionsMonth: 77, concurrentExecutions: 0, queueWaitP95Seconds: 0 });
  });

  it.each([
    ['3 successes, 1 error', ['success', 'success', 'success', 'error'], 0.75],
    ['a crash counts as a failure', ['success', 'crashed'], 0.5],
    ['canceled and still-running ones are left out', ['success', 'canceled', 'running', null], 1],
    ['only failures', ['error', 'error'], 0],
    ['nothing finished: no ratio at all (not 0, not 1)', ['running', 'canceled', 'waiting'], undefined],
  ] as const)('the success ratio of the executions started in the window: %s', (_name, statuses, ratio) => {
    const rows = statuses.map((status) => row(100, 90, status === 'running' || status === null ? null : 80, status));
    // Started before the window: not in the ratio, whatever it ended as.
    rows.push(row(900, 800, 700, 'error'));

    expect(summarizeExecutions({ rows, periodCount: 0 }, WINDOW).executionSuccessRatio).toBe(ratio);
  });

  it('ignores Wait-node executions and rows created after now', () => {
    const rows = [row(400, 390, null, 'waiting'), row(-5, null, null, 'new')];

    const summary = summarizeExecutions({ rows, periodCount: 2 }, WINDOW);

    expect(summary).toEqual({ executionsPerMinute: 0, executionsMonth: 2, concurrentExecutions: 0, queueWaitP95Seconds: 0 });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => summarizeExecutions({ rows: [], periodCount: 0 }, { now: WINDOW.windowStart, windowStart: NOW })).toThrow(/window must end after it starts/);
  });
});

import { describe, expect, it } from 'vitest';
import { recordQueueWaits } from '../../controller/metrics/record-queue-waits.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { collectTenantMetrics } from './collect.js';
import type { ExecutionRow } from './executions.js';
import { nextMarks, seriesKey, type WaitMark } from './queue-wait-marks.js';
import type { ExecutionQuery, TelemetrySources, TelemetryTarget } from './types.js';

// The collector's side of the queue-wait histogram: which waits a pass hands
// to recordQueueWaits, given the marks of the previous one. In-memory edges
// that answer like the SQL source (rows started since the query's lower bound).
const acme: TelemetryTarget = { tenant: 'acme', mode: 'dedicated', plan: 'pro' };
const hooli: TelemetryTarget = { tenant: 'hooli', mode: 'shared', plan: 'pro' };
const at = (iso: string) => new Date(`2026-03-10T${iso}Z`);

function row(id: string, created: string, started: string | null): ExecutionRow {
  return { id, createdAt: at(created), startedAt: started === null ? null : at(started), stoppedAt: null, status: started === null ? 'new' : 'running' };
}

/** acme's table: rows visible from the first instant, answering each query by its started-since bound. */
const TABLE: ExecutionRow[] = [
  row('1', '11:40:00', '11:40:02'),
  row('2', '11:58:00', '11:58:03'),
  row('3', '12:00:50', '12:01:00'),
  row('4', '12:01:50', '12:01:55'),
  row('5', '12:02:30', null),
];

function tableSource(queries: ExecutionQuery[], failFor: string[] = []): TelemetrySources {
  return {
    executions: async (target, query) => {
      queries.push(query);
      if (failFor.includes(target.tenant)) throw new Error('connection refused');
      const from = (query.startedSince ?? query.windowStart).getTime();
      const rows = TABLE.filter((r) => (r.startedAt ? r.startedAt.getTime() >= from && r.startedAt <= query.now : r.createdAt <= query.now));
      return { rows, periodCount: rows.length };
    },
  };
}

describe('collectTenantMetrics with queue-wait marks', () => {
  it('baselines a series on its first pass, then hands over only the waits started since', async () => {
    const queries: ExecutionQuery[] = [];
    const sources = tableSource(queries);

    const first = await collectTenantMetrics([acme], sources, { now: at('12:00:00'), queueWaitMarks: new Map() });
    const marks = nextMarks(new Map(), first.queueWaits, [acme]);
    const second = await collectTenantMetrics([acme], sources, { now: at('12:02:00'), queueWaitMarks: marks });

    expect(first.queueWaits).toEqual([{ ...acme, key: seriesKey(acme), waitsSeconds: [], baseline: true, mark: { startedAtMs: at('11:58:03').getTime(), id: '2' } }]);
    // 12:01:55 is within the 10 s settle time of 12:02:00: left to the next pass.
    expect(second.queueWaits).toEqual([{ ...acme, key: seriesKey(acme), waitsSeconds: [10], baseline: false, mark: { startedAtMs: at('12:01:00').getTime(), id: '3' } }]);
    expect(queries.map((q) => q.startedSince)).toEqual([undefined, undefined]);
    expect(second.samples[0]?.queueWaitP95Seconds).toBe(10); // the gauge is as before: p95 over the window
  });

  it('reads back to a mark older than the window (after failed passes), within the read-back limit', async () => {
    const queries: ExecutionQuery[] = [];
    const marks = new Map<string, WaitMark>([[seriesKey(acme), { startedAtMs: at('11:40:02').getTime(), id: '1' }]]);

    const result = await collectTenantMetrics([acme], tableSource(queries), { now: at('12:02:30'), queueWaitMarks: marks });

    expect(queries[0]?.startedSince).toEqual(at('11:40:02'));
    expect(result.queueWaits[0]?.waitsSeconds).toEqual([3, 10, 5]);
  });

  it('gives no entry for a tenant whose read failed, and nextMarks keeps its mark', async () => {
    const mark = { startedAtMs: at('11:58:03').getTime(), id: '2' };
    const marks = new Map<string, WaitMark>([[seriesKey(hooli), mark]]);

    const result = await collectTenantMetrics([acme, hooli], tableSource([], ['hooli']), { now: at('12:00:00'), queueWaitMarks: marks });

    expect(result.queueWaits.map((w) => w.tenant)).toEqual(['acme']);
    expect(result.errors.map((e) => e.code)).toEqual(['telemetry.executions-failed']);
    expect(nextMarks(marks, result.queueWaits, [acme, hooli]).get(seriesKey(hooli))).toEqual(mark);
  });

  it('hands over nothing without marks (the histogram is off)', async () => {
    const result = await collectTenantMetrics([acme], tableSource([]), { now: at('12:00:00') });

    expect(result.queueWaits).toEqual([]);
    expect(result.samples).toHaveLength(1);
  });

  it('refuses a settle time as long as the window', async () => {
    await expect(collectTenantMetrics([acme], {}, { queueWaitMarks: new Map(), windowMs: 60_000, settleMs: 60_000 })).rejects.toThrow(/settleMs/);
  });

  it('feeds recordQueueWaits so that every wait is counted once over the passes', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const sources = tableSource([]);
    let marks = new Map<string, WaitMark>();

    for (const now of ['12:00:00', '12:01:30', '12:02:00', '12:03:00', '12:04:00']) {
      const result = await collectTenantMetrics([acme], sources, { now: at(now), queueWaitMarks: marks });
      await recordQueueWaits(metrics, result.queueWaits, [acme]);
      marks = nextMarks(marks, result.queueWaits, [acme]);
    }
    const text = await metrics.registry.metrics();

    // Rows 3 (10 s) and 4 (5 s), once each; rows 1 and 2 predate the first pass, row 5 never started.
    expect(text).toContain('rp9_tenant_queue_wait_seconds_count{tenant="acme",mode="dedicated",plan="pro"} 2');
    expect(text).toContain('rp9_tenant_queue_wait_seconds_sum{tenant="acme",mode="dedicated",plan="pro"} 15');
  });
});

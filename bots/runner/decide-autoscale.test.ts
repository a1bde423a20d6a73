import { describe, expect, it } from 'vitest';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import type { BotMetrics, LowThresholds, WindowFigures } from '../sources/types.js';
import { decideAutoscaleRun, lowThresholdsFor } from './decide-autoscale.js';

const platform = examplePlatform(new URL('../../', import.meta.url));
const figures = (cpuPercent: number, memoryPercent: number, queueWaitP95Seconds: number, executionsPerMinute: number) => ({ cpuPercent, memoryPercent, queueWaitP95Seconds, executionsPerMinute });

describe('lowThresholdsFor', () => {
  it.each([
    ['everything low: both rules, thresholds with the tolerance applied', figures(5, 10, 0.2, 0.5), { cpuPercent: 18, memoryPercent: 27, queueWaitP95Seconds: 0.9, executionsPerMinute: 1.8 }],
    ['only cpu and memory low', figures(5, 10, 3, 6), { cpuPercent: 18, memoryPercent: 27 }],
    ['only the queue low', figures(50, 10, 0.2, 0.5), { queueWaitP95Seconds: 0.9, executionsPerMinute: 1.8 }],
    ['cpu exactly at the limit', figures(18, 10, 3, 6), undefined],
    ['no data for memory', figures(5, Number.NaN, 3, 6), undefined],
  ])('%s', (_name, metrics, expected) => {
    expect(lowThresholdsFor(metrics, platform)).toEqual(expected);
  });
});

describe('decideAutoscaleRun', () => {
  it('proposes nothing, closes nothing and says why without metrics', async () => {
    const decision = await decideAutoscaleRun({ platform, tenants: [], now: new Date() });

    expect(decision).toEqual({ proposals: [], wanted: undefined, held: [], notes: ['metrics unavailable (no Prometheus configured): autoscale needs them and proposes nothing'], metricsUnavailable: 'no Prometheus configured' });
  });

  const now = new Date('2026-03-10T12:00:00Z');
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const tenant = (resources: string) => tenantFromYaml(tenantYaml('acme', ['plan: pro', 'mode: dedicated', `resources: ${resources}`]), schemasDirOf(new URL('../../', import.meta.url)));
  const idle: WindowFigures = { queueWaitP95Seconds: 0.2, cpuPercent: 5, memoryPercent: 10, executionsPerMinute: 0.5, executionsMonth: 100, concurrentExecutions: 1 };

  /** Figures for acme; "low since" answers by the thresholds asked: the scale-down ones 7 h, the cpu peak ones `cpuPeak`, the worker peak ones `workerPeak`. */
  function metrics(figures: WindowFigures, cpuPeak: number | undefined, workerPeak: number | undefined): BotMetrics & { asked: { thresholds: LowThresholds; lookback: number }[] } {
    const asked: { thresholds: LowThresholds; lookback: number }[] = [];
    return {
      asked,
      async window() {
        return new Map([['acme', figures]]);
      },
      async lowSince(_tenant, thresholds, _now, lookback) {
        asked.push({ thresholds, lookback });
        const hours = thresholds.cpuPercent !== undefined && thresholds.cpuPercent > 40 ? cpuPeak : thresholds.executionsPerMinute !== undefined && thresholds.executionsPerMinute > 10 ? workerPeak : 7;
        return hours === undefined ? undefined : hoursAgo(hours);
      },
      async ready() {
        return new Map([['acme', true]]);
      },
    };
  }

  it.each<[string, number | undefined, number | undefined, string[]]>([
    ['peaks of the last week fit both steps: cpu and workers go', 168.1, 168.1, ['spec.resources.cpu 2→1.5', 'spec.resources.workers 2→1']],
    ['a CPU peak 5 h ago: only the worker goes', 5, 168.1, ['spec.resources.workers 2→1']],
    ['an executions peak 5 h ago: only the core goes', 168.1, 5, ['spec.resources.cpu 2→1.5']],
    ['peaks never fit: nothing goes', undefined, undefined, []],
  ])('reads the peaks of the last scaleDownPeakHours before a scale-down: %s', async (_name, cpuPeak, workerPeak, expected) => {
    const source = metrics(idle, cpuPeak, workerPeak);

    const decision = await decideAutoscaleRun({ platform, tenants: [tenant('{ cpu: 2, workers: 2 }')], metrics: source, now });

    expect(decision.proposals.flatMap((p) => p.edits.map((e) => `${e.path.join('.')} ${String(e.previous)}→${String(e.value)}`))).toEqual(expected);
    expect(source.asked.slice(1)).toEqual([
      { thresholds: { cpuPercent: 66 }, lookback: 168 * 3600 + 300 },
      { thresholds: { queueWaitP95Seconds: 5.5, executionsPerMinute: 11 }, lookback: 168 * 3600 + 300 },
    ]);
  });

  it.each<[string, number | undefined, string[]]>([
    ['resources never changed in the look-back: the peaks of 168 h count', undefined, ['spec.resources.cpu 2→1.5', 'spec.resources.workers 2→1']],
    ['resources changed 10 h ago: only 10 h were measured with this allocation, nothing goes', 10, []],
    ['resources changed 167 h ago: still too short, nothing goes', 167, []],
    ['resources changed exactly 168 h ago: both go', 168, ['spec.resources.cpu 2→1.5', 'spec.resources.workers 2→1']],
  ])('counts the peaks from the last change of spec.resources: %s', async (_name, changedHoursAgo, expected) => {
    const changedAt = changedHoursAgo === undefined ? undefined : hoursAgo(changedHoursAgo);
    const asked: Date[] = [];
    const decision = await decideAutoscaleRun({
      platform,
      tenants: [tenant('{ cpu: 2, workers: 2 }')],
      metrics: metrics(idle, 170, 170),
      history: {
        async lastChangeAt(_file, _field, since) {
          asked.push(since);
          return changedAt && changedAt >= since ? changedAt : undefined;
        },
      },
      now,
    });

    expect(decision.proposals.flatMap((p) => p.edits.map((e) => `${e.path.join('.')} ${String(e.previous)}→${String(e.value)}`))).toEqual(expected);
    expect(asked[0]).toEqual(hoursAgo(168));
  });

  it.each<[string, number | undefined, string[], string[]]>([
    ['never changed: proposed', undefined, ['acme'], []],
    ['changed 59 minutes ago: held by the cooldown', 59, [], ['acme']],
    ['changed exactly 60 minutes ago: proposed', 60, ['acme'], []],
  ])('applies the cooldown from git history to the proposals: %s', async (_name, minutesAgo, proposed, held) => {
    const hot: WindowFigures = { ...idle, queueWaitP95Seconds: 9, executionsPerMinute: 5 };
    const changedAt = minutesAgo === undefined ? undefined : new Date(now.getTime() - minutesAgo * 60_000);
    const decision = await decideAutoscaleRun({
      platform,
      tenants: [tenant('{ workers: 2 }')],
      metrics: metrics(hot, undefined, undefined),
      history: { lastChangeAt: async (_file, _field, since) => (changedAt && changedAt >= since ? changedAt : undefined) },
      now,
    });

    expect(decision.proposals.map((p) => p.tenant)).toEqual(proposed);
    expect(decision.held.map((h) => h.tenant)).toEqual(held);
    expect(decision.wanted).toEqual(new Set(['acme']));
  });

  it.each<[string, string, WindowFigures, number]>([
    ['at 1 core and 1 worker, everything low: nothing to release, nothing asked', '{ cpu: 1, workers: 1 }', idle, 0],
    ['at 1 core, only cpu and memory low: nothing asked', '{ cpu: 1, workers: 2 }', { ...idle, queueWaitP95Seconds: 3, executionsPerMinute: 6 }, 0],
    ['at 1 core and 2 workers, everything low: low since and the worker peaks, not the cpu peaks', '{ cpu: 1, workers: 2 }', idle, 2],
  ])('asks "low since", the peaks and the history only for what a scale-down could release: %s', async (_name, resources, figures, lowQuestions) => {
    const source = metrics(figures, 170, 170);
    const historyReads: string[] = [];
    const decision = await decideAutoscaleRun({
      platform,
      tenants: [tenant(resources)],
      metrics: source,
      history: {
        async lastChangeAt(file) {
          historyReads.push(file);
          return undefined;
        },
      },
      now,
    });

    expect(source.asked).toHaveLength(lowQuestions);
    expect(historyReads).toEqual(lowQuestions > 0 ? ['tenants/acme.yaml', 'tenants/acme.yaml'] : []);
    expect(decision.proposals.flatMap((p) => p.edits.map((e) => `${e.path.join('.')} ${String(e.previous)}→${String(e.value)}`))).toEqual(lowQuestions > 0 ? ['spec.resources.workers 2→1'] : []);
  });

  it('keeps the beyond-ceiling PR of a tenant at its ceiling while its queue is warm, not once it is quiet', async () => {
    const warm = await decideAutoscaleRun({ platform, tenants: [tenant('{ workers: 4 }')], metrics: metrics({ ...idle, queueWaitP95Seconds: 3, executionsPerMinute: 5 }, undefined, undefined), now });
    const quiet = await decideAutoscaleRun({ platform, tenants: [tenant('{ workers: 4 }')], metrics: metrics(idle, undefined, undefined), now });

    expect(warm.proposals).toEqual([]);
    expect(warm.keepBeyondCeiling).toEqual(new Set(['acme']));
    expect(quiet.keepBeyondCeiling).toEqual(new Set());
  });
});

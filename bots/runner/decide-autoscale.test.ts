import { describe, expect, it } from 'vitest';
import { examplePlatform } from '../core/fixtures.js';
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
});

import { describe, expect, it } from 'vitest';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { evaluateCandidate, priorityOf, signalPoints, type PromotionMetrics } from './score.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);
const quiet: PromotionMetrics = { queueWaitP95Seconds: 1, executionsMonth: 1000, concurrentExecutions: 1 };

function shared(plan: string, spec: string[] = [], metadata: string[] = []) {
  return tenantFromYaml(tenantYaml('acme', [`plan: ${plan}`, 'mode: shared', ...spec], metadata), schemasDirOf(root));
}

describe('signalPoints', () => {
  it.each<[number, number, number, number]>([
    [30, 5, 5, 0],
    [30, 4, 5, 0],
    [30, 5.0001, 5, 15],
    [30, 7.5, 5, 22.5],
    [30, 10, 5, 30],
    [30, 50, 5, 30],
    [20, 1, 0, 20],
    [20, Number.NaN, 5, 0],
  ])('weight %d, value %d over threshold %d → %d points', (weight, value, threshold, points) => {
    expect(signalPoints(weight, value, threshold)).toBeCloseTo(points, 2);
  });
});

describe('priorityOf', () => {
  it.each<[number, boolean, string]>([
    [100, false, 'high'],
    [70, false, 'high'],
    [69, false, 'medium'],
    [40, false, 'medium'],
    [39, false, 'low'],
    [0, false, 'low'],
    [10, true, 'high'],
  ])('score %d, requiresDedicated %s → %s', (score, requiresDedicated, priority) => {
    expect(priorityOf(score, requiresDedicated)).toBe(priority);
  });
});

describe('evaluateCandidate', () => {
  it.each<[string, ReturnType<typeof shared>, Partial<PromotionMetrics> | undefined, { score: number; priority: string; reasons: string[] } | undefined]>([
    ['quiet starter tenant: no candidate', shared('starter'), {}, undefined],
    ['no metrics and no compliance needs: no candidate', shared('pro'), undefined, undefined],
    ['p95 exactly 5 s: no trigger', shared('starter'), { queueWaitP95Seconds: 5 }, undefined],
    ['p95 6.2 s: 40 × (0.5 + 0.5 × 0.24) = 24.8 → 25, low', shared('starter'), { queueWaitP95Seconds: 6.2 }, { score: 25, priority: 'low', reasons: ['High queue latency: 6.2 s p95'] }],
    ['executions exactly 5,000 (50 % of Pro): no trigger', shared('starter'), { executionsMonth: 5000 }, undefined],
    ['executions 8,500/month: 33 × 0.85 = 28.05 → 28', shared('starter'), { executionsMonth: 8500 }, { score: 28, priority: 'low', reasons: ['High execution volume: 8,500/month'] }],
    ['concurrency exactly 5: no trigger', shared('starter'), { concurrentExecutions: 5 }, undefined],
    ['concurrency 10: full 27', shared('starter'), { concurrentExecutions: 10 }, { score: 27, priority: 'low', reasons: ['High concurrency: 10 simultaneous executions'] }],
    ['every performance signal at twice its threshold: 40 + 33 + 27 = 100, high', shared('pro'), { queueWaitP95Seconds: 10, executionsMonth: 10000, concurrentExecutions: 10 }, {
      score: 100,
      priority: 'high',
      reasons: ['High queue latency: 10 s p95', 'High execution volume: 10,000/month', 'High concurrency: 10 simultaneous executions'],
    }],
    ['p95 9 s + 8,500/month: 36 + 28.05 → 64, medium', shared('pro'), { queueWaitP95Seconds: 9, executionsMonth: 8500 }, { score: 64, priority: 'medium', reasons: ['High queue latency: 9 s p95', 'High execution volume: 8,500/month'] }],
    ['Enterprise on shared: requires dedicated, high', shared('enterprise'), undefined, { score: 100, priority: 'high', reasons: ['Enterprise plan requires dedicated infrastructure'] }],
    ['compliance frameworks: 45, medium', shared('pro', ['compliance: { frameworks: [hipaa, soc2] }']), undefined, { score: 45, priority: 'medium', reasons: ['Compliance requirements: HIPAA, SOC 2'] }],
    ['data residency: 40, medium', shared('pro', ['compliance: { dataResidency: eu }']), undefined, { score: 40, priority: 'medium', reasons: ['Data residency required: eu'] }],
    ['custom-domain label: 30, low', shared('pro', [], ['labels: { rp9.io/wants-custom-domain: "true" }']), undefined, { score: 30, priority: 'low', reasons: ['Custom domain requested (dedicated only)'] }],
    ['the label set to "false" is no request', shared('pro', [], ['labels: { rp9.io/wants-custom-domain: "false" }']), undefined, undefined],
    ['frameworks + residency: 85, high', shared('pro', ['compliance: { dataResidency: eu, frameworks: [gdpr] }']), undefined, { score: 85, priority: 'high', reasons: ['Compliance requirements: GDPR', 'Data residency required: eu'] }],
    ['performance and compliance add up', shared('pro', ['compliance: { dataResidency: eu }']), { queueWaitP95Seconds: 6.2 }, { score: 65, priority: 'medium', reasons: ['High queue latency: 6.2 s p95', 'Data residency required: eu'] }],
  ])('%s', (_name, tenant, metrics, expected) => {
    // Act
    const candidate = evaluateCandidate(tenant, metrics ? { ...quiet, ...metrics } : undefined, platform);

    // Assert
    expect(candidate && { score: candidate.score, priority: candidate.priority, reasons: candidate.reasons }).toEqual(expected);
  });

  it('scores no CPU figure: shared tenants have none, so CPU is not a signal (weights rescaled)', () => {
    const hot = { ...quiet, cpuPercent: 160 } as PromotionMetrics;

    expect(evaluateCandidate(shared('starter'), hot, platform)).toBeUndefined();
  });

  it('uses the tenant plan for the executions threshold when there is no "pro" plan', () => {
    // Arrange
    const noPro = structuredClone(platform);
    delete (noPro.spec.plans as Record<string, unknown>).pro;

    // Act: starter allows 1,000/month, so 50 % is 500
    const candidate = evaluateCandidate(shared('starter'), { ...quiet, executionsMonth: 600 }, noPro);

    // Assert
    expect(candidate?.evidence).toEqual([{ metric: 'executionsMonth', value: 600, threshold: 500, comparator: '>', window: '30d', unit: '/month' }]);
  });

  it('records evidence for each trigger and names which triggers fired', () => {
    // Act
    const candidate = evaluateCandidate(shared('enterprise'), { ...quiet, queueWaitP95Seconds: 6.2, window: '4h' }, platform);

    // Assert
    expect(candidate?.triggers).toEqual(['performance', 'compliance']);
    expect(candidate?.evidence).toEqual([
      { metric: 'queueWaitP95Seconds', value: 6.2, threshold: 5, comparator: '>', window: '4h', unit: 's' },
      { metric: 'plans.enterprise.requiresDedicated', value: true, threshold: true, comparator: '==', window: '', unit: '' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from './auto-merge.js';
import { examplePlatform } from './fixtures.js';
import { renderPrBody } from './pr-body.js';
import type { Proposal } from './types.js';

const platform = examplePlatform(new URL('../../', import.meta.url));

const scaleUp: Proposal = {
  bot: 'autoscale',
  tenant: 'acme',
  file: 'tenants/acme.yaml',
  edits: [
    { path: ['spec', 'resources', 'workers'], value: 3, previous: 2 },
    { path: ['spec', 'resources', 'memoryMb'], value: 3072, previous: undefined },
  ],
  riskClass: 'withinCeiling',
  trigger: 'Scale up: queue wait p95 6.2 s > 5.5 s',
  evidence: [
    { metric: 'queueWaitP95Seconds', value: 6.2, threshold: 5.5, comparator: '>', window: '15m', unit: 's' },
    { metric: 'executionsPerMinute', value: 12345.678, threshold: 11, comparator: '>', window: '15m', unit: '/min' },
    { metric: 'cpuPercent', value: 91, threshold: 88, comparator: '>', window: '15m', unit: '%' },
  ],
  summary: 'acme ran hot.',
  title: 'autoscale: scale up acme (workers 2 → 3)',
  labels: ['rp9-bot'],
};

describe('renderPrBody', () => {
  it('explains trigger, evidence, change and the auto-merge rule', () => {
    // Act
    const body = renderPrBody(scaleUp, autoMergeDecision(scaleUp, platform));

    // Assert
    expect(body).toBe(
      [
        '## autoscale: scale up acme (workers 2 → 3)',
        '',
        'acme ran hot.',
        '',
        '**Trigger:** Scale up: queue wait p95 6.2 s > 5.5 s',
        '',
        '### Evidence',
        '',
        '| Metric | Value | Threshold | Window |',
        '| --- | --- | --- | --- |',
        '| `queueWaitP95Seconds` | 6.2 s | > 5.5 s | 15m |',
        '| `executionsPerMinute` | 12,345.68/min | > 11/min | 15m |',
        '| `cpuPercent` | 91% | > 88% | 15m |',
        '',
        '### Proposed change',
        '',
        'In `tenants/acme.yaml`:',
        '',
        '- `spec.resources.workers`: `2` → `3`',
        '- `spec.resources.memoryMb`: `(unset)` → `3072`',
        '',
        '### Auto-merge',
        '',
        'This PR merges automatically once checks pass (risk class `withinCeiling`): `autoMerge.autoscale.withinCeiling = true`.',
        '',
        '---',
        'Opened by the rp9 `autoscale` bot for tenant `acme`. Bots only propose: merging this PR is what changes the platform.',
        '',
      ].join('\n'),
    );
  });

  it('says when a human must review, and which setting says so', () => {
    // Arrange
    const beyond = { ...scaleUp, riskClass: 'beyondCeiling' } as Proposal;

    // Act
    const body = renderPrBody(beyond, autoMergeDecision(beyond, platform));

    // Assert
    expect(body).toContain('This PR waits for a human review (risk class `beyondCeiling`): `autoMerge.autoscale.beyondCeiling = false`.');
  });

  it('is deterministic, carries no hidden markers, and has a time only when given one', () => {
    // Arrange
    const decision = autoMergeDecision(scaleUp, platform);

    // Act
    const first = renderPrBody(scaleUp, decision);
    const second = renderPrBody(structuredClone(scaleUp), decision);
    const timed = renderPrBody(scaleUp, decision, { now: new Date('2026-03-10T12:00:00Z') });

    // Assert
    expect(second).toBe(first);
    expect(first).not.toContain('<!--');
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(timed).toContain('Evaluated at 2026-03-10T12:00:00.000Z.');
  });

  it('renders deletions, objects, config-only evidence and escapes table cells', () => {
    // Arrange
    const promotion: Proposal = {
      ...scaleUp,
      bot: 'promotion',
      riskClass: 'high',
      evidence: [{ metric: 'plan|requiresDedicated', value: true, threshold: true, comparator: '==', window: '', unit: '' }],
      edits: [
        { path: ['spec', 'promotion'], value: { window: '2026-03-14T22:00:00Z', ttlMinutes: 10 }, previous: undefined },
        { path: ['spec', 'limits', 'executionsMonthly'], value: undefined, previous: 12000 },
      ],
    };

    // Act
    const body = renderPrBody(promotion, autoMergeDecision(promotion, platform));

    // Assert
    expect(body).toContain('| `plan\\|requiresDedicated` | true | == true | — |');
    expect(body).toContain('- `spec.promotion`: `(unset)` → `{ window: "2026-03-14T22:00:00Z", ttlMinutes: 10 }`');
    expect(body).toContain('- `spec.limits.executionsMonthly`: `12000` → `(removed)`');
  });

  it('says so when there is no measured evidence', () => {
    // Act
    const body = renderPrBody({ ...scaleUp, evidence: [] }, { autoMerge: false, rule: 'x' });

    // Assert
    expect(body).toContain('No measurements: this change follows from the configuration alone.');
  });
});

import { describe, expect, it } from 'vitest';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/load-config.js';
import { applyEdits } from '../core/yaml-edit.js';
import type { Platform } from '../../types/platform.js';
import { decideAutoscale, type AutoscaleTenantInput, type TenantWindowMetrics } from './decide.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);
const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

// Inside every band: nothing should happen.
const calm: TenantWindowMetrics = { queueWaitP95Seconds: 2, cpuPercent: 50, memoryPercent: 50, executionsPerMinute: 5 };
// Low for 7 h, and the last week's peaks fit one step less of cpu and of workers (scaleDownPeakHours 168).
const idle: TenantWindowMetrics = { queueWaitP95Seconds: 0.2, cpuPercent: 5, memoryPercent: 10, executionsPerMinute: 0.5, lowSince: hoursAgo(7), peakFitsSince: { cpu: hoursAgo(169), workers: hoursAgo(169) } };

function tenantText(name: string, resources: string | undefined, extra: string[] = [], plan = 'pro'): string {
  return tenantYaml(name, [`plan: ${plan}`, 'mode: dedicated', ...(resources ? [`resources: ${resources}`] : []), ...extra]);
}

function input(resources: string | undefined, metrics: Partial<TenantWindowMetrics>, options: { name?: string; extra?: string[]; plan?: string; lastResourceChangeAt?: Date } = {}): AutoscaleTenantInput {
  const text = tenantText(options.name ?? 'acme', resources, options.extra, options.plan);
  return { tenant: tenantFromYaml(text, schemasDirOf(root)), lastResourceChangeAt: options.lastResourceChangeAt, metrics: { ...calm, ...metrics } };
}

function changes(inputs: AutoscaleTenantInput[], on: Platform = platform) {
  return decideAutoscale({ tenants: inputs }, on, now).map((p) => ({
    tenant: p.tenant,
    riskClass: p.riskClass,
    edits: Object.fromEntries(p.edits.map((e) => [e.path.join('.'), `${String(e.previous)}→${String(e.value)}`])),
  }));
}

const PRO = '{ cpu: 2, memoryMb: 2048, workers: 2 }';

describe('decideAutoscale: scale up', () => {
  it.each<[string, string | undefined, Partial<TenantWindowMetrics>, Record<string, string> | undefined]>([
    ['p95 above threshold+tolerance adds a worker', PRO, { queueWaitP95Seconds: 5.6 }, { 'spec.resources.workers': '2→3' }],
    ['p95 exactly at threshold+tolerance does nothing', PRO, { queueWaitP95Seconds: 5.5 }, undefined],
    ['p95 above threshold but inside the tolerance band does nothing', PRO, { queueWaitP95Seconds: 5.2 }, undefined],
    ['executions/min above 11 adds a worker', PRO, { executionsPerMinute: 11.1 }, { 'spec.resources.workers': '2→3' }],
    ['executions/min exactly 11 does nothing', PRO, { executionsPerMinute: 11 }, undefined],
    ['p95 and executions/min together add one worker, not two', PRO, { queueWaitP95Seconds: 9, executionsPerMinute: 30 }, { 'spec.resources.workers': '2→3' }],
    ['CPU above 88 % adds a core', PRO, { cpuPercent: 88.1 }, { 'spec.resources.cpu': '2→3' }],
    ['CPU exactly 88 % does nothing', PRO, { cpuPercent: 88 }, undefined],
    ['memory at 90 % adds 50 %: no band on the way up for memory', PRO, { memoryPercent: 90 }, { 'spec.resources.memoryMb': '2048→3072' }],
    ['memory just above 85 % adds 50 %', PRO, { memoryPercent: 85.1 }, { 'spec.resources.memoryMb': '2048→3072' }],
    ['memory exactly 85 % does nothing', PRO, { memoryPercent: 85 }, undefined],
    ['CPU at 85 % is inside its band (88 %)', PRO, { cpuPercent: 85 }, undefined],
    ['memory +50 % rounds up to 256 MB', '{ cpu: 2, memoryMb: 1000, workers: 2 }', { memoryPercent: 99 }, { 'spec.resources.memoryMb': '1000→1536' }],
    ['memory +50 % is capped at the ceiling', '{ cpu: 2, memoryMb: 3072, workers: 2 }', { memoryPercent: 99 }, { 'spec.resources.memoryMb': '3072→4096' }],
    ['a half-core step is capped at the ceiling', '{ cpu: 3.5, memoryMb: 2048, workers: 2 }', { cpuPercent: 99 }, { 'spec.resources.cpu': '3.5→4' }],
    ['resources default to the plan when omitted', undefined, { queueWaitP95Seconds: 8, cpuPercent: 95 }, { 'spec.resources.workers': '2→3', 'spec.resources.cpu': '2→3' }],
    ['a partial resources map defaults the rest', '{ workers: 3 }', { cpuPercent: 95 }, { 'spec.resources.cpu': '2→3' }],
    ['everything hot moves every resource once', PRO, { queueWaitP95Seconds: 8, cpuPercent: 95, memoryPercent: 95, executionsPerMinute: 50 }, {
      'spec.resources.workers': '2→3',
      'spec.resources.cpu': '2→3',
      'spec.resources.memoryMb': '2048→3072',
    }],
  ])('%s', (_name, resources, metrics, expected) => {
    // Act
    const result = changes([input(resources, metrics)]);

    // Assert
    expect(result).toEqual(expected ? [{ tenant: 'acme', riskClass: 'withinCeiling', edits: expected }] : []);
  });

  it.each<[string, string, Partial<TenantWindowMetrics>, string, Record<string, string>]>([
    ['at the worker ceiling and still queued: one beyond, for review, with the exception it needs', '{ cpu: 2, memoryMb: 2048, workers: 4 }', { queueWaitP95Seconds: 8 }, 'beyondCeiling', {
      'spec.resources.workers': '4→5',
      'spec.resources.ceilingException.reason': "undefined→autoscale: workers 4 → 5 (ceiling 4) above the pro plan's ceiling, granted by merging the reviewed pull request",
    }],
    ['at the cpu ceiling and still hot: one core beyond', '{ cpu: 4, memoryMb: 2048, workers: 2 }', { cpuPercent: 99 }, 'beyondCeiling', {
      'spec.resources.cpu': '4→5',
      'spec.resources.ceilingException.reason': "undefined→autoscale: cpu 4 → 5 (ceiling 4) above the pro plan's ceiling, granted by merging the reviewed pull request",
    }],
    ['at the memory ceiling: +50 % beyond', '{ cpu: 2, memoryMb: 4096, workers: 2 }', { memoryPercent: 99 }, 'beyondCeiling', {
      'spec.resources.memoryMb': '4096→6144',
      'spec.resources.ceilingException.reason': "undefined→autoscale: memoryMb 4,096 → 6,144 (ceiling 4,096) above the pro plan's ceiling, granted by merging the reviewed pull request",
    }],
    ['above the ceiling already, under an exception: one more step, the exception kept', '{ cpu: 2, memoryMb: 2048, workers: 6, ceilingException: { reason: hand-sized } }', { queueWaitP95Seconds: 8 }, 'beyondCeiling', { 'spec.resources.workers': '6→7' }],
    ['within-ceiling steps go first; beyond-ceiling ones wait', '{ cpu: 2, memoryMb: 2048, workers: 4 }', { queueWaitP95Seconds: 8, cpuPercent: 99 }, 'withinCeiling', { 'spec.resources.cpu': '2→3' }],
  ])('%s', (_name, resources, metrics, riskClass, expected) => {
    // Act
    const result = changes([input(resources, metrics)]);

    // Assert
    expect(result).toEqual([{ tenant: 'acme', riskClass, edits: expected }]);
  });

  it('with tolerance 0, exactly at the threshold is still no action and just above acts', () => {
    // Arrange
    const strict = structuredClone(platform);
    strict.spec.policies.autoscale.tolerancePercent = 0;

    // Act
    const at = changes([input(PRO, { queueWaitP95Seconds: 5, cpuPercent: 80 })], strict);
    const above = changes([input(PRO, { queueWaitP95Seconds: 5.01 })], strict);

    // Assert
    expect(at).toEqual([]);
    expect(above).toEqual([{ tenant: 'acme', riskClass: 'withinCeiling', edits: { 'spec.resources.workers': '2→3' } }]);
  });

  it('gives each signal its own band: an override moves only that signal and direction', () => {
    const own = structuredClone(platform);
    own.spec.policies.autoscale.tolerance = { cpuPercent: { up: 0 }, memoryPercent: { up: 10 } };

    expect(changes([input(PRO, { cpuPercent: 85 })], own)).toEqual([{ tenant: 'acme', riskClass: 'withinCeiling', edits: { 'spec.resources.cpu': '2→3' } }]);
    expect(changes([input(PRO, { memoryPercent: 90 })], own)).toEqual([]);
    expect(changes([input(PRO, { queueWaitP95Seconds: 5.4 })], own)).toEqual([]);
  });

  it('records the evidence with the tolerance-adjusted thresholds and the window', () => {
    // Act
    const [proposal] = decideAutoscale({ tenants: [input(PRO, { queueWaitP95Seconds: 6.2, executionsPerMinute: 12 })] }, platform, now);

    // Assert
    expect(proposal?.evidence).toEqual([
      { metric: 'queueWaitP95Seconds', value: 6.2, threshold: 5.5, comparator: '>', window: '15m', unit: 's' },
      { metric: 'executionsPerMinute', value: 12, threshold: 11, comparator: '>', window: '15m', unit: '/min' },
    ]);
    expect(proposal?.trigger).toBe('Scale up: queue wait p95 6.2 s > 5.5 s; executions 12/min > 11/min');
    expect(proposal?.title).toBe('autoscale: scale up acme (workers 2 → 3)');
    expect(proposal?.labels).toEqual(['rp9-bot', 'bot:autoscale', 'risk:withinCeiling']);
    expect(proposal?.file).toBe('tenants/acme.yaml');
  });

  it('a beyond-ceiling proposal keeps the file valid: the step and its exception, one warning, no error', () => {
    // Arrange
    const text = tenantText('acme', undefined, ['# hand-sized', '']).replace('mode: dedicated', 'mode: dedicated\n  resources:\n    workers: 4 # the pro ceiling');
    const tenantInput = { tenant: tenantFromYaml(text, schemasDirOf(root)), metrics: { ...calm, queueWaitP95Seconds: 8 } };

    // Act
    const [proposal] = decideAutoscale({ tenants: [tenantInput] }, platform, now);
    const after = applyEdits(text, proposal?.edits ?? []);

    // Assert
    expect(proposal?.riskClass).toBe('beyondCeiling');
    const { diagnostics } = loadConfig({ platform: { path: 'platform.yaml', bytes: readFileSync(new URL('platform.yaml', root)) }, tenants: [{ path: 'tenants/acme.yaml', bytes: Buffer.from(after) }], problems: [] });
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}`)).toEqual(['warning tenant.resources-beyond-ceiling spec.resources.workers']);
    expect(after).toContain('    workers: 5 # the pro ceiling\n    ceilingException: { reason: "autoscale: workers 4 → 5 (ceiling 4) above the pro plan\'s ceiling');
  });

  it('beyond-ceiling proposals name the ceiling in their evidence', () => {
    // Act
    const [proposal] = decideAutoscale({ tenants: [input('{ workers: 4 }', { queueWaitP95Seconds: 8 })] }, platform, now);

    // Assert
    expect(proposal?.evidence).toContainEqual({ metric: 'resources.workers', value: 4, threshold: 4, comparator: '>=', window: '', unit: '' });
    expect(proposal?.summary).toContain("at its plan's ceiling");
  });
});

describe('decideAutoscale: scale down', () => {
  it.each<[string, string, Partial<TenantWindowMetrics>, Record<string, string> | undefined]>([
    ['idle for 7 h: half a core and one worker less', PRO, {}, { 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }],
    ['low CPU but memory not low: workers only', PRO, { memoryPercent: 40 }, { 'spec.resources.workers': '2→1' }],
    ['low queue but executions not low: cpu only', PRO, { executionsPerMinute: 3 }, { 'spec.resources.cpu': '2→1.5' }],
    ['CPU exactly at 18 % (20 − 10 %) does nothing for cpu', PRO, { cpuPercent: 18 }, { 'spec.resources.workers': '2→1' }],
    ['CPU below 20 % but inside the band does nothing for cpu', PRO, { cpuPercent: 19 }, { 'spec.resources.workers': '2→1' }],
    ['p95 exactly 0.9 s does nothing for workers', PRO, { queueWaitP95Seconds: 0.9 }, { 'spec.resources.cpu': '2→1.5' }],
    ['already at 1 core and 1 worker: nothing', '{ cpu: 1, memoryMb: 2048, workers: 1 }', {}, undefined],
    ['1.5 cores go down to 1, not 0.5', '{ cpu: 1.5, memoryMb: 2048, workers: 1 }', {}, { 'spec.resources.cpu': '1.5→1' }],
    ['half a core is never raised by a scale-down', '{ cpu: 0.5, memoryMb: 2048, workers: 1 }', {}, undefined],
    ['low for 5 h 59 m: not stable yet', PRO, { lowSince: minutesAgo(359) }, undefined],
    ['low for exactly 6 h: stable', PRO, { lowSince: hoursAgo(6) }, { 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }],
    ['no lowSince from the metrics side: never scales down', PRO, { lowSince: undefined }, undefined],
    ['scale-up wins: hot CPU with an idle queue only adds a core', PRO, { cpuPercent: 95 }, { 'spec.resources.cpu': '2→3' }],
    ['back within the ceiling: the ceiling exception goes too', '{ cpu: 4.5, memoryMb: 2048, workers: 1, ceilingException: { reason: peak } }', {}, {
      'spec.resources.cpu': '4.5→4',
      'spec.resources.ceilingException': '[object Object]→undefined',
    }],
    ['still above the ceiling after the step: the exception stays', '{ cpu: 5, memoryMb: 2048, workers: 1, ceilingException: { reason: peak } }', {}, { 'spec.resources.cpu': '5→4.5' }],
    ['storage above the ceiling keeps the exception', '{ cpu: 4.5, memoryMb: 2048, workers: 1, storageGb: 80, ceilingException: { reason: peak } }', {}, { 'spec.resources.cpu': '4.5→4' }],
  ])('%s', (_name, resources, metrics, expected) => {
    // Act
    const result = changes([input(resources, { ...idle, ...metrics })]);

    // Assert
    expect(result.map((r) => r.edits)).toEqual(expected ? [expected] : []);
  });

  it.each<[string, TenantWindowMetrics['peakFitsSince'], Record<string, string> | undefined]>([
    ['peaks fit both for 169 h: half a core and one worker less', { cpu: hoursAgo(169), workers: hoursAgo(169) }, { 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }],
    ['peaks fit for exactly 168 h: released', { cpu: hoursAgo(168), workers: hoursAgo(168) }, { 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }],
    ['peaks fit for 167 h 59 m: kept (a peak of the last week would undo it)', { cpu: minutesAgo(168 * 60 - 1), workers: minutesAgo(168 * 60 - 1) }, undefined],
    ['only the cpu peaks fit: cpu only', { cpu: hoursAgo(170) }, { 'spec.resources.cpu': '2→1.5' }],
    ['only the worker peaks fit: workers only', { cpu: hoursAgo(3), workers: hoursAgo(170) }, { 'spec.resources.workers': '2→1' }],
    ['no peak figures from the metrics side: nothing scales down', undefined, undefined],
  ])('%s', (_name, peakFitsSince, expected) => {
    // Act
    const result = changes([input(PRO, { ...idle, peakFitsSince })]);

    // Assert
    expect(result.map((r) => r.edits)).toEqual(expected ? [expected] : []);
  });

  it('with scaleDownPeakHours 0 the peaks are not checked', () => {
    // Arrange
    const unchecked = structuredClone(platform);
    unchecked.spec.policies.autoscale.scaleDownPeakHours = 0;

    // Act
    const result = changes([input(PRO, { ...idle, peakFitsSince: undefined })], unchecked);

    // Assert
    expect(result.map((r) => r.edits)).toEqual([{ 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }]);
  });

  it.each<[string, number, string, Record<string, string>]>([
    ['scaleDownCpuStep 0.5 (the default): half a core', 0.5, PRO, { 'spec.resources.cpu': '2→1.5', 'spec.resources.workers': '2→1' }],
    ['scaleDownCpuStep 1: a whole core', 1, PRO, { 'spec.resources.cpu': '2→1', 'spec.resources.workers': '2→1' }],
    ['scaleDownCpuStep 2: never below 1', 2, '{ cpu: 2.5, memoryMb: 2048, workers: 1 }', { 'spec.resources.cpu': '2.5→1' }],
  ])('a step down releases scaleDownCpuStep cores per container: %s', (_name, step, resources, expected) => {
    // Arrange
    const stepped = structuredClone(platform);
    stepped.spec.policies.autoscale.scaleDownCpuStep = step;

    // Act
    const result = changes([input(resources, idle)], stepped);

    // Assert
    expect(result.map((r) => r.edits)).toEqual([expected]);
  });

  it('memory is never scaled down', () => {
    // Act
    const [proposal] = decideAutoscale({ tenants: [input('{ cpu: 1, memoryMb: 4096, workers: 1 }', { ...idle, memoryPercent: 1 })] }, platform, now);

    // Assert
    expect(proposal).toBeUndefined();
  });

  it('scale-down evidence includes how long the tenant has been low', () => {
    // Act
    const [proposal] = decideAutoscale({ tenants: [input(PRO, idle)] }, platform, now);

    // Assert
    expect(proposal?.riskClass).toBe('withinCeiling');
    expect(proposal?.evidence).toContainEqual({ metric: 'belowScaleDownThresholdsFor', value: 7, threshold: 6, comparator: '>=', window: '', unit: 'h' });
    expect(proposal?.evidence).toContainEqual({ metric: 'peaksFitSmallerAllocationFor', value: 169, threshold: 168, comparator: '>=', window: '', unit: 'h' });
    expect(proposal?.title).toBe('autoscale: scale down acme (cpu 2 → 1.5, workers 2 → 1)');
  });
});

describe('decideAutoscale: who and when', () => {
  const hot = { queueWaitP95Seconds: 8 };

  it.each<[string, AutoscaleTenantInput, boolean]>([
    ['a shared tenant is skipped', { ...input(undefined, hot), tenant: tenantFromYaml(tenantYaml('acme', ['plan: pro', 'mode: shared']), schemasDirOf(root)) }, false],
    ['a suspended dedicated tenant is skipped', input(PRO, hot, { extra: ['suspended: true'] }), false],
    ['a tenant on an unknown plan is skipped', input(PRO, hot, { plan: 'platinum' }), false],
    ['changed 59 minutes ago: in cooldown', input(PRO, hot, { lastResourceChangeAt: minutesAgo(59) }), false],
    ['changed exactly 60 minutes ago: cooldown over', input(PRO, hot, { lastResourceChangeAt: minutesAgo(60) }), true],
    ['changed in the future (clock skew): treated as cooldown', input(PRO, hot, { lastResourceChangeAt: minutesAgo(-5) }), false],
    ['never changed: no cooldown', input(PRO, hot), true],
    ['non-finite metrics fire nothing', input(PRO, { queueWaitP95Seconds: Number.NaN, cpuPercent: Number.POSITIVE_INFINITY - Number.POSITIVE_INFINITY }), false],
  ])('%s', (_name, tenantInput, proposes) => {
    // Act
    const result = decideAutoscale({ tenants: [tenantInput] }, platform, now);

    // Assert
    expect(result.length).toBe(proposes ? 1 : 0);
  });

  it('orders scale-ups within the ceiling, then beyond it, then scale-downs; ties by tenant', () => {
    // Arrange
    const tenants = [
      input(PRO, idle, { name: 'delta' }),
      input('{ workers: 4 }', hot, { name: 'charlie' }),
      input(PRO, hot, { name: 'bravo' }),
      input(PRO, hot, { name: 'alpha' }),
      input(PRO, idle, { name: 'aardvark' }),
    ];

    // Act
    const order = decideAutoscale({ tenants }, platform, now).map((p) => `${p.tenant}:${p.riskClass}`);

    // Assert
    expect(order).toEqual(['alpha:withinCeiling', 'bravo:withinCeiling', 'charlie:beyondCeiling', 'aardvark:withinCeiling', 'delta:withinCeiling']);
  });

  it('its edits keep the tenant file valid and add one line (after the last field, before trailing comments)', () => {
    // Arrange
    const text = tenantText('acme', undefined, ['# sized by the autoscale bot']);
    const tenantInput = { tenant: tenantFromYaml(text, schemasDirOf(root)), metrics: { ...calm, queueWaitP95Seconds: 8, cpuPercent: 95 } };

    // Act
    const [proposal] = decideAutoscale({ tenants: [tenantInput] }, platform, now);
    const after = applyEdits(text, proposal?.edits ?? []);

    // Assert
    expect(after).toBe(text.replace('  # sized', '  resources: { workers: 3, cpu: 3 }\n  # sized'));
    expect(tenantFromYaml(after, schemasDirOf(root)).spec.resources).toEqual({ workers: 3, cpu: 3 });
  });
});

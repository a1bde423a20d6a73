import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from '../core/auto-merge.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { changedFields, checkOwnership } from '../core/ownership.js';
import { applyEdits } from '../core/yaml-edit.js';
import { decidePromotion, REASON_MAX, type PromotionInputs, type PromotionMetrics } from './decide.js';
import { renderCandidateTable } from './table.js';

const root = new URL('../../', import.meta.url);
const schemas = schemasDirOf(root);
const platform = examplePlatform(root);
const now = new Date('2026-03-10T12:00:00Z');
const files = Object.fromEntries(readdirSync(new URL('tenants/', root)).map((name) => [name.replace(/\.yaml$/, ''), readFileSync(new URL(`tenants/${name}`, root), 'utf8')]));
const quiet: PromotionMetrics = { queueWaitP95Seconds: 1, executionsMonth: 1000, concurrentExecutions: 1 };

function exampleInputs(metrics: Record<string, Partial<PromotionMetrics>>): PromotionInputs {
  return {
    tenants: Object.entries(files).map(([name, text]) => ({
      tenant: tenantFromYaml(text, schemas),
      metrics: metrics[name] ? { ...quiet, ...metrics[name] } : undefined,
    })),
  };
}

describe('decidePromotion on the example tenants', () => {
  const decision = decidePromotion(exampleInputs({ hooli: { queueWaitP95Seconds: 6.2, executionsMonth: 8500 }, initech: {} }), platform, now);

  it('considers only shared, running tenants without a scheduled promotion, best score first', () => {
    // Assert: acme, globex, stark, wayne are dedicated; umbrella has a promotion; vandelay is suspended.
    expect(decision.candidates.map((c) => [c.tenant, c.score, c.priority])).toEqual([
      ['hooli', 53, 'medium'],
      ['soylent', 40, 'medium'],
    ]);
  });

  it('schedules each move in the next maintenance window with the policy TTL', () => {
    // Assert
    expect(decision.proposals.map((p) => p.edits)).toEqual([
      [
        { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
        { path: ['spec', 'promotion'], value: { window: '2026-03-14T22:00:00Z', ttlMinutes: 10, reason: 'Auto-promotion (score 53, medium): High queue latency: 6.2 s p95; High execution volume: 8,500/month' }, previous: undefined },
      ],
      [
        { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
        { path: ['spec', 'promotion'], value: { window: '2026-03-14T22:00:00Z', ttlMinutes: 10, reason: 'Auto-promotion (score 40, medium): Data residency required: eu' }, previous: undefined },
      ],
    ]);
    expect(decision.proposals.map((p) => [p.tenant, p.riskClass, p.file, p.title])).toEqual([
      ['hooli', 'medium', 'tenants/hooli.yaml', 'promotion: move hooli to dedicated (score 53, medium)'],
      ['soylent', 'medium', 'tenants/soylent.yaml', 'promotion: move soylent to dedicated (score 40, medium)'],
    ]);
    expect(decision.proposals[0]?.trigger).toBe('Trigger A (performance): High queue latency: 6.2 s p95; High execution volume: 8,500/month');
    expect(decision.proposals[0]?.labels).toEqual(['rp9-bot', 'bot:promotion', 'risk:medium']);
  });

  it('produces a valid tenant file that changes only promotion-owned fields', () => {
    // Arrange
    const proposal = decision.proposals[0];
    const before = files.hooli as string;

    // Act
    const after = applyEdits(before, proposal?.edits ?? [], { file: 'tenants/hooli.yaml' });
    const fields = changedFields(before, after);

    // Assert
    expect(tenantFromYaml(after, schemas).spec).toMatchObject({ mode: 'dedicated', promotion: { window: '2026-03-14T22:00:00Z', ttlMinutes: 10 } });
    expect(fields).toEqual(['spec.mode', 'spec.promotion.reason', 'spec.promotion.ttlMinutes', 'spec.promotion.window']);
    expect(checkOwnership('promotion', fields)).toEqual([]);
    expect(after.split('\n').length - before.split('\n').length).toBe(4);
  });

  it('renders the dry-run candidate table', () => {
    // Act
    const table = renderCandidateTable(decision.candidates);

    // Assert
    expect(table).toBe(
      [
        'TENANT   PLAN  SCORE  PRIORITY  REASONS',
        'hooli    pro      53  medium    High queue latency: 6.2 s p95; High execution volume: 8,500/month',
        'soylent  pro      40  medium    Data residency required: eu',
        '',
      ].join('\n'),
    );
  });
});

describe('decidePromotion rules', () => {
  it('an Enterprise tenant on shared without a promotion is high priority and auto-merges by default', () => {
    // Arrange
    const text = tenantYaml('umbrella', ['plan: enterprise', 'mode: shared', 'compliance: { frameworks: [hipaa] }']);

    // Act
    const { proposals } = decidePromotion({ tenants: [{ tenant: tenantFromYaml(text, schemas) }] }, platform, now);

    // Assert
    expect(proposals.map((p) => [p.riskClass, autoMergeDecision(p, platform)])).toEqual([['high', { autoMerge: true, rule: 'autoMerge.promotion.high = true' }]]);
    expect(proposals[0]?.trigger).toBe('Trigger B (compliance): Enterprise plan requires dedicated infrastructure; Compliance requirements: HIPAA');
  });

  it.each<[string, string[], boolean]>([
    ['a tenant on an unknown plan is skipped', ['plan: platinum', 'mode: shared', 'compliance: { dataResidency: eu }'], false],
    ['a dedicated tenant is skipped', ['plan: enterprise', 'mode: dedicated'], false],
    ['a suspended shared tenant is skipped', ['plan: enterprise', 'mode: shared', 'suspended: true'], false],
    ['a shared tenant with a promotion already is skipped', ['plan: enterprise', 'mode: shared', 'promotion: { window: "2026-04-01T22:00:00Z" }'], false],
    ['a shared enterprise tenant is a candidate', ['plan: enterprise', 'mode: shared'], true],
  ])('%s', (_name, spec, proposes) => {
    // Act
    const { candidates, proposals } = decidePromotion({ tenants: [{ tenant: tenantFromYaml(tenantYaml('t', spec), schemas) }] }, platform, now);

    // Assert
    expect([candidates.length, proposals.length]).toEqual(proposes ? [1, 1] : [0, 0]);
  });

  it('cuts the reason to the schema limit of 500 characters', () => {
    // Arrange
    const tenant = tenantFromYaml(tenantYaml('t', ['plan: enterprise', 'mode: shared', 'compliance: { dataResidency: eu, frameworks: [gdpr, hipaa, soc2, pci-dss, iso27001] }']), schemas);
    const long = structuredClone(platform);
    (long.spec.plans.enterprise as { displayName?: string }).displayName = 'E'.repeat(480);

    // Act
    const { proposals } = decidePromotion({ tenants: [{ tenant }] }, long, now);
    const reason = (proposals[0]?.edits[1]?.value as { reason: string }).reason;

    // Assert
    expect(reason).toHaveLength(REASON_MAX);
    expect(reason.endsWith('…')).toBe(true);
  });

  it('needs a maintenance window only when there is something to schedule', () => {
    // Arrange
    const noWindow = structuredClone(platform);
    noWindow.spec.policies.promotion.maintenanceWindow.weekdays = [];
    const enterprise = { tenant: tenantFromYaml(tenantYaml('t', ['plan: enterprise', 'mode: shared']), schemas) };
    const starter = { tenant: tenantFromYaml(tenantYaml('s', ['plan: starter', 'mode: shared']), schemas) };

    // Act
    const quietRun = decidePromotion({ tenants: [starter] }, noWindow, now);
    const act = () => decidePromotion({ tenants: [enterprise] }, noWindow, now);

    // Assert
    expect(quietRun).toEqual({ candidates: [], proposals: [] });
    expect(act).toThrow(/maintenanceWindow\.weekdays is empty/);
  });

  it('prints a friendly line when there are no candidates', () => {
    expect(renderCandidateTable([])).toBe('No promotion candidates.\n');
  });
});

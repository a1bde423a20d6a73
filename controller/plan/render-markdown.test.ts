import { describe, expect, it } from 'vitest';
import type { Plan } from '../model.js';
import { renderPlanMarkdown } from './render-markdown.js';

const summary = { create: 1, update: 1, recreate: 1, delete: 1, retain: 1, unchanged: 4, downtime: 1 };

function samplePlan(overrides: Partial<Plan> = {}): Plan {
  return {
    environment: 'prod',
    commit: 'c0ffee1',
    summary,
    tenants: [
      {
        tenant: 'acme',
        change: 'update',
        actions: [
          { op: 'update', kind: 'container', name: 'rp9-acme-main', tenant: 'acme', reason: 'resources change in place', changes: [{ field: 'cpu', from: 2, to: 3 }], downtime: false },
          { op: 'recreate', kind: 'container', name: 'rp9-acme-worker-1', tenant: 'acme', reason: 'configuration changed', changes: [{ field: 'image', from: 'rp9/n8n:1', to: 'rp9/n8n:2' }], downtime: true },
          { op: 'create', kind: 'route', name: 'acme', tenant: 'acme', reason: 'a | b <script>', changes: [], downtime: false },
        ],
      },
      { tenant: 'calm', change: 'noop', actions: [] },
      {
        tenant: 'old',
        change: 'delete',
        actions: [
          { op: 'delete', kind: 'route', name: 'old', tenant: 'old', reason: 'tenant removed from the config', changes: [], downtime: false },
          { op: 'retain', kind: 'database', name: 'rp9_old', tenant: 'old', reason: 'retained until explicit purge', changes: [], downtime: false },
        ],
      },
    ],
    ...overrides,
  };
}

describe('renderPlanMarkdown', () => {
  it('writes a table per changing tenant with the change and downtime', () => {
    expect(renderPlanMarkdown(samplePlan())).toBe(
      [
        '### rp9 plan for `prod` at `c0ffee1`',
        '',
        '**Plan: 1 to create, 1 to update, 1 to recreate, 1 to delete, 1 retained; 1 action causes downtime.**',
        '',
        '#### ~ `acme`: update (downtime)',
        '',
        '| | Action | Resource | Details | Downtime |',
        '|---|---|---|---|---|',
        '| ~ | update | container `rp9-acme-main` | cpu: 2 → 3 | no |',
        '| -/+ | recreate | container `rp9-acme-worker-1` | image: rp9/n8n:1 → rp9/n8n:2 | **yes** |',
        '| + | create | route `acme` | a \\| b &lt;script&gt; | no |',
        '',
        '#### - `old`: delete',
        '',
        '| | Action | Resource | Details | Downtime |',
        '|---|---|---|---|---|',
        '| - | delete | route `old` | tenant removed from the config | no |',
        '| = | retain | database `rp9_old` | retained | no |',
        '',
      ].join('\n'),
    );
  });

  it('puts a refusal above everything', () => {
    const text = renderPlanMarkdown(samplePlan({ refused: { code: 'plan.mass-deletion', message: '3 of 4 live tenants (75%) would be deleted' } }));

    expect(text.split('\n').slice(2, 4)).toEqual(['> **Plan refused (plan.mass-deletion): 3 of 4 live tenants (75%) would be deleted**', '> Nothing will be applied.']);
  });

  it('says which override lets removals through, above the summary', () => {
    const text = renderPlanMarkdown(samplePlan({ deletionOverride: { by: 'safety.allowDeletion', tenants: ['old', 'older'], reason: 'trials | ended' } }));

    expect(text.split('\n').slice(2, 4)).toEqual(['> Removal of old, older allowed by spec.safety.allowDeletion in platform.yaml: trials \\| ended', '']);
  });

  it('says when nothing changes', () => {
    const text = renderPlanMarkdown(samplePlan({ summary: { create: 0, update: 0, recreate: 0, delete: 0, retain: 0, unchanged: 9, downtime: 0 }, tenants: [{ tenant: 'calm', change: 'noop', actions: [] }] }));

    expect(text).toBe('### rp9 plan for `prod` at `c0ffee1`\n\n**No changes. The platform matches the config.**\n');
  });
});

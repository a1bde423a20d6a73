import { describe, expect, it } from 'vitest';
import { ACME_PURGE } from './fixtures.js';
import { renderOutcomeText, renderPurgeJson, renderPurgeText } from './render-purge.js';

const plan = ACME_PURGE;

describe('purge rendering', () => {
  it('shows each step\'s result after a purge that stopped half-way', () => {
    const text = renderOutcomeText(plan, {
      deleted: [plan.steps[0]!],
      absent: [],
      failed: { kind: 'database', name: 'rp9_acme', code: 'postgres.not-owned', message: 'not ours' },
      notDone: [plan.steps[2]!, plan.steps[3]!],
    });

    expect(text).toBe([
      '  deleted   volume    rp9-acme-data',
      '  FAILED    database  rp9_acme',
      '  not done  role      rp9_acme',
      '  not done  secret    db-password',
      'Purge of tenant acme stopped at database rp9_acme: not ours',
      'Run the same command again to finish (every step is idempotent).',
      '',
    ].join('\n'));
  });

  it('says when there is nothing to purge, with the notes', () => {
    const text = renderPurgeText({ ...plan, steps: [], notes: ['role rp9_acme exists but rp9 has no database or password for tenant acme; left alone'] });

    expect(text).toBe('Nothing to purge for tenant acme (environment prod).\nnote: role rp9_acme exists but rp9 has no database or password for tenant acme; left alone\n');
  });

  it('puts a refusal and an outcome in the JSON', () => {
    const refused = JSON.parse(renderPurgeJson({ ...plan, steps: [], refused: { code: 'purge.tenant-running', message: 'still running' } }));
    const applied = JSON.parse(renderPurgeJson(plan, { deleted: plan.steps, absent: [], notDone: [] }));

    expect(refused.refused).toEqual({ code: 'purge.tenant-running', message: 'still running' });
    expect(applied.applied).toEqual({ deleted: plan.steps, absent: [], notDone: [] });
  });
});

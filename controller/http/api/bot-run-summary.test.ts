import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../../bots/runner/types.js';
import { botRunSummary } from './bot-run-summary.js';

const base: RunReport = { bot: 'autoscale', dryRun: false, at: '2026-01-01T00:00:00.000Z', base: { branch: 'main', sha: 'abc' }, notes: [], proposals: [], held: [], operations: [], results: [] };
const proposal = (tenant: string, outcome: 'planned' | 'deferred' = 'planned') => ({ tenant, title: `scale ${tenant}`, riskClass: 'low' as const, changes: [`spec.resources.cpu: 2 → 3`], autoMerge: { autoMerge: true, rule: 'autoMerge.autoscale.withinCeiling = true' }, outcome, ...(outcome === 'deferred' ? { code: 'bots.pr-limit', reason: 'limit' } : {}) });
const opened = (tenant: string, pullRequest: 'created' | 'updated' | 'unchanged') => ({ kind: 'propose' as const, tenant, number: 7, url: 'https://x/7', pullRequest, commitChanged: pullRequest !== 'unchanged', merge: 'native' as const, detail: '' });

describe('botRunSummary', () => {
  it.each([
    { name: 'nothing to do', report: base, taken: 0, kinds: [] },
    { name: 'one PR created', report: { ...base, proposals: [proposal('acme')], results: [opened('acme', 'created')] }, taken: 1, kinds: ['pull-request'] },
    { name: 'an unchanged PR is not an action taken', report: { ...base, proposals: [proposal('acme')], results: [opened('acme', 'unchanged')] }, taken: 0, kinds: ['pull-request'] },
    { name: 'a close counts', report: { ...base, results: [{ kind: 'close' as const, tenant: 'old', number: 3 }] }, taken: 1, kinds: ['close'] },
    { name: 'a failure, a deferred proposal and a hold are listed, not counted', report: { ...base, proposals: [proposal('b', 'deferred')], held: [{ tenant: 'c', code: 'autoscale.cooldown', reason: 'cooldown' }], results: [{ kind: 'failed' as const, operation: 'propose' as const, tenant: 'a', code: 'forge.request-failed', message: 'boom' }] }, taken: 0, kinds: ['failed', 'not-proposed', 'held'] },
    { name: 'enforcement: sent notices count, skipped ones do not', report: { ...base, bot: 'enforcement' as const, effects: [{ kind: 'notice' as const, key: 'k1', tenant: 'a', outcome: 'sent' as const }, { kind: 'notice' as const, key: 'k2', tenant: 'b', outcome: 'skipped' as const }] }, taken: 1, kinds: ['notice', 'notice'] },
  ])('$name', ({ report, taken, kinds }) => {
    const summary = botRunSummary(report, 5);

    expect(summary.tenants_checked).toBe(5);
    expect(summary.actions_taken).toBe(taken);
    expect(summary.actions.map((a) => a.kind)).toEqual(kinds);
  });

  it('enforcement counts each tenant with a proposal or a notice once as a violation; autoscale has no violations field', () => {
    const enforcement = botRunSummary({ ...base, bot: 'enforcement', proposals: [proposal('a')], effects: [{ kind: 'notice', key: 'k', tenant: 'a', outcome: 'sent' }, { kind: 'notice', key: 'k2', tenant: 'b', outcome: 'sent' }] }, 3);
    const autoscale = botRunSummary(base, 3);

    expect(enforcement.violations_found).toBe(2);
    expect('violations_found' in autoscale).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { createBotMetricsRegistry, prActions, recordBotRun, recordBotRunError, runResult, type BotPrAction } from './metrics.js';
import type { OperationResult, RunReport } from './types.js';

function propose(pullRequest: 'created' | 'updated' | 'unchanged', commitChanged: boolean, merge: 'native' | 'merged' | 'waiting' | 'review'): OperationResult {
  return { kind: 'propose', tenant: 'acme', number: 1, url: 'u', pullRequest, commitChanged, merge, detail: '' };
}

describe('prActions', () => {
  it.each<[string, OperationResult, BotPrAction[]]>([
    ['a new PR', propose('created', true, 'review'), ['opened']],
    ['a new PR the runner merged', propose('created', true, 'merged'), ['opened', 'merged']],
    ['a new PR the forge will merge', propose('created', true, 'native'), ['opened']],
    ['an open PR with a new commit', propose('unchanged', true, 'waiting'), ['updated']],
    ['an open PR with a new title or body', propose('updated', false, 'review'), ['updated']],
    ['an open PR left as it was', propose('unchanged', false, 'native'), []],
    ['an open PR merged now', propose('unchanged', false, 'merged'), ['merged']],
    ['a closed PR', { kind: 'close', tenant: 'acme', number: 2 }, ['closed']],
    ['a failed operation', { kind: 'failed', operation: 'propose', tenant: 'acme', code: 'forge.request-failed', message: 'm' }, []],
  ])('%s', (_, result, expected) => {
    expect(prActions(result)).toEqual(expected);
  });
});

function report(results: OperationResult[], extra: Partial<RunReport> = {}): RunReport {
  return { bot: 'autoscale', dryRun: false, at: '', base: { branch: 'main', sha: 'x' }, notes: [], proposals: [], held: [], operations: [], results, ...extra };
}

describe('runResult', () => {
  it.each<[string, RunReport, string]>([
    ['no failure', report([propose('created', true, 'review')]), 'success'],
    ['decided blind', report([], { metricsUnavailable: 'no Prometheus configured' }), 'blind'],
    ['a forge operation failed (even blind)', report([{ kind: 'failed', operation: 'close', tenant: 'a', code: 'c', message: 'm' }], { metricsUnavailable: 'x' }), 'failed'],
    ['an effect failed', report([], { effects: [{ kind: 'notice', key: 'k', tenant: 'a', outcome: 'failed' }] }), 'failed'],
  ])('%s', (_, input, expected) => {
    expect(runResult(input)).toBe(expected);
  });
});

describe('the bots registry', () => {
  it('exports every bot and action at 0 before any run, then counts what runs did', async () => {
    const metrics = createBotMetricsRegistry();
    const before = await metrics.registry.metrics();
    expect(before).toContain('rp9_bot_prs_total{bot="stripe-sync",action="closed"} 0');
    expect(before).toContain('rp9_bot_runs_total{bot="upgrades",result="error"} 0');

    recordBotRun(metrics, report([propose('created', true, 'merged'), propose('created', true, 'review'), { kind: 'close', tenant: 'b', number: 3 }]));
    recordBotRun(metrics, report([propose('unchanged', true, 'waiting')]));
    recordBotRunError(metrics, 'promotion');

    const after = await metrics.registry.metrics();
    expect(after).toContain('rp9_bot_prs_total{bot="autoscale",action="opened"} 2');
    expect(after).toContain('rp9_bot_prs_total{bot="autoscale",action="merged"} 1');
    expect(after).toContain('rp9_bot_prs_total{bot="autoscale",action="closed"} 1');
    expect(after).toContain('rp9_bot_prs_total{bot="autoscale",action="updated"} 1');
    expect(after).toContain('rp9_bot_runs_total{bot="autoscale",result="success"} 2');
    expect(after).toContain('rp9_bot_runs_total{bot="promotion",result="error"} 1');
  });
});

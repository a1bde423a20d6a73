import { describe, expect, it } from 'vitest';
import { canaryHealth, type UpgradeRecord } from './canary-health.js';

const done: UpgradeRecord = { operationId: 'op-1', toVersion: '2.41.1', status: 'done', finished: true, step: null, watchPassed: true, errorRateRose: false, error: null };

describe('canaryHealth', () => {
  it.each<[string, UpgradeRecord | undefined, boolean, { healthy: boolean; source: string; reason: RegExp }]>([
    ['done, watch passed, error rate flat', done, false, { healthy: true, source: 'journal', reason: /finished without rollback, its watch passed and its error rate did not rise/ }],
    ['done, error rate not measured', { ...done, errorRateRose: null }, true, { healthy: true, source: 'journal', reason: /error rate was not measured/ }],
    ['done, but the error rate rose', { ...done, errorRateRose: true }, true, { healthy: false, source: 'journal', reason: /error rate rose/ }],
    ['done without the watch passing', { ...done, watchPassed: false }, true, { healthy: false, source: 'journal', reason: /without its watch passing/ }],
    ['rolled back (ready says nothing about it)', { ...done, status: 'rolled-back', watchPassed: false, error: '[upgrade.watch-failed] blue down' }, true, { healthy: false, source: 'journal', reason: /op-1 to 2\.41\.1 rolled back: \[upgrade\.watch-failed\] blue down/ }],
    ['rolling back now', { ...done, status: 'failed', finished: false, error: '[upgrade.rollback-requested] asked' }, true, { healthy: false, source: 'journal', reason: /rolling back/ }],
    ['given up', { ...done, status: 'failed', error: 'undo failed' }, true, { healthy: false, source: 'journal', reason: /given up/ }],
    ['under way', { ...done, status: 'running', finished: false, step: 'watch', watchPassed: false }, true, { healthy: false, source: 'journal', reason: /under way \(step watch\)/ }],
    ['no upgrade in the journal, ready', undefined, true, { healthy: true, source: 'ready', reason: /no upgrade to 2\.41\.1 in the journal; ready/ }],
    ['no upgrade in the journal, not ready', undefined, false, { healthy: false, source: 'ready', reason: /not ready/ }],
    ['an upgrade to another version only', { ...done, toVersion: '2.40.0' }, false, { healthy: false, source: 'ready', reason: /no upgrade to 2\.41\.1/ }],
  ])('%s', (_name, record, ready, expected) => {
    const health = canaryHealth('2.41.1', record, ready);

    expect(health).toMatchObject({ healthy: expected.healthy, source: expected.source });
    expect(health.reason).toMatch(expected.reason);
  });
});

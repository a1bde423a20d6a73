import { describe, expect, it } from 'vitest';
import type { Platform } from '../../types/platform.js';
import { failoverMergeDecision } from './failover-merge.js';

function platform(failover: unknown): Platform {
  return { spec: { autoMerge: failover === undefined ? {} : { failover } } } as unknown as Platform;
}

describe('failoverMergeDecision', () => {
  it.each([
    ['an emergency, the policy on', { emergency: true }, true, { autoMerge: true, rule: 'autoMerge.failover.emergency = true' }],
    ['an emergency, the policy off', { emergency: false }, true, { autoMerge: false, rule: 'autoMerge.failover.emergency is false (human review)' }],
    ['an emergency, no policy', undefined, true, { autoMerge: false, rule: 'autoMerge.failover.emergency is not set (human review)' }],
    ['an emergency, an empty failover section', {}, true, { autoMerge: false, rule: 'autoMerge.failover.emergency is not set (human review)' }],
    ['not an emergency, the policy on', { emergency: true }, false, { autoMerge: false, rule: 'not declared an emergency (--emergency): human review' }],
  ])('%s', (_name, failover, emergency, expected) => {
    expect(failoverMergeDecision(platform(failover), { emergency })).toEqual(expected);
  });
});

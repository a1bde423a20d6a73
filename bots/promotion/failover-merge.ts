// Whether a failover pull request merges by itself: only one declared an
// emergency (`rp9 tenant failover --emergency`) and only when platform.yaml
// says so (`autoMerge.failover.emergency: true`); anything else waits for a
// person. Pure; the rule that decided goes into the PR body.
import type { Platform } from '../../types/platform.js';

export interface FailoverMergeDecision {
  autoMerge: boolean;
  rule: string;
}

export function failoverMergeDecision(platform: Platform, request: { emergency: boolean }): FailoverMergeDecision {
  const value = (platform.spec.autoMerge as { failover?: { emergency?: unknown } } | undefined)?.failover?.emergency;
  if (!request.emergency) return { autoMerge: false, rule: 'not declared an emergency (--emergency): human review' };
  if (value !== true) return { autoMerge: false, rule: `autoMerge.failover.emergency is ${value === false ? 'false' : 'not set'} (human review)` };
  return { autoMerge: true, rule: 'autoMerge.failover.emergency = true' };
}

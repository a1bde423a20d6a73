// Whether a proposal may merge without a human: one switch per bot and risk
// class in platform.spec.autoMerge. A switch that is missing counts as false.
import type { Platform } from '../../types/platform.js';
import { AUTO_MERGE_SECTION, type AutoMergeDecision, type Proposal } from './types.js';

export function autoMergeDecision(proposal: Proposal, platform: Platform): AutoMergeDecision {
  const section = AUTO_MERGE_SECTION[proposal.bot];
  const switches = (platform.spec.autoMerge as unknown as Record<string, Record<string, unknown> | undefined> | undefined)?.[section];
  const value = switches?.[proposal.riskClass];
  const setting = `autoMerge.${section}.${proposal.riskClass}`;
  if (proposal.review) return { autoMerge: false, rule: proposal.review };
  if (typeof value !== 'boolean') return { autoMerge: false, rule: `${setting} is not set (human review)` };
  return { autoMerge: value, rule: `${setting} = ${value}` };
}

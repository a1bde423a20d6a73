// The promotion bot's decision: which shared tenants should move to dedicated
// (candidates, for `rp9 bots run promotion --dry-run`) and the proposals that
// schedule the move in the next maintenance window.
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { proposalLabels, tenantFile, type ProposalOf } from '../core/types.js';
import { promotionEdits } from './edits.js';
import { evaluateCandidate, type Candidate, type PromotionMetrics } from './score.js';
import { formatWindow, nextMaintenanceWindow } from './window.js';

export type { Candidate, PromotionMetrics } from './score.js';

export interface PromotionInputs {
  tenants: { tenant: Tenant; metrics?: PromotionMetrics }[];
}

export interface PromotionDecision {
  candidates: Candidate[];
  proposals: ProposalOf<'promotion'>[];
}

/** The tenant schema caps promotion.reason at 500 characters. */
export const REASON_MAX = 500;

function reasonText(candidate: Candidate): string {
  const text = `Auto-promotion (score ${candidate.score}, ${candidate.priority}): ${candidate.reasons.join('; ')}`;
  return text.length <= REASON_MAX ? text : `${text.slice(0, REASON_MAX - 1)}…`;
}

function triggerText(candidate: Candidate): string {
  const names = candidate.triggers.map((t) => (t === 'performance' ? 'Trigger A (performance)' : 'Trigger B (compliance)'));
  return `${names.join(' and ')}: ${candidate.reasons.join('; ')}`;
}

function byScore(a: Candidate, b: Candidate): number {
  return b.score - a.score || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0);
}

export function decidePromotion(inputs: PromotionInputs, platform: Platform, now: Date): PromotionDecision {
  const policy = platform.spec.policies.promotion;
  const candidates: Candidate[] = [];
  for (const { tenant, metrics } of inputs.tenants) {
    if (tenant.spec.mode !== 'shared' || tenant.spec.promotion || tenant.spec.suspended) continue;
    if (!platform.spec.plans[tenant.spec.plan]) continue;
    const candidate = evaluateCandidate(tenant, metrics, platform);
    if (candidate) candidates.push(candidate);
  }
  candidates.sort(byScore);
  if (candidates.length === 0) return { candidates, proposals: [] };

  const window = formatWindow(nextMaintenanceWindow(policy.maintenanceWindow, now));
  const proposals = candidates.map((candidate): ProposalOf<'promotion'> => ({
    bot: 'promotion',
    tenant: candidate.tenant,
    file: tenantFile(candidate.tenant),
    edits: promotionEdits({ window, ttlMinutes: policy.ttlMinutes, reason: reasonText(candidate) }),
    riskClass: candidate.priority,
    trigger: triggerText(candidate),
    evidence: candidate.evidence,
    summary:
      `${candidate.tenant} (plan ${candidate.plan}, shared) meets the promotion triggers with score ${candidate.score}/100, priority ${candidate.priority}. ` +
      `The move to dedicated is scheduled for the next maintenance window, ${window} (\`policies.promotion.maintenanceWindow\`), ` +
      `with a freeze of at most ${policy.ttlMinutes} minutes (\`policies.promotion.ttlMinutes\`). The URL stays the same; if the move fails the tenant rolls back to shared.`,
    title: `promotion: move ${candidate.tenant} to dedicated (score ${candidate.score}, ${candidate.priority})`,
    labels: proposalLabels('promotion', candidate.priority),
  }));
  return { candidates, proposals };
}

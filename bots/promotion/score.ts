// Whether a shared tenant should move to dedicated, why, and how urgently.
//
// Score (0–100): each trigger that fires adds points. Trigger A (performance)
// signals weigh p95 40, executions/month 33, concurrency 27 (no CPU signal:
// the controller exports no CPU figure for a shared tenant, whose executions
// run in the shared n8n's processes; the spec's 30/25/20 rescaled to 100); a signal
// just over its threshold earns half its weight, growing linearly to the full
// weight at twice the threshold. Trigger B (compliance) adds fixed points:
// plan requires dedicated 100, compliance frameworks 45, data residency 40,
// custom domain 30. The sum is capped at 100. Priority: high when the score is
// at least 70 or the plan requires dedicated, medium at 40, low below.
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../core/format.js';
import type { Evidence, PromotionRisk } from '../core/types.js';

export interface PromotionMetrics {
  queueWaitP95Seconds: number;
  /** Executions in the current month (or the last 30 days). */
  executionsMonth: number;
  concurrentExecutions: number;
  /** How the metrics side names its window (`4h`); shown in the evidence. */
  window?: string;
}

export type PromotionTrigger = 'performance' | 'compliance';

export interface Candidate {
  tenant: string;
  plan: string;
  score: number;
  priority: PromotionRisk;
  reasons: string[];
  triggers: PromotionTrigger[];
  evidence: Evidence[];
  /** The plan requires dedicated infrastructure (always high priority). */
  requiresDedicated: boolean;
}

/** The spec's p95 30, executions 25, concurrency 20 scaled by 100/75 (its CPU 25 has no figure for shared tenants). */
export const PERFORMANCE_WEIGHTS = { queueWaitP95Seconds: 40, executionsMonth: 33, concurrentExecutions: 27 } as const;
export const COMPLIANCE_POINTS = { requiresDedicated: 100, frameworks: 45, dataResidency: 40, customDomain: 30 } as const;
export const PRIORITY_THRESHOLDS = { high: 70, medium: 40 } as const;
export const WANTS_CUSTOM_DOMAIN_LABEL = 'rp9.io/wants-custom-domain';

const FRAMEWORK_NAMES: Record<string, string> = { gdpr: 'GDPR', hipaa: 'HIPAA', soc2: 'SOC 2', 'pci-dss': 'PCI DSS', iso27001: 'ISO 27001' };

/** Half the weight just over the threshold, the full weight at twice the threshold or more. */
export function signalPoints(weight: number, value: number, threshold: number): number {
  if (!Number.isFinite(value) || !(value > threshold)) return 0;
  const over = threshold > 0 ? Math.min(1, (value - threshold) / threshold) : 1;
  return weight * (0.5 + 0.5 * over);
}

export function priorityOf(score: number, requiresDedicated: boolean): PromotionRisk {
  if (requiresDedicated || score >= PRIORITY_THRESHOLDS.high) return 'high';
  if (score >= PRIORITY_THRESHOLDS.medium) return 'medium';
  return 'low';
}

interface Hit {
  points: number;
  reason: string;
  evidence: Evidence;
  trigger: PromotionTrigger;
}

function performanceHits(metrics: PromotionMetrics | undefined, tenant: Tenant, platform: Platform): Hit[] {
  if (!metrics) return [];
  const policy = platform.spec.policies.promotion;
  const reference = platform.spec.plans.pro ?? platform.spec.plans[tenant.spec.plan];
  const executionsThreshold = Math.round(policy.executionsMonthlyShareOfPro * (reference?.executionsMonthly ?? 0));
  const window = metrics.window ?? '';
  const signals = [
    { key: 'queueWaitP95Seconds' as const, threshold: policy.queueWaitP95Seconds, unit: 's', window, reason: (v: number) => `High queue latency: ${formatNumber(v)} s p95` },
    { key: 'executionsMonth' as const, threshold: executionsThreshold, unit: '/month', window: '30d', reason: (v: number) => `High execution volume: ${formatNumber(v)}/month` },
    { key: 'concurrentExecutions' as const, threshold: policy.concurrentExecutions, unit: '', window, reason: (v: number) => `High concurrency: ${formatNumber(v)} simultaneous executions` },
  ];
  return signals.flatMap((signal) => {
    const value = metrics[signal.key];
    const points = signalPoints(PERFORMANCE_WEIGHTS[signal.key], value, signal.threshold);
    if (points === 0) return [];
    const evidence: Evidence = { metric: signal.key, value, threshold: signal.threshold, comparator: '>', window: signal.window, unit: signal.unit };
    return [{ points, reason: signal.reason(value), evidence, trigger: 'performance' as const }];
  });
}

function complianceHits(tenant: Tenant, platform: Platform): Hit[] {
  const plan = platform.spec.plans[tenant.spec.plan];
  const hits: Hit[] = [];
  const fact = (metric: string, value: string | boolean, threshold: string | boolean, comparator: '==' | '!='): Evidence => ({ metric, value, threshold, comparator, window: '', unit: '' });
  if (plan?.requiresDedicated) {
    hits.push({ points: COMPLIANCE_POINTS.requiresDedicated, reason: `${plan.displayName ?? tenant.spec.plan} plan requires dedicated infrastructure`, evidence: fact(`plans.${tenant.spec.plan}.requiresDedicated`, true, true, '=='), trigger: 'compliance' });
  }
  const frameworks = tenant.spec.compliance?.frameworks ?? [];
  if (frameworks.length > 0) {
    hits.push({ points: COMPLIANCE_POINTS.frameworks, reason: `Compliance requirements: ${frameworks.map((f) => FRAMEWORK_NAMES[f] ?? f).join(', ')}`, evidence: fact('compliance.frameworks', frameworks.join(', '), '(none)', '!='), trigger: 'compliance' });
  }
  const residency = tenant.spec.compliance?.dataResidency;
  if (residency) {
    hits.push({ points: COMPLIANCE_POINTS.dataResidency, reason: `Data residency required: ${residency}`, evidence: fact('compliance.dataResidency', residency, '(unset)', '!='), trigger: 'compliance' });
  }
  const label = tenant.metadata.labels?.[WANTS_CUSTOM_DOMAIN_LABEL];
  const customDomains = tenant.spec.customDomains ?? [];
  if (label === 'true' || customDomains.length > 0) {
    const evidence = label === 'true' ? fact(`labels["${WANTS_CUSTOM_DOMAIN_LABEL}"]`, 'true', 'true', '==') : fact('customDomains', customDomains.join(', '), '(none)', '!=');
    hits.push({ points: COMPLIANCE_POINTS.customDomain, reason: 'Custom domain requested (dedicated only)', evidence, trigger: 'compliance' });
  }
  return hits;
}

/** The candidate for a shared tenant, or undefined when no trigger fires. */
export function evaluateCandidate(tenant: Tenant, metrics: PromotionMetrics | undefined, platform: Platform): Candidate | undefined {
  const hits = [...performanceHits(metrics, tenant, platform), ...complianceHits(tenant, platform)];
  if (hits.length === 0) return undefined;
  const requiresDedicated = platform.spec.plans[tenant.spec.plan]?.requiresDedicated === true;
  const score = Math.min(100, Math.round(hits.reduce((sum, hit) => sum + hit.points, 0)));
  return {
    tenant: tenant.metadata.name,
    plan: tenant.spec.plan,
    score,
    priority: priorityOf(score, requiresDedicated),
    reasons: hits.map((hit) => hit.reason),
    triggers: [...new Set(hits.map((hit) => hit.trigger))],
    evidence: hits.map((hit) => hit.evidence),
    requiresDedicated,
  };
}

// The autoscale bot's decision: for every dedicated, running tenant, whether
// its resources should move one step, as proposals ordered by urgency
// (scale-ups within the ceiling, then beyond it, then scale-downs).
import type { Plan, Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../core/format.js';
import { proposalLabels, tenantFile, type FieldEdit, type ProposalOf } from '../core/types.js';
import { autoscaleLimits, effectiveResources, evaluateScaling, type ResourceChange, type TenantScaling, type TenantWindowMetrics } from './rules.js';

export type { TenantWindowMetrics } from './rules.js';

export interface AutoscaleTenantInput {
  tenant: Tenant;
  /** The last commit that changed the tenant's spec.resources (from git history). */
  lastResourceChangeAt?: Date;
  metrics: TenantWindowMetrics;
}

export interface AutoscaleInputs {
  tenants: AutoscaleTenantInput[];
}

function describeChange(change: ResourceChange): string {
  return `${change.resource} ${formatNumber(change.from)} → ${formatNumber(change.to)}`;
}

/** Whether a tenant whose resources last changed at `lastResourceChangeAt` is still in its cooldown. */
export function inCooldown(lastResourceChangeAt: Date | undefined, cooldownMinutes: number, now: Date): boolean {
  if (!lastResourceChangeAt) return false;
  return now.getTime() - lastResourceChangeAt.getTime() < cooldownMinutes * 60_000;
}

/** What every summary of one run shares: the policy's figures and the band sentence, read once per run. */
interface SummaryContext {
  band: string;
  windowMinutes: number;
  scaleDownStabilizationHours: number;
}

function summaryContextOf(platform: Platform): SummaryContext {
  const policy = platform.spec.policies.autoscale;
  return {
    band: `Thresholds include each signal's tolerance band: ±${policy.tolerancePercent} % (\`policies.autoscale.tolerancePercent\`) unless \`policies.autoscale.tolerance\` gives the signal its own (memory: none on the way up by default).`,
    windowMinutes: policy.windowMinutes,
    scaleDownStabilizationHours: policy.scaleDownStabilizationHours,
  };
}

function summaryOf(name: string, planName: string, ceiling: Plan['ceiling'] | undefined, scaling: TenantScaling, context: SummaryContext): string {
  const { band } = context;
  if (scaling.direction === 'down') {
    return `${name} (plan ${planName}) has stayed below the scale-down thresholds for at least ${context.scaleDownStabilizationHours} h (\`policies.autoscale.scaleDownStabilizationHours\`). Releasing one step; nothing goes below 1 and memory is never scaled down. ${band}`;
  }
  if (scaling.beyondCeiling) {
    return `${name} (plan ${planName}) is at its plan's ceiling (cpu ${ceiling?.cpu}, memoryMb ${ceiling?.memoryMb}, workers ${ceiling?.workers}) and still ran hot over the last ${context.windowMinutes} minutes. Going beyond the ceiling needs a human decision: merge to grant the exception (\`spec.resources.ceilingException\`), or close this and move the tenant to a larger plan. ${band}`;
  }
  return `${name} (plan ${planName}) ran hot over the last ${context.windowMinutes} minutes. Raising the resources below by one step, capped at the plan's ceiling (cpu ${ceiling?.cpu}, memoryMb ${ceiling?.memoryMb}, workers ${ceiling?.workers}). ${band}`;
}

function titleOf(tenant: string, scaling: TenantScaling): string {
  const what = scaling.changes.map(describeChange).join(', ');
  if (scaling.direction === 'down') return `autoscale: scale down ${tenant} (${what})`;
  if (scaling.beyondCeiling) return `autoscale: ${tenant} beyond its plan ceiling (${what})`;
  return `autoscale: scale up ${tenant} (${what})`;
}

const EXCEPTION_PATH = ['spec', 'resources', 'ceilingException'];

/**
 * The edit that keeps the tenant file valid around the plan's ceiling: a
 * beyond-ceiling step grants `spec.resources.ceilingException` (reviewed with
 * the PR), and a scale-down that brings everything back within the ceiling
 * removes it. Undefined when the exception stays as it is.
 */
function exceptionEdit(tenant: Tenant, planName: string, plan: Plan, scaling: TenantScaling): FieldEdit | undefined {
  const resources = tenant.spec.resources;
  const granted = resources?.ceilingException;
  if (scaling.beyondCeiling) {
    if (granted) return undefined;
    const what = scaling.changes.map((change) => `${describeChange(change)} (ceiling ${formatNumber(plan.ceiling[change.resource])})`).join(', ');
    return { path: [...EXCEPTION_PATH, 'reason'], value: `autoscale: ${what} above the ${planName} plan's ceiling, granted by merging the reviewed pull request` };
  }
  if (!granted) return undefined;
  const after: Record<string, number> = { ...effectiveResources(resources, plan), storageGb: resources?.storageGb ?? plan.storageGb };
  for (const change of scaling.changes) after[change.resource] = change.to;
  const stillAbove = (Object.keys(after) as (keyof Plan['ceiling'])[]).some((name) => (after[name] ?? 0) > plan.ceiling[name]);
  return stillAbove ? undefined : { path: EXCEPTION_PATH, value: undefined, previous: granted };
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function urgency(riskClass: ProposalOf<'autoscale'>['riskClass'], direction: TenantScaling['direction']): number {
  if (direction === 'down') return 2;
  return riskClass === 'withinCeiling' ? 0 : 1;
}

/** Proposals for the tenants whose resources should change; see docs/bots.md for the rules. */
export function decideAutoscale(inputs: AutoscaleInputs, platform: Platform, now: Date): ProposalOf<'autoscale'>[] {
  const policy = platform.spec.policies.autoscale;
  const limits = autoscaleLimits(policy);
  let context: SummaryContext | undefined;
  const ranked: { proposal: ProposalOf<'autoscale'>; rank: number }[] = [];
  for (const input of inputs.tenants) {
    const { tenant } = input;
    if (tenant.spec.mode !== 'dedicated' || tenant.spec.suspended) continue;
    const plan = platform.spec.plans[tenant.spec.plan];
    if (!plan) continue;
    if (inCooldown(input.lastResourceChangeAt, policy.cooldownMinutes, now)) continue;
    const scaling = evaluateScaling(tenant.spec.resources, plan, input.metrics, policy, now, limits);
    if (!scaling) continue;

    const name = tenant.metadata.name;
    const planName = tenant.spec.plan;
    const riskClass = scaling.beyondCeiling ? 'beyondCeiling' : 'withinCeiling';
    const verb = scaling.direction === 'down' ? 'Scale down' : scaling.beyondCeiling ? 'Beyond ceiling' : 'Scale up';
    const proposal: ProposalOf<'autoscale'> = {
      bot: 'autoscale',
      tenant: name,
      file: tenantFile(name),
      edits: [
        ...scaling.changes.map((change): FieldEdit => ({ path: ['spec', 'resources', change.resource], value: change.to, previous: change.from })),
        ...optional(exceptionEdit(tenant, planName, plan, scaling)),
      ],
      riskClass,
      trigger: `${verb}: ${scaling.reasons.join('; ')}`,
      evidence: scaling.evidence,
      summary: summaryOf(name, planName, plan.ceiling, scaling, (context ??= summaryContextOf(platform))),
      title: titleOf(name, scaling),
      labels: proposalLabels('autoscale', riskClass),
    };
    ranked.push({ proposal, rank: urgency(riskClass, scaling.direction) });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.proposal.tenant < b.proposal.tenant ? -1 : a.proposal.tenant > b.proposal.tenant ? 1 : 0));
  return ranked.map((entry) => entry.proposal);
}

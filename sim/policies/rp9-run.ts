// rp9's policy in the simulator: the runner's real deciders (decide-autoscale,
// decide-promotion) over the simulated metrics and history, and the real
// auto-merge rules; their proposals open, update or close pull requests.
import { decideAutoscaleRun } from '../../bots/runner/decide-autoscale.js';
import { decidePromotionRun } from '../../bots/runner/decide-promotion.js';
import { autoMergeDecision } from '../../bots/core/auto-merge.js';
import type { Proposal } from '../../bots/core/types.js';
import { botMetricsAt } from '../bot-metrics.js';
import { closeUnwanted, propose } from '../pull-requests.js';
import type { PolicyWorld } from './world.js';

/** The autoscale bot's run at `minute` over the dedicated tenants that run their own containers. */
export async function runRp9Autoscale(world: PolicyWorld, minute: number, now: Date): Promise<void> {
  const { platform, tenants, capacity, metrics, prs } = world;
  const running = tenants.filter((t, i) => t.spec.mode === 'dedicated' && capacity.dedicated[i]);
  const decision = await decideAutoscaleRun({ platform, tenants: running, metrics: botMetricsAt(metrics, minute, running.map((t) => t.metadata.name)), history: world.history, now });
  for (const proposal of decision.proposals) {
    propose(prs, 'autoscale', metrics.indexByName.get(proposal.tenant)!, proposal.edits, autoMergeDecision(proposal as Proposal, platform).autoMerge, minute, proposal.riskClass === 'beyondCeiling');
  }
  closeUnwanted(prs, 'autoscale', world.names, decision.wanted, decision.keepBeyondCeiling);
}

/** The promotion bot's run at `minute` over the shared tenants, on `window` (policies.promotion.windowHours). */
export async function runRp9Promotion(world: PolicyWorld, minute: number, now: Date, window: string): Promise<void> {
  const { platform, tenants, metrics, prs } = world;
  const shared = tenants.filter((t) => t.spec.mode === 'shared');
  const decision = await decidePromotionRun({ platform, tenants: shared, metrics: botMetricsAt(metrics, minute, shared.map((t) => t.metadata.name)), window, now });
  for (const proposal of decision.proposals) {
    propose(prs, 'promotion', metrics.indexByName.get(proposal.tenant)!, proposal.edits, autoMergeDecision(proposal as Proposal, platform).autoMerge, minute);
  }
  closeUnwanted(prs, 'promotion', world.names, decision.wanted);
}

// Storm limits: at most maxOpenPrsPerBot open PRs and maxPrsPerHourPerBot new
// PRs per bot. Updating a bot's already-open PR for a tenant adds no PR and
// always passes. Proposals are taken in the order given (bots sort theirs by
// urgency), so the most urgent get through first.
import type { Policies } from '../../types/platform.js';
import type { BotName, Proposal } from './types.js';

export interface RateLimitState {
  openPrs: { bot: string; tenant: string }[];
  createdLastHour: { bot: string }[];
}

export type DeferReason = 'bots.max-open-prs' | 'bots.max-prs-per-hour' | 'bots.duplicate-proposal';

export interface Deferred {
  proposal: Proposal;
  code: DeferReason;
  reason: string;
}

export interface RateLimitResult {
  allowed: Proposal[];
  deferred: Deferred[];
}

export function rateLimit(proposals: readonly Proposal[], state: RateLimitState, limits: Policies['bots']): RateLimitResult {
  const open = new Set(state.openPrs.map((pr) => `${pr.bot}\u0000${pr.tenant}`));
  const openCount = new Map<string, number>();
  for (const pr of state.openPrs) openCount.set(pr.bot, (openCount.get(pr.bot) ?? 0) + 1);
  const createdCount = new Map<string, number>();
  for (const pr of state.createdLastHour) createdCount.set(pr.bot, (createdCount.get(pr.bot) ?? 0) + 1);
  const seen = new Set<string>();
  const allowed: Proposal[] = [];
  const deferred: Deferred[] = [];

  for (const proposal of proposals) {
    const key = `${proposal.bot}\u0000${proposal.tenant}`;
    const bot: BotName = proposal.bot;
    if (seen.has(key)) {
      deferred.push({ proposal, code: 'bots.duplicate-proposal', reason: `${bot} already proposed a change for ${proposal.tenant} in this run` });
      continue;
    }
    seen.add(key);
    if (open.has(key)) {
      allowed.push(proposal);
      continue;
    }
    const openNow = openCount.get(bot) ?? 0;
    if (openNow >= limits.maxOpenPrsPerBot) {
      deferred.push({ proposal, code: 'bots.max-open-prs', reason: `${bot} has ${openNow} open PRs (policies.bots.maxOpenPrsPerBot = ${limits.maxOpenPrsPerBot})` });
      continue;
    }
    const createdNow = createdCount.get(bot) ?? 0;
    if (createdNow >= limits.maxPrsPerHourPerBot) {
      deferred.push({ proposal, code: 'bots.max-prs-per-hour', reason: `${bot} opened ${createdNow} PRs in the last hour (policies.bots.maxPrsPerHourPerBot = ${limits.maxPrsPerHourPerBot})` });
      continue;
    }
    openCount.set(bot, openNow + 1);
    createdCount.set(bot, createdNow + 1);
    allowed.push(proposal);
  }
  return { allowed, deferred };
}

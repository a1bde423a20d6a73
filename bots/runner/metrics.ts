// The bots runner's Prometheus metrics (`rp9 bots` serves them on /metrics):
// what each run did to pull requests, and how each run ended. A registry of its
// own: the runner is a process of its own, not the controller.
import { Counter, Registry } from 'prom-client';
import { hasFailures } from './render.js';
import { RUNNABLE_BOTS, type OperationResult, type RunnableBot, type RunReport } from './types.js';

/** opened: a new pull request; updated: a new commit, title or body on an open one; merged: the runner merged it; closed: obsolete. */
export type BotPrAction = 'opened' | 'updated' | 'merged' | 'closed';
export const BOT_PR_ACTIONS: readonly BotPrAction[] = ['opened', 'updated', 'merged', 'closed'];

/** success; blind: decided without metrics; failed: a forge operation failed; error: the run itself failed (no report). */
export type BotRunResult = 'success' | 'blind' | 'failed' | 'error';
export const BOT_RUN_RESULTS: readonly BotRunResult[] = ['success', 'blind', 'failed', 'error'];

export interface BotMetricsRegistry {
  registry: Registry;
  prs: Counter<'bot' | 'action'>;
  runs: Counter<'bot' | 'result'>;
}

/** Every bot × action and bot × result series starts at 0, so the first PR shows in increase(). */
export function createBotMetricsRegistry(): BotMetricsRegistry {
  const registry = new Registry();
  const registers = [registry];
  const prs = new Counter<'bot' | 'action'>({ name: 'rp9_bot_prs_total', help: 'Pull requests the bots opened, updated, merged themselves or closed, by bot and action.', labelNames: ['bot', 'action'], registers });
  const runs = new Counter<'bot' | 'result'>({ name: 'rp9_bot_runs_total', help: 'Scheduled bot runs by bot and result (success, blind, failed, error).', labelNames: ['bot', 'result'], registers });
  for (const bot of RUNNABLE_BOTS) {
    for (const action of BOT_PR_ACTIONS) prs.inc({ bot, action }, 0);
    for (const result of BOT_RUN_RESULTS) runs.inc({ bot, result }, 0);
  }
  return { registry, prs, runs };
}

/** The pull-request actions one operation result stands for (pure). */
export function prActions(result: OperationResult): BotPrAction[] {
  if (result.kind === 'close') return ['closed'];
  if (result.kind === 'failed') return [];
  const actions: BotPrAction[] = [];
  if (result.pullRequest === 'created') actions.push('opened');
  else if (result.pullRequest === 'updated' || result.commitChanged) actions.push('updated');
  if (result.merge === 'merged') actions.push('merged');
  return actions;
}

export function runResult(report: RunReport): BotRunResult {
  if (hasFailures(report)) return 'failed';
  return report.metricsUnavailable !== undefined ? 'blind' : 'success';
}

export function recordBotRun(metrics: BotMetricsRegistry, report: RunReport): void {
  for (const result of report.results) {
    for (const action of prActions(result)) metrics.prs.inc({ bot: report.bot, action });
  }
  metrics.runs.inc({ bot: report.bot, result: runResult(report) });
}

export function recordBotRunError(metrics: BotMetricsRegistry, bot: RunnableBot): void {
  metrics.runs.inc({ bot, result: 'error' });
}

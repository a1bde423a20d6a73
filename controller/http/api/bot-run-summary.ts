// A bot run's report in the seed's summary shape (POST /autoscale/run,
// POST /enforcement/run): tenants checked, actions taken (pull requests
// opened, updated or closed; notices sent; meter events reported) and one
// line per action or proposal that went nowhere, with why.
import type { RunReport } from '../../../bots/runner/types.js';

export interface BotAction {
  tenant: string;
  kind: 'pull-request' | 'close' | 'notice' | 'meter-event' | 'held' | 'not-proposed' | 'failed';
  /** What changed: `spec.resources.cpu: 2 → 3`, the PR title, the notice key. */
  detail: string;
  pull_request?: { number: number; url: string; state: 'created' | 'updated' | 'unchanged'; merge: string };
  code?: string;
}

export interface BotRunSummary {
  bot: string;
  at: string;
  base: { branch: string; sha: string };
  tenants_checked: number;
  /** Enforcement only: tenants over a limit (a proposal or a notice). */
  violations_found?: number;
  actions_taken: number;
  actions: BotAction[];
  /** Why the run decided without metrics; absent when it had them. */
  metrics_unavailable?: string;
  notes: string[];
}

const TAKEN_EFFECTS = new Set(['sent']);

export function botRunSummary(report: RunReport, tenantsChecked: number): BotRunSummary {
  const actions: BotAction[] = [];
  const titles = new Map(report.proposals.map((p) => [p.tenant, p]));
  for (const result of report.results) {
    if (result.kind === 'propose') {
      const proposal = titles.get(result.tenant);
      actions.push({ tenant: result.tenant, kind: 'pull-request', detail: proposal ? proposal.changes.join(', ') || proposal.title : result.detail, pull_request: { number: result.number, url: result.url, state: result.pullRequest, merge: result.merge } });
    } else if (result.kind === 'close') actions.push({ tenant: result.tenant, kind: 'close', detail: `closed #${result.number}: no longer wanted` });
    else actions.push({ tenant: result.tenant, kind: 'failed', detail: result.message, code: result.code });
  }
  for (const p of report.proposals) {
    if (p.outcome === 'planned') continue;
    actions.push({ tenant: p.tenant, kind: 'not-proposed', detail: `${p.changes.join(', ') || p.title} (${p.outcome})`, ...(p.code ? { code: p.code } : {}) });
  }
  for (const h of report.held) actions.push({ tenant: h.tenant, kind: 'held', detail: h.reason, code: h.code });
  for (const e of report.effects ?? []) actions.push({ tenant: e.tenant, kind: e.kind, detail: `${e.key}: ${e.outcome}${e.detail ? ` (${e.detail})` : ''}` });

  const taken = report.results.filter((r) => (r.kind === 'propose' && r.pullRequest !== 'unchanged') || r.kind === 'close').length
    + (report.effects ?? []).filter((e) => TAKEN_EFFECTS.has(e.outcome)).length;
  return {
    bot: report.bot,
    at: report.at,
    base: report.base,
    tenants_checked: tenantsChecked,
    ...(report.bot === 'enforcement' ? { violations_found: new Set([...report.proposals.map((p) => p.tenant), ...(report.effects ?? []).map((e) => e.tenant)]).size } : {}),
    actions_taken: taken,
    actions,
    ...(report.metricsUnavailable !== undefined ? { metrics_unavailable: report.metricsUnavailable } : {}),
    notes: report.notes,
  };
}

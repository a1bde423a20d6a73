// From a decision to the forge operations of one run, as a value: storm
// limits, the edited file for each allowed proposal (validated with the whole
// config; a proposal that fails is skipped, never opened, and while the base
// itself fails validation only a proposal that removes one of its errors is
// opened), pull request text
// and merge mode, and the obsolete pull requests to close. Pure.
import { createParseCache, loadConfig, type ParseCache } from '../../config/load-config.js';
import type { ConfigFiles, Diagnostic, Platform } from '../../config/types.js';
import type { MergeMethod, PullRequestInfo } from '../../edges/forge/index.js';
import { applyEdits, autoMergeDecision, BotError, dottedPath, rateLimit, renderPrBody, type Proposal } from '../index.js';
import { formatFieldValue } from '../core/format.js';
import { unifiedDiff } from '../core/unified-diff.js';
import type { BaseConfig } from '../sources/types.js';
import type { CloseOperation, Decision, ForgeOperation, ProposalView, RunnableBot, RunOptions } from './types.js';

export const AUTO_MERGE_LABEL = 'auto-merge';
export const REVIEW_LABEL = 'needs-review';
/** The label of a beyond-ceiling autoscale proposal (`proposalLabels`). */
export const BEYOND_CEILING_LABEL = 'risk:beyondCeiling';

/** The bot's pull requests as the forge reports them. */
export interface PullRequestState {
  open: PullRequestInfo[];
  /** This bot's pull requests created within the last hour (any state). */
  createdLastHour: { bot: string }[];
}

export interface PlanInput {
  bot: RunnableBot;
  decision: Decision;
  base: BaseConfig;
  platform: Platform;
  /** undefined when no forge is configured (a dry run from a directory): no storm limits, nothing to close. */
  prs: PullRequestState | undefined;
  options: RunOptions;
}

export interface RunPlan {
  operations: ForgeOperation[];
  proposals: ProposalView[];
  notes: string[];
}

export function branchName(bot: string, tenant: string): string {
  return `rp9/${bot}/${tenant}`;
}

/** `spec.resources.cpu: 2 → 3` */
export function describeEdit(edit: Proposal['edits'][number]): string {
  return `${dottedPath(edit.path)}: ${formatFieldValue(edit.previous, '(unset)')} → ${formatFieldValue(edit.value, '(removed)')}`;
}

function replaced(files: ConfigFiles, path: string, text: string): ConfigFiles {
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  if (files.platform?.path === path) return { ...files, platform: { path, bytes } };
  return { ...files, tenants: files.tenants.map((file) => (file.path === path ? { path, bytes } : file)) };
}

function baseInvalidReason(branch: string, errors: Diagnostic[]): string {
  const first = errors[0]!;
  return `${branch} fails rp9 validate (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}, first ${first.file}:${first.line}:${first.column} ${first.code}); no pull request until it is fixed, except one that fixes an error`;
}

/** An error's identity across an edit (its line may move): file, code and field. */
function errorKey(d: Diagnostic): string {
  return `${d.file}\u0000${d.code}\u0000${d.path}`;
}

/** True when the edited config has fewer errors than the base and none the base didn't have. */
export function repairs(baseErrors: readonly Diagnostic[], editedErrors: readonly Diagnostic[]): boolean {
  if (editedErrors.length >= baseErrors.length) return false;
  const left = new Map<string, number>();
  for (const d of baseErrors) left.set(errorKey(d), (left.get(errorKey(d)) ?? 0) + 1);
  for (const d of editedErrors) {
    const count = left.get(errorKey(d)) ?? 0;
    if (count === 0) return false;
    left.set(errorKey(d), count - 1);
  }
  return true;
}

/** Errors of the whole config with the edited file in place. */
function editedErrors(base: BaseConfig, cache: ParseCache, path: string, text: string): Diagnostic[] {
  const edited = loadConfig(replaced(base.files, path, text), cache);
  return edited.diagnostics.filter((d) => d.severity === 'error');
}

function commitMessage(proposal: Proposal): string {
  return [proposal.title, '', ...proposal.edits.map((edit) => `- ${describeEdit(edit)}`), '', `Rp9-Bot: ${proposal.bot}`].join('\n');
}

function closeComment(bot: RunnableBot, tenant: string, exists: boolean): string {
  if (!exists) return `Closing: tenant \`${tenant}\` no longer exists on the base branch, so the ${bot} bot has nothing to change.`;
  return `Closing: the ${bot} bot no longer proposes a change for \`${tenant}\`: the situation that opened this pull request has recovered. If it comes back, the bot opens a new one.`;
}

export function planRun(input: PlanInput): RunPlan {
  const { bot, decision, base, platform, prs, options } = input;
  const notes: string[] = [];
  const views: ProposalView[] = [];
  const operations: ForgeOperation[] = [];
  const cache = createParseCache();
  const baseErrors = loadConfig(base.files, cache).diagnostics.filter((d) => d.severity === 'error');

  let allowed: Proposal[] = decision.proposals;
  if (prs) {
    const limits = rateLimit(decision.proposals, { openPrs: prs.open.map((pr) => ({ bot: pr.bot, tenant: pr.tenant })), createdLastHour: prs.createdLastHour }, platform.spec.policies.bots);
    allowed = limits.allowed;
    for (const deferred of limits.deferred) views.push(view(deferred.proposal, platform, 'deferred', deferred.code, deferred.reason));
  } else {
    notes.push('forge not configured: storm limits and open pull requests not checked');
  }
  const baseReason = baseErrors.length === 0 ? '' : baseInvalidReason(base.branch, baseErrors);

  for (const proposal of allowed) {
    const text = base.readFile(proposal.file);
    if (text === undefined) {
      views.push(view(proposal, platform, 'invalid', 'bots.file-missing', `${proposal.file} does not exist on ${base.branch}`));
      continue;
    }
    let content: string;
    try {
      content = applyEdits(text, proposal.edits, { file: proposal.file });
    } catch (error) {
      if (!(error instanceof BotError)) throw error;
      views.push(view(proposal, platform, 'invalid', error.code, error.message));
      continue;
    }
    if (content === text) {
      views.push(view(proposal, platform, 'no-change', 'bots.no-change', `${proposal.file} already reads as proposed`));
      continue;
    }
    const errors = editedErrors(base, cache, proposal.file, content);
    if (baseErrors.length > 0 && !repairs(baseErrors, errors)) {
      // Any other PR on this base would fail `rp9 validate` (and the controller holds the last good commit anyway);
      // only one that removes an error of the base, adding none, goes through.
      views.push(view(proposal, platform, 'deferred', 'bots.base-invalid', baseReason));
      continue;
    }
    if (baseErrors.length === 0 && errors.length > 0) {
      const reason = errors.slice(0, 3).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`).join('; ');
      views.push(view(proposal, platform, 'invalid', 'bots.proposal-invalid', `the edited config fails validation: ${reason}`));
      continue;
    }
    const decisionToMerge = autoMergeDecision(proposal, platform);
    const existing = prs?.open.find((pr) => pr.tenant === proposal.tenant);
    operations.push({
      kind: 'propose',
      bot,
      tenant: proposal.tenant,
      branch: branchName(bot, proposal.tenant),
      baseBranch: base.branch,
      baseSha: base.sha,
      file: proposal.file,
      content,
      diff: unifiedDiff(proposal.file, text, content),
      commitMessage: commitMessage(proposal),
      title: proposal.title,
      body: renderPrBody(proposal, decisionToMerge),
      labels: [...proposal.labels, decisionToMerge.autoMerge ? AUTO_MERGE_LABEL : REVIEW_LABEL],
      autoMerge: decisionToMerge,
      merge: !decisionToMerge.autoMerge ? 'review' : existing?.autoMerge ? 'enabled' : 'enable',
      method: options.mergeMethod as MergeMethod,
      requiredContexts: [...options.requiredContexts],
      ...(existing ? { existing: existing.number } : {}),
    });
    views.push(view(proposal, platform, 'planned'));
  }

  if (prs && decision.wanted) {
    const proposed = new Set(decision.proposals.map((p) => p.tenant));
    const tenants = new Set(base.config.tenants.map((t) => t.name));
    for (const pr of prs.open) {
      if (decision.wanted.has(pr.tenant) || proposed.has(pr.tenant)) continue;
      if (decision.keepBeyondCeiling?.has(pr.tenant) && pr.labels.includes(BEYOND_CEILING_LABEL)) continue;
      const close: CloseOperation = { kind: 'close', bot, tenant: pr.tenant, number: pr.number, comment: closeComment(bot, pr.tenant, tenants.has(pr.tenant)) };
      operations.push(close);
    }
  }
  return { operations, proposals: views, notes };
}

function view(proposal: Proposal, platform: Platform, outcome: ProposalView['outcome'], code?: string, reason?: string): ProposalView {
  return {
    tenant: proposal.tenant,
    title: proposal.title,
    riskClass: proposal.riskClass,
    changes: proposal.edits.map(describeEdit),
    autoMerge: autoMergeDecision(proposal, platform),
    outcome,
    ...(code ? { code } : {}),
    ...(reason ? { reason } : {}),
  };
}

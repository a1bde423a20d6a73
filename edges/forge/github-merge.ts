import { evaluateContexts } from './contexts.js';
import { asHttpFailure, ForgeError, githubMessage, toForgeError } from './errors.js';
import type { AutoMergeResult, EnableAutoMergeInput, MergeWhenGreenInput, MergeWhenGreenResult } from './forge.js';
import { listAll, step, type GitHubContext } from './github-context.js';

/** Native auto-merge (GraphQL) and the caller-driven fallback: merge when the required contexts are green. */

const ENABLE_AUTO_MERGE = `mutation rp9EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
    pullRequest { number autoMergeRequest { mergeMethod } }
  }
}`;

/** GraphQL answers that mean "this repository/PR cannot use native auto-merge now": merge yourself. */
const UNSUPPORTED = [/auto.?merge is not allowed/i, /clean status/i, /protected branch rules not configured/i, /unstable status/i, /auto.?merge.*not.*enabled/i];

export async function enableAutoMerge(ctx: GitHubContext, input: EnableAutoMergeInput): Promise<AutoMergeResult> {
  const op = `enableAutoMerge #${input.number}`;
  const pull = await step(op, () => ctx.octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: input.number }));
  if (pull.data.state !== 'open') throw new ForgeError('forge.conflict', `${op}: the pull request is ${pull.data.merged ? 'merged' : 'closed'}`);
  if (pull.data.auto_merge?.merge_method === input.method) return 'native';
  try {
    const answer = await ctx.octokit.graphql<{ enablePullRequestAutoMerge: { pullRequest: { autoMergeRequest: { mergeMethod: string } | null } } | null }>(
      ENABLE_AUTO_MERGE,
      { pullRequestId: pull.data.node_id, mergeMethod: input.method.toUpperCase() },
    );
    return answer.enablePullRequestAutoMerge?.pullRequest.autoMergeRequest ? 'native' : 'unsupported';
  } catch (error) {
    const graphqlErrors = (error as { errors?: { type?: string; message?: string }[] }).errors;
    if (Array.isArray(graphqlErrors)) {
      if (graphqlErrors.some((e) => UNSUPPORTED.some((re) => re.test(e.message ?? '')))) return 'unsupported';
      const notFound = graphqlErrors.some((e) => e.type === 'NOT_FOUND');
      const text = graphqlErrors.map((e) => e.message).join('; ');
      throw new ForgeError(notFound ? 'forge.not-found' : 'forge.request-failed', `${op}: GraphQL: ${text}`, { operation: op, cause: error });
    }
    const status = asHttpFailure(error)?.status;
    if (status === 404 || status === 501) return 'unsupported';
    throw toForgeError(error, op);
  }
}

interface CombinedStatus {
  statuses: { context: string; state: string }[];
}

export async function mergeWhenGreen(ctx: GitHubContext, input: MergeWhenGreenInput): Promise<MergeWhenGreenResult> {
  const op = `mergeWhenGreen #${input.number}`;
  const { owner, repo } = ctx;
  const pull = await step(op, () => ctx.octokit.rest.pulls.get({ owner, repo, pull_number: input.number }));
  if (pull.data.merged) return { merged: true, reason: 'already-merged', detail: `#${input.number} is already merged` };
  if (pull.data.state !== 'open') return { merged: false, reason: 'closed', detail: `#${input.number} is closed` };
  const sha = pull.data.head.sha;
  const statuses = await combinedStatuses(ctx, op, sha);
  const checkRuns = await listAll<{ name: string; status: string; conclusion: string | null }>(ctx, `${op}: check runs`, 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ref: sha });
  const verdict = evaluateContexts(input.requiredContexts, statuses, checkRuns);
  if (verdict.failing.length > 0) return { merged: false, reason: 'failing', detail: `failing on ${sha.slice(0, 7)}: ${verdict.failing.join(', ')}` };
  if (verdict.pending.length > 0) return { merged: false, reason: 'pending', detail: `waiting on ${sha.slice(0, 7)} for: ${verdict.pending.join(', ')}` };
  if (pull.data.mergeable === false) return { merged: false, reason: 'not-mergeable', detail: `#${input.number} has conflicts (${pull.data.mergeable_state})` };
  try {
    const merged = await ctx.octokit.rest.pulls.merge({ owner, repo, pull_number: input.number, sha, merge_method: input.method ?? 'squash' });
    return { merged: true, reason: 'merged', detail: `merged ${sha.slice(0, 7)} as ${merged.data.sha.slice(0, 7)}`, sha: merged.data.sha };
  } catch (error) {
    const failure = asHttpFailure(error);
    if (failure?.status === 409) return { merged: false, reason: 'head-changed', detail: githubMessage(failure) };
    if (failure?.status === 405) return { merged: false, reason: 'not-mergeable', detail: githubMessage(failure) };
    throw toForgeError(error, op);
  }
}

/** The combined status of a commit, every page (it is an object with a `statuses` list, so paginate by hand). */
async function combinedStatuses(ctx: GitHubContext, op: string, sha: string): Promise<CombinedStatus['statuses']> {
  const all: CombinedStatus['statuses'] = [];
  for (let page = 1; page <= ctx.maxPages; page += 1) {
    const response = await step(`${op}: combined status`, () =>
      ctx.octokit.rest.repos.getCombinedStatusForRef({ owner: ctx.owner, repo: ctx.repo, ref: sha, per_page: 100, page }),
    );
    all.push(...response.data.statuses);
    if (response.data.statuses.length < 100) return all;
  }
  throw new ForgeError('forge.request-failed', `${op}: more than ${ctx.maxPages} pages of statuses`, { operation: op });
}

import type {
  ClosePullRequestInput,
  EnsureLabelsInput,
  EnsurePullRequestInput,
  EnsurePullRequestResult,
  EnsureStickyCommentInput,
  EnsureStickyCommentResult,
  FindPullRequestsInput,
  PullRequestHead,
  PullRequestInfo,
} from './forge.js';
import { listAll, step, type GitHubContext } from './github-context.js';
import { bodyHash, checkName, hasStickyMarker, parsePullRequestMarker, renderPullRequestBody, renderStickyBody } from './markers.js';

/** Pull requests found by their hidden marker, labels, closing, sticky comments. */

interface PullJson {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  merged_at: string | null;
  draft?: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: { name: string }[];
  auto_merge: unknown;
  created_at: string;
  updated_at: string;
}

export function toPullRequestInfo(pull: PullJson): PullRequestInfo | null {
  const marker = parsePullRequestMarker(pull.body);
  if (!marker) return null;
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    state: pull.state === 'open' ? 'open' : 'closed',
    merged: pull.merged_at !== null,
    draft: pull.draft === true,
    bot: marker.bot,
    tenant: marker.tenant,
    bodyHash: marker.bodyHash,
    head: { ref: pull.head.ref, sha: pull.head.sha },
    base: { ref: pull.base.ref },
    labels: pull.labels.map((l) => l.name),
    autoMerge: pull.auto_merge !== null && pull.auto_merge !== undefined,
    createdAt: pull.created_at,
    updatedAt: pull.updated_at,
  };
}

export async function pullRequestHead(ctx: GitHubContext, number: number): Promise<PullRequestHead> {
  const pull = await step(`pullRequestHead #${number}`, () => ctx.octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: number }));
  const repo = pull.data.head.repo;
  return {
    number,
    ref: pull.data.head.ref,
    sha: pull.data.head.sha,
    author: pull.data.user?.login ?? '',
    sameRepository: repo !== null && repo.full_name.toLowerCase() === `${ctx.owner}/${ctx.repo}`.toLowerCase(),
  };
}

export async function findPullRequests(ctx: GitHubContext, input: FindPullRequestsInput = {}): Promise<PullRequestInfo[]> {
  const state = input.state ?? 'open';
  const pulls = await listAll<PullJson>(ctx, `findPullRequests (${state})`, 'GET /repos/{owner}/{repo}/pulls', { state });
  return pulls
    .map(toPullRequestInfo)
    .filter((info): info is PullRequestInfo => info !== null)
    .filter((info) => (input.bot === undefined || info.bot === input.bot) && (input.tenant === undefined || info.tenant === input.tenant))
    .sort((a, b) => a.number - b.number);
}

export async function ensurePullRequest(ctx: GitHubContext, input: EnsurePullRequestInput): Promise<EnsurePullRequestResult> {
  checkName('bot', input.bot);
  checkName('tenant', input.tenant);
  const op = `ensurePullRequest ${input.bot}/${input.tenant}`;
  const { owner, repo } = ctx;
  const body = renderPullRequestBody(input);
  const hash = bodyHash(input.body);
  const [first, ...duplicates] = await findPullRequests(ctx, { bot: input.bot, tenant: input.tenant, state: 'open' });
  const closedDuplicates: number[] = [];
  let existing = first;
  if (existing && existing.head.ref !== input.head) {
    await closePullRequest(ctx, { number: existing.number, comment: `Superseded: this bot now proposes the change from branch \`${input.head}\`.` });
    closedDuplicates.push(existing.number);
    existing = undefined;
  }

  let result: EnsurePullRequestResult;
  let labels: string[] = [];
  if (!existing) {
    const created = await step(`${op}: create`, () =>
      ctx.octokit.rest.pulls.create({ owner, repo, head: input.head, base: input.base, title: input.title, body, draft: input.draft === true }),
    );
    result = { number: created.data.number, url: created.data.html_url, action: 'created', closedDuplicates };
  } else if (existing.bodyHash === hash && existing.title === input.title && existing.base.ref === input.base) {
    labels = existing.labels;
    result = { number: existing.number, url: existing.url, action: 'unchanged', closedDuplicates };
  } else {
    const number = existing.number;
    await step(`${op}: update #${number}`, () =>
      ctx.octokit.rest.pulls.update({ owner, repo, pull_number: number, title: input.title, body, base: input.base }),
    );
    labels = existing.labels;
    result = { number, url: existing.url, action: 'updated', closedDuplicates };
  }
  for (const duplicate of duplicates) {
    await closePullRequest(ctx, { number: duplicate.number, comment: `Superseded by #${result.number}: one pull request per bot and tenant.` });
    closedDuplicates.push(duplicate.number);
  }
  await addMissingLabels(ctx, result.number, labels, input.labels ?? []);
  return result;
}

async function addMissingLabels(ctx: GitHubContext, number: number, current: string[], wanted: string[]): Promise<void> {
  const have = new Set(current.map((l) => l.toLowerCase()));
  const missing = [...new Set(wanted)].filter((label) => !have.has(label.toLowerCase()));
  if (missing.length === 0) return;
  await step(`add labels to #${number}`, () =>
    ctx.octokit.rest.issues.addLabels({ owner: ctx.owner, repo: ctx.repo, issue_number: number, labels: missing }),
  );
}

export async function ensureLabels(ctx: GitHubContext, input: EnsureLabelsInput): Promise<void> {
  if (input.labels.length === 0) return;
  const pull = await step(`ensureLabels #${input.number}`, () => ctx.octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: input.number }));
  await addMissingLabels(ctx, input.number, pull.data.labels.map((l) => l.name), input.labels);
}

export async function closePullRequest(ctx: GitHubContext, input: ClosePullRequestInput): Promise<void> {
  const op = `closePullRequest #${input.number}`;
  const { owner, repo } = ctx;
  const pull = await step(op, () => ctx.octokit.rest.pulls.get({ owner, repo, pull_number: input.number }));
  if (pull.data.state === 'closed') return;
  const comment = input.comment;
  if (comment) await step(`${op}: comment`, () => ctx.octokit.rest.issues.createComment({ owner, repo, issue_number: input.number, body: comment }));
  await step(op, () => ctx.octokit.rest.pulls.update({ owner, repo, pull_number: input.number, state: 'closed' }));
}

export async function ensureStickyComment(ctx: GitHubContext, input: EnsureStickyCommentInput): Promise<EnsureStickyCommentResult> {
  const op = `ensureStickyComment #${input.number} ${input.key}`;
  const { owner, repo } = ctx;
  const body = renderStickyBody(input.key, input.body);
  const comments = await listAll<{ id: number; body?: string }>(ctx, op, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: input.number });
  const existing = comments.find((c) => hasStickyMarker(c.body, input.key));
  if (existing && existing.body === body) return { id: existing.id, action: 'unchanged' };
  if (existing) {
    await step(`${op}: update`, () => ctx.octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body }));
    return { id: existing.id, action: 'updated' };
  }
  const created = await step(`${op}: create`, () => ctx.octokit.rest.issues.createComment({ owner, repo, issue_number: input.number, body }));
  return { id: created.data.id, action: 'created' };
}

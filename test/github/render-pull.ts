import { nodeId, type PullRecord, type RepoRecord, type World } from './model.js';
import { renderLabel, renderRepo, renderUser, ownerActor, type Urls } from './render.js';
import { mergeability, pullHeadSha } from './repo-ops.js';

type Json = Record<string, unknown>;

/** The `pull-request-simple` shape (list endpoint). */
export function renderPullSimple(urls: Urls, world: World, repo: RepoRecord, pull: PullRecord): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  const headSha = pullHeadSha(repo, pull);
  const baseSha = repo.refs.get(`refs/heads/${pull.baseRef}`) ?? '0'.repeat(40);
  const owner = renderUser(urls, ownerActor(repo));
  const repoJson = renderRepo(urls, repo);
  const links = {
    self: `${api}/pulls/${pull.number}`,
    html: `${web}/pull/${pull.number}`,
    issue: `${api}/issues/${pull.number}`,
    comments: `${api}/issues/${pull.number}/comments`,
    review_comments: `${api}/pulls/${pull.number}/comments`,
    review_comment: `${api}/pulls/comments{/number}`,
    commits: `${api}/pulls/${pull.number}/commits`,
    statuses: `${api}/statuses/${headSha}`,
  };
  return {
    url: links.self,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: links.html,
    diff_url: `${links.html}.diff`,
    patch_url: `${links.html}.patch`,
    issue_url: links.issue,
    commits_url: links.commits,
    review_comments_url: links.review_comments,
    review_comment_url: links.review_comment,
    comments_url: links.comments,
    statuses_url: links.statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: renderUser(urls, pull.user),
    body: pull.body,
    // pull-request-simple declares labels[].description as a non-nullable string (unlike `label`).
    labels: pull.labels.map((name) => {
      const label = repo.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed', description: null };
      return renderLabel(urls, repo, { ...label, description: label.description ?? '' });
    }),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: { label: `${repo.owner}:${pull.headRef}`, ref: pull.headRef, sha: headSha, user: owner, repo: repoJson },
    base: { label: `${repo.owner}:${pull.baseRef}`, ref: pull.baseRef, sha: baseSha, user: owner, repo: repoJson },
    _links: Object.fromEntries(Object.entries(links).map(([k, href]) => [k, { href }])),
    author_association: 'NONE',
    auto_merge: pull.autoMerge
      ? { enabled_by: renderUser(urls, pull.autoMerge.enabledBy), merge_method: pull.autoMerge.method, commit_title: '', commit_message: '' }
      : null,
    draft: pull.draft,
  };
}

/** The `pull-request` shape (create, get, update). */
export function renderPull(urls: Urls, world: World, repo: RepoRecord, pull: PullRecord): Json {
  const open = pull.state === 'open';
  const check = open ? mergeability(world, repo, pull) : undefined;
  const comments = repo.comments.filter((c) => c.issueNumber === pull.number).length;
  return {
    ...renderPullSimple(urls, world, repo, pull),
    merged: pull.merged,
    mergeable: check ? check.state !== 'dirty' : null,
    rebaseable: check ? check.state !== 'dirty' : null,
    mergeable_state: check?.state ?? 'unknown',
    merged_by: pull.mergedBy ? renderUser(urls, pull.mergedBy) : null,
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

import type { CommitObject } from './git-store.js';
import { nodeId, type Actor, type CheckRunRecord, type CommentRecord, type LabelRecord, type RepoRecord, type StatusRecord } from './model.js';

/** JSON bodies shaped like GitHub's (the contract validates each one before it leaves the server). */
export interface Urls {
  api: string;
  web: string;
}

type Json = Record<string, unknown>;

export function renderUser(urls: Urls, actor: Actor): Json {
  const login = encodeURIComponent(actor.login);
  const api = `${urls.api}/users/${login}`;
  return {
    login: actor.login,
    id: actor.id,
    node_id: nodeId(actor.type, actor.id),
    avatar_url: `${urls.web}/avatars/${actor.id}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: actor.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export function ownerActor(repo: RepoRecord): Actor {
  return { login: repo.owner, id: repo.id + 1, type: 'User' };
}

function repoUrls(urls: Urls, repo: RepoRecord): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const t = (path: string) => `${api}/${path}`;
  return {
    url: api,
    html_url: `${urls.web}/${repo.owner}/${repo.name}`,
    archive_url: t('{archive_format}{/ref}'),
    assignees_url: t('assignees{/user}'),
    blobs_url: t('git/blobs{/sha}'),
    branches_url: t('branches{/branch}'),
    collaborators_url: t('collaborators{/collaborator}'),
    comments_url: t('comments{/number}'),
    commits_url: t('commits{/sha}'),
    compare_url: t('compare/{base}...{head}'),
    contents_url: t('contents/{+path}'),
    contributors_url: t('contributors'),
    deployments_url: t('deployments'),
    downloads_url: t('downloads'),
    events_url: t('events'),
    forks_url: t('forks'),
    git_commits_url: t('git/commits{/sha}'),
    git_refs_url: t('git/refs{/sha}'),
    git_tags_url: t('git/tags{/sha}'),
    hooks_url: t('hooks'),
    issue_comment_url: t('issues/comments{/number}'),
    issue_events_url: t('issues/events{/number}'),
    issues_url: t('issues{/number}'),
    keys_url: t('keys{/key_id}'),
    labels_url: t('labels{/name}'),
    languages_url: t('languages'),
    merges_url: t('merges'),
    milestones_url: t('milestones{/number}'),
    notifications_url: t('notifications{?since,all,participating}'),
    pulls_url: t('pulls{/number}'),
    releases_url: t('releases{/id}'),
    stargazers_url: t('stargazers'),
    statuses_url: t('statuses/{sha}'),
    subscribers_url: t('subscribers'),
    subscription_url: t('subscription'),
    tags_url: t('tags'),
    teams_url: t('teams'),
    trees_url: t('git/trees{/sha}'),
  };
}

/** The `minimal-repository` shape (combined status). */
export function renderMinimalRepo(urls: Urls, repo: RepoRecord): Json {
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: renderUser(urls, ownerActor(repo)),
    private: true,
    description: null,
    fork: false,
    ...repoUrls(urls, repo),
  };
}

/** The full `repository` shape (pull request head/base). */
export function renderRepo(urls: Urls, repo: RepoRecord): Json {
  const openPulls = [...repo.pulls.values()].filter((p) => p.state === 'open').length;
  return {
    ...renderMinimalRepo(urls, repo),
    git_url: `git://127.0.0.1/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@127.0.0.1:${repo.owner}/${repo.name}.git`,
    clone_url: `${urls.web}/${repo.owner}/${repo.name}.git`,
    svn_url: `${urls.web}/${repo.owner}/${repo.name}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openPulls,
    open_issues: openPulls,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    visibility: 'private',
    allow_auto_merge: repo.allowAutoMerge,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
  };
}

export function renderStatus(urls: Urls, repo: RepoRecord, status: StatusRecord, withCreator = true): Json {
  const body: Json = {
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`,
    avatar_url: `${urls.web}/avatars/${status.creator.id}`,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
  };
  if (withCreator) body.creator = renderUser(urls, status.creator);
  return body;
}

export function renderRef(urls: Urls, repo: RepoRecord, ref: string, sha: string): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    ref,
    node_id: nodeId('Ref', ref.length),
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

export function renderGitCommit(urls: Urls, repo: RepoRecord, commit: CommitObject): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${web}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${web}/commit/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** An item of `GET /repos/{owner}/{repo}/commits` (the `commit` shape). */
export function renderCommit(urls: Urls, repo: RepoRecord, commit: CommitObject): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId('Commit', parseInt(commit.sha.slice(0, 8), 16)),
    html_url: `${web}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: {},
    committer: {},
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${web}/commit/${p}` })),
  };
}

export function renderLabel(urls: Urls, repo: RepoRecord, label: LabelRecord): Json {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

export function renderComment(urls: Urls, repo: RepoRecord, comment: CommentRecord): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    user: renderUser(urls, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'NONE',
    body: comment.body,
    performed_via_github_app: null,
  };
}

export function renderCheckRun(urls: Urls, repo: RepoRecord, run: CheckRunRecord): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: run.id,
    head_sha: run.sha,
    node_id: nodeId('CheckRun', run.id),
    external_id: null,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${api}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: null,
    app: null,
    pull_requests: [],
  };
}

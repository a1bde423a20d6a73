import { createHash } from 'node:crypto';
import { ForgeError, asHttpFailure, toForgeError } from './errors.js';
import type {
  CommitFilesInput,
  CommitFilesResult,
  CommitInfo,
  EnsureBranchInput,
  EnsureBranchResult,
  FileChange,
  ListCommitsTouchingInput,
  SetCommitStatusInput,
} from './forge.js';
import { listAll, step, stepOrMissing, type GitHubContext } from './github-context.js';
import { truncateDescription } from './markers.js';

/** Commit statuses, branches, commits through the git data API, and history. */

export async function setCommitStatus(ctx: GitHubContext, input: SetCommitStatusInput): Promise<void> {
  await step(`setCommitStatus ${input.context}@${input.sha}`, () =>
    ctx.octokit.rest.repos.createCommitStatus({
      owner: ctx.owner,
      repo: ctx.repo,
      sha: input.sha,
      state: input.state,
      context: input.context,
      description: truncateDescription(input.description),
      ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
    }),
  );
}

async function branchHead(ctx: GitHubContext, branch: string): Promise<string | undefined> {
  const found = await stepOrMissing(`read branch ${branch}`, () => ctx.octokit.rest.git.getRef({ owner: ctx.owner, repo: ctx.repo, ref: `heads/${branch}` }));
  return found?.data.object.sha;
}

export async function ensureBranch(ctx: GitHubContext, input: EnsureBranchInput): Promise<EnsureBranchResult> {
  checkBranch(input.branch);
  const existing = await branchHead(ctx, input.branch);
  if (existing) return { created: false, sha: existing };
  try {
    await ctx.octokit.rest.git.createRef({ owner: ctx.owner, repo: ctx.repo, ref: `refs/heads/${input.branch}`, sha: input.fromSha });
    return { created: true, sha: input.fromSha };
  } catch (error) {
    const raced = asHttpFailure(error)?.status === 422 ? await branchHead(ctx, input.branch) : undefined;
    if (raced) return { created: false, sha: raced };
    throw toForgeError(error, `ensureBranch ${input.branch}`);
  }
}

/** The object id git gives a blob with this content. */
export function gitBlobSha(content: string): string {
  const data = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export async function commitFiles(ctx: GitHubContext, input: CommitFilesInput): Promise<CommitFilesResult> {
  checkBranch(input.branch);
  for (const file of input.files) checkPath(file.path);
  const op = `commitFiles ${input.branch}`;
  const { owner, repo } = ctx;
  const git = ctx.octokit.rest.git;
  const head = await branchHead(ctx, input.branch);
  const own = input.branch.startsWith(ctx.ownBranchPrefix);
  if (input.baseSha && head && head !== input.baseSha && !own) {
    throw new ForgeError('forge.conflict', `${op}: refusing to reset ${input.branch} to ${input.baseSha}: only branches under "${ctx.ownBranchPrefix}" may be force-moved`);
  }
  const parent = input.baseSha ?? head;
  if (!parent) throw new ForgeError('forge.not-found', `${op}: branch ${input.branch} does not exist; pass baseSha to create it`);
  const base = await readTree(ctx, op, parent);
  const changes = input.files.filter((file) =>
    file.content === null ? base.blobs.has(file.path) || base.truncated : gitBlobSha(file.content) !== base.blobs.get(file.path)?.sha,
  );
  if (head && head !== parent && changes.length > 0 && (await alreadyCommitted(ctx, op, head, parent, base, changes))) {
    return { sha: head, changed: false };
  }

  let target = parent;
  if (changes.length > 0) {
    const entries: { path: string; mode: '100644' | '100755'; type: 'blob'; sha: string | null }[] = [];
    for (const file of changes) {
      const mode = base.blobs.get(file.path)?.mode === '100755' ? '100755' : '100644';
      const content = file.content;
      if (content === null) {
        entries.push({ path: file.path, mode, type: 'blob', sha: null });
        continue;
      }
      const blob = await step(`${op}: upload ${file.path}`, () => git.createBlob({ owner, repo, content, encoding: 'utf-8' }));
      entries.push({ path: file.path, mode, type: 'blob', sha: blob.data.sha });
    }
    const tree = (await step(`${op}: create tree`, () => git.createTree({ owner, repo, base_tree: base.sha, tree: entries }))).data.sha;
    const author = input.author ? { author: { name: input.author.name, email: input.author.email, ...(input.author.date ? { date: input.author.date } : {}) } } : {};
    target = (await step(`${op}: create commit`, () => git.createCommit({ owner, repo, message: input.message, tree, parents: [parent], ...author }))).data.sha;
  }
  if (head === target) return { sha: target, changed: false };
  if (!head) {
    await step(`${op}: create branch`, () => git.createRef({ owner, repo, ref: `refs/heads/${input.branch}`, sha: target }));
  } else {
    const force = Boolean(input.baseSha) && own;
    await step(`${op}: move branch`, () => git.updateRef({ owner, repo, ref: `heads/${input.branch}`, sha: target, force }));
  }
  return { sha: target, changed: true };
}

interface TreeListing {
  sha: string;
  truncated: boolean;
  blobs: Map<string, { sha: string; mode: string }>;
}

async function readTree(ctx: GitHubContext, op: string, commitSha: string): Promise<TreeListing> {
  const { owner, repo } = ctx;
  const commit = await step(`${op}: read commit ${commitSha}`, () => ctx.octokit.rest.git.getCommit({ owner, repo, commit_sha: commitSha }));
  const sha = commit.data.tree.sha;
  const tree = await step(`${op}: read tree ${sha}`, () => ctx.octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: 'true' }));
  const blobs = new Map<string, { sha: string; mode: string }>();
  for (const entry of tree.data.tree) {
    if (entry.type === 'blob' && entry.path && entry.sha) blobs.set(entry.path, { sha: entry.sha, mode: entry.mode ?? '100644' });
  }
  return { sha, truncated: tree.data.truncated, blobs };
}

/** Whether the branch head is already "parent + these changes" (a previous run made the same commit). */
async function alreadyCommitted(ctx: GitHubContext, op: string, head: string, parent: string, base: TreeListing, changes: FileChange[]): Promise<boolean> {
  if (base.truncated) return false;
  const current = await step(`${op}: read head ${head}`, () => ctx.octokit.rest.git.getCommit({ owner: ctx.owner, repo: ctx.repo, commit_sha: head }));
  if (current.data.parents.length !== 1 || current.data.parents[0]?.sha !== parent) return false;
  const headTree = await readTree(ctx, op, head);
  if (headTree.truncated) return false;
  const desired = new Map([...base.blobs].map(([path, entry]) => [path, entry.sha]));
  for (const file of changes) {
    if (file.content === null) desired.delete(file.path);
    else desired.set(file.path, gitBlobSha(file.content));
  }
  return desired.size === headTree.blobs.size && [...desired].every(([path, sha]) => headTree.blobs.get(path)?.sha === sha);
}

export async function listCommitsTouching(ctx: GitHubContext, input: ListCommitsTouchingInput): Promise<CommitInfo[]> {
  checkPath(input.path);
  const since = input.since === undefined ? undefined : new Date(input.since);
  if (since && Number.isNaN(since.getTime())) throw new ForgeError('forge.invalid-input', `listCommitsTouching: since "${String(input.since)}" is not a date`);
  type Item = { sha: string; commit: { message: string; author: { name?: string; date?: string } | null; committer: { date?: string } | null } };
  const items = await listAll<Item>(ctx, `listCommitsTouching ${input.path}`, 'GET /repos/{owner}/{repo}/commits', {
    path: input.path,
    ...(since ? { since: since.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(input.ref ? { sha: input.ref } : {}),
  });
  return items.map((item) => ({
    sha: item.sha,
    date: item.commit.committer?.date ?? item.commit.author?.date ?? '',
    message: item.commit.message,
    author: item.commit.author?.name ?? '',
  }));
}

function checkBranch(branch: string): void {
  if (!branch || branch.startsWith('refs/') || /\.\.|[\s~^:?*[\\]|\/$|^\/|@\{/.test(branch)) {
    throw new ForgeError('forge.invalid-input', `branch "${branch}" is not a valid branch name (give the short name, e.g. rp9/bot/tenant)`);
  }
}

function checkPath(path: string): void {
  if (!path || path.startsWith('/') || path.endsWith('/') || path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new ForgeError('forge.invalid-input', `path "${path}" must be relative, without empty, "." or ".." segments`);
  }
}

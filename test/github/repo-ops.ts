import { mergeFlat, type Signature } from './git-store.js';
import { HttpError, isoAt, type Actor, type MergeMethod, type PullRecord, type RepoRecord, type StatusRecord, type World } from './model.js';

/** Repository behaviour shared by the REST routes, GraphQL and the test helpers. */

const SHA = /^[0-9a-f]{40}$/;

/** A commit sha for a ref: full sha, `heads/x`, `refs/heads/x`, `tags/x` or a bare branch name. */
export function resolveRef(world: World, repo: RepoRecord, ref: string): string | undefined {
  if (SHA.test(ref) && world.git.commit(ref)) return ref;
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/${ref}`, `refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const name of candidates) {
    const sha = repo.refs.get(name);
    if (sha) return sha;
  }
  return undefined;
}

export function pullHeadSha(repo: RepoRecord, pull: PullRecord): string {
  return pull.frozenHeadSha ?? repo.refs.get(`refs/heads/${pull.headRef}`) ?? '0'.repeat(40);
}

export function latestStatuses(repo: RepoRecord, sha: string): StatusRecord[] {
  const latest = new Map<string, StatusRecord>();
  for (const status of repo.statuses) {
    if (status.sha !== sha) continue;
    const key = status.context.toLowerCase();
    const seen = latest.get(key);
    if (!seen || seen.id < status.id) latest.set(key, status);
  }
  return [...latest.values()].sort((a, b) => b.id - a.id);
}

export function combinedState(statuses: StatusRecord[]): 'failure' | 'pending' | 'success' {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure';
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}

/** Required contexts not yet green on `sha` (commit statuses or completed check runs). */
export function missingRequired(repo: RepoRecord, sha: string): string[] {
  const statuses = latestStatuses(repo, sha);
  return repo.requiredContexts.filter((context) => {
    const status = statuses.find((s) => s.context.toLowerCase() === context.toLowerCase());
    if (status?.state === 'success') return false;
    const run = repo.checkRuns.filter((c) => c.sha === sha && c.name === context).sort((a, b) => b.id - a.id)[0];
    return !(run?.status === 'completed' && run.conclusion === 'success');
  });
}

export interface Mergeability {
  state: 'clean' | 'blocked' | 'dirty';
  conflicts: string[];
  missing: string[];
}

export function mergeability(world: World, repo: RepoRecord, pull: PullRecord): Mergeability {
  const head = pullHeadSha(repo, pull);
  const base = repo.refs.get(`refs/heads/${pull.baseRef}`);
  const conflicts = base ? mergedTree(world, base, head).conflicts : [];
  const missing = pull.baseRef === repo.defaultBranch ? missingRequired(repo, head) : [];
  return { state: conflicts.length > 0 ? 'dirty' : missing.length > 0 ? 'blocked' : 'clean', conflicts, missing };
}

function mergedTree(world: World, base: string, head: string): { tree: string; conflicts: string[] } {
  const git = world.git;
  const ancestor = git.mergeBase(base, head);
  const flat = (sha: string | undefined) => (sha ? git.flatten(git.commit(sha)?.tree ?? '') : new Map());
  const { merged, conflicts } = mergeFlat(flat(ancestor), flat(base), flat(head));
  return { tree: git.treeFromFlat(merged), conflicts };
}

export function signatureOf(actor: Actor, at: number): Signature {
  return { name: actor.login, email: `${actor.id}+${actor.login}@users.noreply.github.com`, date: isoAt(at) };
}

/** Merges an open pull request into its base branch; throws GitHub's 405/409 errors when it cannot. */
export function mergePull(
  world: World,
  repo: RepoRecord,
  pull: PullRecord,
  input: { method: MergeMethod; actor: Actor; sha?: string; title?: string; message?: string },
): string {
  if (pull.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
  const head = pullHeadSha(repo, pull);
  if (input.sha && input.sha !== head) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
  const check = mergeability(world, repo, pull);
  if (check.missing.length > 0) throw new HttpError(405, `Required status check "${check.missing[0]}" is expected.`);
  if (check.conflicts.length > 0) throw new HttpError(405, 'Pull Request is not mergeable');
  const baseRef = `refs/heads/${pull.baseRef}`;
  const base = repo.refs.get(baseRef) as string;
  const now = world.now();
  const sig = signatureOf(input.actor, now);
  const { tree } = mergedTree(world, base, head);
  const title = input.title ?? (input.method === 'merge' ? `Merge pull request #${pull.number} from ${repo.owner}/${pull.headRef}` : `${pull.title} (#${pull.number})`);
  const message = input.message ? `${title}\n\n${input.message}` : title;
  const parents = input.method === 'merge' ? [base, head] : [base];
  const sha = world.git.putCommit({ tree, parents, message, author: sig, committer: sig });
  repo.refs.set(baseRef, sha);
  Object.assign(pull, {
    state: 'closed',
    merged: true,
    mergedAt: isoAt(now),
    closedAt: isoAt(now),
    updatedAt: isoAt(now),
    mergeCommitSha: sha,
    mergedBy: input.actor,
    frozenHeadSha: head,
    autoMerge: null,
  } satisfies Partial<PullRecord>);
  return sha;
}

/** GitHub merges auto-merge pull requests once they are clean; run after anything that can change that. */
export function settleAutoMerge(world: World, repo: RepoRecord): void {
  for (const pull of repo.pulls.values()) {
    if (pull.state !== 'open' || !pull.autoMerge) continue;
    if (mergeability(world, repo, pull).state !== 'clean') continue;
    mergePull(world, repo, pull, { method: pull.autoMerge.method, actor: pull.autoMerge.enabledBy });
  }
}

export function closePull(world: World, pull: PullRecord, repo: RepoRecord): void {
  const now = isoAt(world.now());
  Object.assign(pull, { state: 'closed', closedAt: now, updatedAt: now, frozenHeadSha: pullHeadSha(repo, pull), autoMerge: null });
}

export function findRepo(world: World, owner: string, name: string): RepoRecord {
  const repo = world.repos.get(`${owner}/${name}`.toLowerCase());
  if (!repo) throw new HttpError(404, 'Not Found');
  return repo;
}

export function findPull(repo: RepoRecord, number: number): PullRecord {
  const pull = repo.pulls.get(number);
  if (!pull) throw new HttpError(404, 'Not Found');
  return pull;
}

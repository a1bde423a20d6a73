// A config repo on the local disk (a work tree or a bare repo). isomorphic-git
// can't fetch from a path, and needn't: rp9 reads the repo's own object store,
// resolving the branch there. Only committed content counts; the work tree's
// files are never read. The commit last read is kept in the cache dir.
import git from 'isomorphic-git';
import { join } from 'node:path';
import { descendsFrom, findLocalGitdir, packIndexes, readTextFile, writeTextFile, type GitFs } from './repo.js';
import type { SnapshotState } from './snapshot.js';
import type { FetchResult } from './types.js';

export interface LocalContext {
  fs: GitFs;
  path: string;
  branch: string;
  /** This source's cache dir; holds `last-commit`. */
  stateDir: string;
  state: SnapshotState;
  /** The git dir found by the last fetch. */
  gitdir?: string;
  packs?: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stateFile(ctx: LocalContext): string {
  return join(ctx.stateDir, 'last-commit');
}

/** Resolves the branch in the local repo and records its commit. Never throws. */
export async function fetchLocal(ctx: LocalContext): Promise<FetchResult> {
  const { fs } = ctx;
  const found = await findLocalGitdir(fs, ctx.path);
  if ('message' in found) return { ok: false, code: 'source.not-a-repo', message: found.message };
  const { gitdir } = found;
  // Packfiles of a local repo come and go (gc); start a fresh isomorphic-git cache when they do.
  const packs = (await packIndexes(fs, gitdir)).join(',');
  if (ctx.gitdir !== gitdir || ctx.packs !== packs) {
    ctx.state.cache = {};
    ctx.state.trees.clear();
  }
  ctx.gitdir = gitdir;
  ctx.packs = packs;
  let commit: string;
  try {
    commit = await git.resolveRef({ fs, gitdir, ref: `refs/heads/${ctx.branch}` });
  } catch {
    return { ok: false, code: 'source.branch-missing', message: `${ctx.path}: branch ${ctx.branch} does not exist` };
  }
  try {
    await git.readCommit({ fs, gitdir, oid: commit, cache: ctx.state.cache });
  } catch (error) {
    return { ok: false, code: 'source.corrupt', message: `${ctx.path}: commit ${commit} of branch ${ctx.branch} cannot be read: ${describe(error)}` };
  }
  const previous = await readTextFile(fs, stateFile(ctx));
  const forced = previous !== undefined && !(await descendsFrom(fs, gitdir, ctx.state.cache, commit, previous));
  try {
    if (previous !== commit) await writeTextFile(fs, stateFile(ctx), commit);
  } catch (error) {
    return { ok: false, code: 'source.corrupt', message: `cannot record commit ${commit} in ${ctx.stateDir}: ${describe(error)}` };
  }
  return previous === undefined ? { ok: true, commit, forced } : { ok: true, commit, previous, forced };
}

/** The git dir to read snapshots from: the one the last fetch found, or found now. */
export async function localGitdir(ctx: LocalContext): Promise<string | undefined> {
  if (ctx.gitdir) return ctx.gitdir;
  const found = await findLocalGitdir(ctx.fs, ctx.path);
  if ('message' in found) return undefined;
  ctx.gitdir = found.gitdir;
  return found.gitdir;
}

export function lastLocalCommit(ctx: LocalContext): Promise<string | undefined> {
  return readTextFile(ctx.fs, stateFile(ctx));
}

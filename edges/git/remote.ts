// Fetching the config branch over smart HTTP into a bare cache repo. Nothing
// is checked out. isomorphic-git moves its remote-tracking ref before the
// packfile has arrived, so rp9 trusts only `refs/heads/<branch>` of the cache,
// which it writes after the fetched commit is known to be readable.
import git, { type AuthCallback, type HttpClient } from 'isomorphic-git';
import { classifyFetchError } from './errors.js';
import { descendsFrom, ensureCacheRepo, INCOMING_REMOTE, packIndexes, resolveOptional, type GitFs } from './repo.js';
import type { SnapshotState } from './snapshot.js';
import type { FetchResult } from './types.js';

export interface RemoteContext {
  fs: GitFs;
  /** The cache repo (bare). */
  gitdir: string;
  url: string;
  display: string;
  branch: string;
  http: HttpClient;
  onAuth: AuthCallback | undefined;
  secrets: string[];
  state: SnapshotState;
  maxPacks: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fetchInto(ctx: RemoteContext, gitdir: string, cache: object) {
  const trusted = `refs/heads/${ctx.branch}`;
  return git.fetch({
    fs: ctx.fs,
    http: ctx.http,
    gitdir,
    url: ctx.url,
    // `ref` only picks the local ref whose commit is offered as "have", so the server sends just what is new.
    ref: trusted,
    remote: INCOMING_REMOTE,
    remoteRef: trusted,
    singleBranch: true,
    tags: false,
    onAuth: ctx.onAuth,
    cache,
  });
}

/** Brings the cache up to date with the remote branch. Never throws. */
export async function fetchRemote(ctx: RemoteContext): Promise<FetchResult> {
  const result = await fetchOnce(ctx);
  if (result.ok || result.code !== 'source.corrupt') return result;
  return { ...result, message: `${result.message} (rp9 leaves the cache as it is; delete ${ctx.gitdir} to rebuild it with a full fetch)` };
}

async function fetchOnce(ctx: RemoteContext): Promise<FetchResult> {
  const { fs, gitdir } = ctx;
  const trusted = `refs/heads/${ctx.branch}`;
  try {
    await ensureCacheRepo(fs, gitdir);
  } catch (error) {
    return { ok: false, code: 'source.corrupt', message: `cannot prepare the git cache at ${gitdir}: ${describe(error)}` };
  }
  const previous = await resolveOptional(fs, gitdir, trusted);
  let commit: string | null;
  try {
    commit = (await fetchInto(ctx, gitdir, ctx.state.cache)).fetchHead;
  } catch (error) {
    const failure = classifyFetchError(error, ctx.display, trusted, ctx.secrets);
    if (failure.code === 'source.auth-failed' && !ctx.onAuth) {
      return { ok: false, code: failure.code, message: `${ctx.display}: the server requires credentials; set RP9_GIT_TOKEN` };
    }
    return { ok: false, ...failure };
  }
  if (!commit) return { ok: false, code: 'source.branch-missing', message: `${ctx.display}: the repository is empty (no branch ${ctx.branch})` };
  try {
    await git.readCommit({ fs, gitdir, oid: commit, cache: ctx.state.cache });
  } catch (error) {
    return { ok: false, code: 'source.corrupt', message: `fetched commit ${commit} cannot be read from the git cache: ${describe(error)}` };
  }
  const forced = previous !== undefined && !(await descendsFrom(fs, gitdir, ctx.state.cache, commit, previous));
  try {
    await git.writeRef({ fs, gitdir, ref: trusted, value: commit, force: true });
  } catch (error) {
    return { ok: false, code: 'source.corrupt', message: `cannot record commit ${commit} in the git cache: ${describe(error)}` };
  }
  if ((await packIndexes(fs, gitdir)).length > ctx.maxPacks) await compact(ctx, commit);
  return previous === undefined ? { ok: true, commit, forced } : { ok: true, commit, previous, forced };
}

/**
 * Every fetch adds a packfile and every object read scans them all, so once
 * there are more than `maxPacks` the cache is rebuilt with one full fetch into
 * a sibling directory and swapped in. Best effort: on any failure the current
 * cache stays as it is (and `ensureCacheRepo` repairs a swap cut short).
 */
async function compact(ctx: RemoteContext, commit: string): Promise<void> {
  const { fs, gitdir } = ctx;
  const fresh = `${gitdir}.compact`;
  try {
    await fs.promises.rm(fresh, { recursive: true, force: true });
    await ensureCacheRepo(fs, fresh);
    const cache = {};
    const fetched = await fetchInto(ctx, fresh, cache);
    if (fetched.fetchHead !== commit) throw new Error('the branch moved during compaction');
    await git.readCommit({ fs, gitdir: fresh, oid: commit, cache });
    await git.writeRef({ fs, gitdir: fresh, ref: `refs/heads/${ctx.branch}`, value: commit, force: true });
    await fs.promises.rm(`${gitdir}.old`, { recursive: true, force: true });
    await fs.promises.rename(gitdir, `${gitdir}.old`);
    await fs.promises.rename(fresh, gitdir);
    ctx.state.cache = cache;
    ctx.state.trees.clear();
    await fs.promises.rm(`${gitdir}.old`, { recursive: true, force: true });
  } catch {
    await fs.promises.rm(fresh, { recursive: true, force: true }).catch(() => undefined);
    await ensureCacheRepo(fs, gitdir).catch(() => undefined);
  }
}

/** The commit the last successful fetch recorded. */
export function lastRemoteCommit(ctx: RemoteContext): Promise<string | undefined> {
  return resolveOptional(ctx.fs, ctx.gitdir, `refs/heads/${ctx.branch}`);
}

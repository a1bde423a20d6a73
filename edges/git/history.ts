// The history of files in a git object store (a fetched cache or a local
// repo), read with isomorphic-git: the commits since a date that changed a
// path, each with the blob before and after. One walk of the commits per
// reader and head; trees are cached by oid, so asking about many files costs
// little more than asking about one.
import git from 'isomorphic-git';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findLocalGitdir, resolveOptional, type GitFs } from './repo.js';
import { SourceError } from './types.js';

export interface FileChange {
  commit: string;
  /** Committer date. */
  date: Date;
  /** Blob oid in the commit's first parent; undefined when the path didn't exist there (or there is no parent). */
  before: string | undefined;
  /** Blob oid in the commit; undefined when the commit deleted the path. */
  after: string | undefined;
}

export interface FileHistory {
  /** The commit the walk starts from. */
  readonly head: string;
  /**
   * Commits reachable from `head` with a committer date at or after `since`, newest first, that changed
   * `path` against their first parent. `truncated` is the date of the oldest commit looked at when more
   * than `maxCommits` commits lie in the window (the older ones were not looked at).
   */
  changesOf(path: string, since: Date, maxCommits?: number): Promise<{ changes: FileChange[]; truncated: Date | undefined }>;
  /** A blob's text. */
  readText(oid: string): Promise<string>;
  /** Up to `maxCommits` commits reachable from `head`, newest first, with their committer dates (GET /analytics/growth). */
  commits(maxCommits: number): Promise<{ commit: string; date: Date }[]>;
}

interface WalkedCommit {
  oid: string;
  tree: string;
  parent: string | undefined;
  date: Date;
}

const DEFAULT_MAX_COMMITS = 500;
const KEPT_TREES = 64;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** History over `gitdir` from `head`; paths are relative to `prefix` in the tree. Reads nothing until asked. */
export function openFileHistory(fs: GitFs, gitdir: string, head: string, cache: object = {}, prefix = ''): FileHistory {
  const trees = new Map<string, Map<string, { oid: string; type: string }>>();
  const walks = new Map<string, Promise<{ commits: WalkedCommit[]; truncated: Date | undefined }>>();

  async function treeOf(oid: string): Promise<Map<string, { oid: string; type: string }>> {
    const kept = trees.get(oid);
    if (kept) return kept;
    const { tree } = await git.readTree({ fs, gitdir, oid, cache });
    const entries = new Map(tree.map((e) => [e.path, { oid: e.oid, type: e.type }]));
    trees.set(oid, entries);
    if (trees.size > KEPT_TREES) trees.delete(trees.keys().next().value as string);
    return entries;
  }

  async function blobAt(rootTree: string, path: string): Promise<string | undefined> {
    let tree = rootTree;
    const parts = (prefix ? `${prefix}/${path}` : path).split('/');
    for (const [index, part] of parts.entries()) {
      const entry = (await treeOf(tree)).get(part);
      if (!entry) return undefined;
      if (index === parts.length - 1) return entry.type === 'blob' ? entry.oid : undefined;
      if (entry.type !== 'tree') return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  function walk(since: Date, maxCommits: number): Promise<{ commits: WalkedCommit[]; truncated: Date | undefined }> {
    const key = `${since.getTime()}:${maxCommits}`;
    let found = walks.get(key);
    if (!found) {
      found = (async () => {
        // One more than asked, to know whether the window holds more.
        const log = await git.log({ fs, gitdir, ref: head, since, depth: maxCommits + 1, cache });
        const commits = log
          .map((entry) => ({ oid: entry.oid, tree: entry.commit.tree, parent: entry.commit.parent[0], date: new Date(entry.commit.committer.timestamp * 1000) }))
          .filter((c) => c.date.getTime() >= since.getTime());
        const kept = commits.slice(0, maxCommits);
        return { commits: kept, truncated: commits.length > maxCommits ? kept[kept.length - 1]?.date : undefined };
      })();
      walks.set(key, found);
    }
    return found;
  }

  const commitTrees = new Map<string, string>();
  async function treeOfCommit(oid: string): Promise<string> {
    const kept = commitTrees.get(oid);
    if (kept) return kept;
    const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
    commitTrees.set(oid, commit.tree);
    return commit.tree;
  }

  return {
    head,
    async changesOf(path, since, maxCommits = DEFAULT_MAX_COMMITS) {
      try {
        const { commits, truncated } = await walk(since, maxCommits);
        const changes: FileChange[] = [];
        for (const commit of commits) {
          const after = await blobAt(commit.tree, path);
          const before = commit.parent ? await blobAt(await treeOfCommit(commit.parent), path) : undefined;
          if (before !== after) changes.push({ commit: commit.oid, date: commit.date, before, after });
        }
        return { changes, truncated };
      } catch (error) {
        throw new SourceError('source.corrupt', `cannot read the history of ${path} from ${gitdir}: ${describe(error)}`);
      }
    },
    async commits(maxCommits) {
      try {
        const log = await git.log({ fs, gitdir, ref: head, depth: maxCommits, cache });
        return log.map((entry) => ({ commit: entry.oid, date: new Date(entry.commit.committer.timestamp * 1000) }));
      } catch (error) {
        throw new SourceError('source.corrupt', `cannot read the commits of ${head} from ${gitdir}: ${describe(error)}`);
      }
    },
    async readText(oid) {
      try {
        const { blob } = await git.readBlob({ fs, gitdir, oid, cache });
        return Buffer.from(blob).toString('utf8');
      } catch (error) {
        throw new SourceError('source.corrupt', `cannot read blob ${oid} from ${gitdir}: ${describe(error)}`);
      }
    },
  };
}

/**
 * The history of the local repository `dir` lies in, from its HEAD (a checkout's current commit).
 * undefined when `dir` is not in a git repository or HEAD has no commit yet.
 */
export async function openLocalHistory(fs: GitFs, dir: string): Promise<FileHistory | undefined> {
  const start = resolve(dir);
  let path = start;
  for (let depth = 0; depth < 64; depth += 1) {
    const found = await findLocalGitdir(fs, path);
    if ('gitdir' in found) {
      const head = await headCommit(fs, path, found.gitdir);
      // Paths asked about are relative to `dir`, which may be a subdirectory of the work tree.
      return head ? openFileHistory(fs, found.gitdir, head, {}, relative(path, start).split(sep).join('/')) : undefined;
    }
    const parent = dirname(path);
    if (parent === path) return undefined;
    path = parent;
  }
  return undefined;
}

/** HEAD of the work tree at `path`: a linked work tree keeps its HEAD in its own git dir, the branches in the common one. */
async function headCommit(fs: GitFs, path: string, commonGitdir: string): Promise<string | undefined> {
  const dotGit = join(path, '.git');
  const pointer = await fs.promises.readFile(dotGit, 'utf8').catch(() => undefined);
  const linked = pointer === undefined ? null : /^gitdir:\s*(.+)$/m.exec(pointer);
  const own = linked?.[1] ? resolve(path, linked[1].trim()) : (await fs.promises.stat(dotGit).catch(() => undefined))?.isDirectory() ? dotGit : commonGitdir;
  const text = (await fs.promises.readFile(join(own, 'HEAD'), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}$/.test(text)) return text;
  const ref = /^ref:\s*(\S+)$/.exec(text)?.[1];
  return ref ? resolveOptional(fs, commonGitdir, ref) : undefined;
}

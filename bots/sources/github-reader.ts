// Read-only access to the config repo on GitHub through the git data API:
// a branch head, the config files of a commit, one file at a commit, a
// commit's parents. The Forge only writes; the bots read the base branch here.
import { Octokit } from '@octokit/rest';
import { createAppAuthStrategy, type AppCredentials } from '../../edges/forge/app-auth.js';
import type { ConfigFiles, Diagnostic, SourceFile } from '../../config/types.js';
import { selectConfigEntries, type TreeEntry } from '../../edges/git/tree.js';
import { mapLimit } from '../../kernel/concurrency/map-limit.js';
import { SourceReadError } from './errors.js';

export interface GitHubReaderOptions {
  owner: string;
  repo: string;
  auth: { token: string } | AppCredentials;
  /** REST base URL (default https://api.github.com). */
  baseUrl?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Blobs read in parallel (default 8). */
  concurrency?: number;
}

export interface RepoReader {
  /** The commit a branch points at. */
  headOf(branch: string): Promise<string>;
  /** platform.yaml and tenants/*.yaml of a commit, with blob oids. */
  configAt(commit: string): Promise<ConfigFiles>;
  /** One file's text at a commit; undefined when the path doesn't exist there. */
  fileAt(commit: string, path: string): Promise<string | undefined>;
  parentsOf(commit: string): Promise<string[]>;
}

interface TreeItem {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
}

function octokitFor(options: GitHubReaderOptions): Octokit {
  const silent = () => {};
  const common = {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    userAgent: 'rp9-bots',
    log: { debug: silent, info: silent, warn: silent, error: silent },
  };
  const octokit = 'token' in options.auth
    ? new Octokit({ ...common, auth: options.auth.token })
    : new Octokit({ ...common, authStrategy: createAppAuthStrategy, auth: { ...options.auth } });
  const timeoutMs = options.timeoutMs ?? 30_000;
  octokit.hook.wrap('request', (request, requestOptions) =>
    request({ ...requestOptions, request: { ...(requestOptions.request ?? {}), signal: AbortSignal.timeout(timeoutMs) } }),
  );
  return octokit;
}

async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new SourceReadError(status === 401 || status === 403 ? 'sources.github-auth' : 'sources.github-read', `${what}: ${(error as Error).message}`);
  }
}

async function orMissing<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    return attempt(what, () => Promise.reject(error));
  }
}

function toEntry(item: TreeItem): TreeEntry | undefined {
  if (!item.path || !item.sha || !item.mode) return undefined;
  const type = item.type === 'tree' ? 'tree' : item.type === 'commit' ? 'commit' : 'blob';
  return { path: item.path, mode: item.mode, oid: item.sha, type };
}

export function createGitHubReader(options: GitHubReaderOptions): RepoReader {
  const octokit = octokitFor(options);
  const { owner, repo } = options;
  const concurrency = options.concurrency ?? 8;

  async function treeOf(commit: string): Promise<string> {
    const found = await attempt(`read commit ${commit}`, () => octokit.rest.git.getCommit({ owner, repo, commit_sha: commit }));
    return found.data.tree.sha;
  }

  async function listTree(sha: string): Promise<TreeEntry[]> {
    const found = await attempt(`read tree ${sha}`, () => octokit.rest.git.getTree({ owner, repo, tree_sha: sha }));
    return (found.data.tree as TreeItem[]).map(toEntry).filter((e): e is TreeEntry => e !== undefined);
  }

  async function blob(sha: string): Promise<Uint8Array> {
    const found = await attempt(`read blob ${sha}`, () => octokit.rest.git.getBlob({ owner, repo, file_sha: sha }));
    return new Uint8Array(Buffer.from(found.data.content, found.data.encoding === 'base64' ? 'base64' : 'utf8'));
  }

  async function entryAt(commit: string, path: string): Promise<TreeEntry | undefined> {
    let entries = await listTree(await treeOf(commit));
    const parts = path.split('/');
    for (const [index, part] of parts.entries()) {
      const entry = entries.find((e) => e.path === part);
      if (!entry) return undefined;
      if (index === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      entries = await listTree(entry.oid);
    }
    return undefined;
  }

  return {
    async headOf(branch) {
      const ref = await orMissing(`read branch ${branch}`, () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }));
      if (!ref) throw new SourceReadError('sources.branch-missing', `branch ${branch} does not exist in ${owner}/${repo}`);
      return ref.data.object.sha;
    },
    async configAt(commit) {
      const root = await listTree(await treeOf(commit));
      const tenantsDir = root.find((e) => e.path === 'tenants' && e.type === 'tree');
      const tenants = tenantsDir ? await listTree(tenantsDir.oid) : undefined;
      const problems: Diagnostic[] = [];
      const listing = selectConfigEntries(root, tenants, problems);
      const files = await mapLimit([...listing], concurrency, async ([path, oid]): Promise<SourceFile> => ({ path, oid, bytes: await blob(oid) }));
      return {
        platform: files.find((f) => f.path === 'platform.yaml'),
        tenants: files.filter((f) => f.path !== 'platform.yaml'),
        problems,
      };
    },
    async fileAt(commit, path) {
      const entry = await entryAt(commit, path);
      if (!entry || entry.type !== 'blob') return undefined;
      return Buffer.from(await blob(entry.oid)).toString('utf8');
    },
    async parentsOf(commit) {
      const found = await attempt(`read commit ${commit}`, () => octokit.rest.git.getCommit({ owner, repo, commit_sha: commit }));
      return found.data.parents.map((p) => p.sha);
    },
  };
}

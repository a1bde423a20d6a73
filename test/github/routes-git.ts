import type { EntryType, Signature, TreeChange } from './git-store.js';
import { HttpError, nodeId } from './model.js';
import { renderCommit, renderGitCommit, renderRef } from './render.js';
import { resolveRef, signatureOf } from './repo-ops.js';
import { bodyObject, paginate, repoOf, type Route, type RouteContext } from './route.js';

/** Git data API: refs, blobs, trees, commits; and the commit history list. */
export const gitRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const name = `refs/${ctx.params.ref}`;
      const sha = repo.refs.get(name);
      if (!sha) throw new HttpError(404, 'Not Found');
      return { status: 200, body: renderRef(ctx.urls, repo, name, sha) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const { ref, sha } = bodyObject(ctx) as { ref: string; sha: string };
      if (!/^refs\/[^/]+\/.+/.test(ref)) throw new HttpError(422, `${ref} is not a valid ref name.`);
      if (repo.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
      if (!ctx.world.git.commit(sha)) throw new HttpError(422, 'Object does not exist');
      repo.refs.set(ref, sha);
      return { status: 201, body: renderRef(ctx.urls, repo, ref, sha), headers: { location: `${ctx.urls.api}/repos/${repo.owner}/${repo.name}/git/${ref}` } };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const name = `refs/${ctx.params.ref}`;
      const { sha, force } = bodyObject(ctx) as { sha: string; force?: boolean };
      const current = repo.refs.get(name);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      if (!ctx.world.git.commit(sha)) throw new HttpError(422, 'Object does not exist');
      if (force !== true && !ctx.world.git.isAncestor(current, sha)) throw new HttpError(422, 'Update is not a fast forward');
      repo.refs.set(name, sha);
      ctx.afterWrite(repo);
      return { status: 200, body: renderRef(ctx.urls, repo, name, sha) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/blobs',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const { content, encoding = 'utf-8' } = bodyObject(ctx) as { content: string; encoding?: string };
      if (encoding !== 'utf-8' && encoding !== 'base64') throw new HttpError(422, `encoding must be utf-8 or base64, got ${encoding}`);
      const sha = ctx.world.git.putBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      return { status: 201, body: { url: `${ctx.urls.api}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}`, sha } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const sha = ctx.params.file_sha ?? '';
      const data = ctx.world.git.blob(sha);
      if (!data) throw new HttpError(404, 'Not Found');
      const content = (data.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
      const body = { sha, node_id: nodeId('Blob', data.length), size: data.length, url: `${ctx.urls.api}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}`, content, encoding: 'base64' };
      return { status: 200, body };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/trees',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const git = ctx.world.git;
      const input = bodyObject(ctx) as { tree: { path?: string; mode?: string; type?: EntryType; sha?: string | null; content?: string }[]; base_tree?: string };
      if (input.base_tree !== undefined && !git.tree(input.base_tree)) throw new HttpError(422, 'base_tree is not a valid tree oid');
      const changes: TreeChange[] = input.tree.map((entry, i) => {
        if (!entry.path || !entry.mode || !entry.type) throw new HttpError(422, `tree.${i} needs path, mode and type`);
        if (entry.content !== undefined && entry.sha !== undefined) throw new HttpError(422, `tree.${i}: use either sha or content, not both`);
        if (entry.content !== undefined) return { path: entry.path, mode: entry.mode, type: entry.type, sha: git.putBlob(Buffer.from(entry.content)) };
        if (entry.sha === undefined) throw new HttpError(422, `tree.${i} needs sha or content`);
        if (entry.sha === null) return { path: entry.path, mode: entry.mode, type: entry.type, sha: null };
        if (git.typeOf(entry.sha) !== entry.type) throw new HttpError(422, `tree.${i}.sha ${entry.sha} is not a valid ${entry.type}`);
        return { path: entry.path, mode: entry.mode, type: entry.type, sha: entry.sha };
      });
      const sha = git.buildTree(input.base_tree, changes);
      return { status: 201, body: renderTree(ctx, repo.owner, repo.name, sha, false) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const given = ctx.params.tree_sha ?? '';
      const sha = ctx.world.git.tree(given) ? given : ctx.world.git.commit(resolveRef(ctx.world, repo, given) ?? '')?.tree;
      if (!sha) throw new HttpError(404, 'Not Found');
      return { status: 200, body: renderTree(ctx, repo.owner, repo.name, sha, ctx.query.recursive !== undefined) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/commits',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const git = ctx.world.git;
      const input = bodyObject(ctx) as { message: string; tree: string; parents?: string[]; author?: Partial<Signature>; committer?: Partial<Signature> };
      if (!git.tree(input.tree)) throw new HttpError(422, 'Tree SHA does not exist');
      for (const parent of input.parents ?? []) if (!git.commit(parent)) throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
      const fallback = signatureOf(ctx.actor, ctx.world.now());
      const author = { ...fallback, ...input.author };
      const committer = { ...author, date: fallback.date, ...input.committer };
      const sha = git.putCommit({ tree: input.tree, parents: input.parents ?? [], message: input.message, author, committer });
      return { status: 201, body: renderGitCommit(ctx.urls, repo, git.commit(sha)!) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const commit = ctx.world.git.commit(ctx.params.commit_sha ?? '');
      if (!commit) throw new HttpError(404, 'Not Found');
      return { status: 200, body: renderGitCommit(ctx.urls, repo, commit) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const git = ctx.world.git;
      const head = resolveRef(ctx.world, repo, ctx.query.sha ?? repo.defaultBranch);
      if (!head) throw new HttpError(404, 'Not Found');
      const path = ctx.query.path?.replace(/^\/+|\/+$/g, '');
      const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
      const until = ctx.query.until ? Date.parse(ctx.query.until) : undefined;
      if ((since !== undefined && Number.isNaN(since)) || (until !== undefined && Number.isNaN(until))) throw new HttpError(400, 'Invalid date');
      const commits = git.history(head).filter((commit) => {
        const at = Date.parse(commit.committer.date);
        if (since !== undefined && at < since) return false;
        if (until !== undefined && at > until) return false;
        return !path || touches(ctx, commit.tree, commit.parents[0], path);
      });
      const page = paginate(ctx, commits);
      return { status: 200, body: page.items.map((c) => renderCommit(ctx.urls, repo, c)), headers: page.headers };
    },
  },
];

/** Whether a commit changed anything at or under `path` compared with its first parent. */
function touches(ctx: RouteContext, tree: string, parent: string | undefined, path: string): boolean {
  const git = ctx.world.git;
  const select = (treeSha: string | undefined) =>
    [...(treeSha ? git.flatten(treeSha) : new Map())].filter(([p]) => p === path || p.startsWith(`${path}/`)).map(([p, e]) => `${p}:${e.sha}`).join('\n');
  const parentTree = parent ? git.commit(parent)?.tree : undefined;
  return select(tree) !== select(parentTree);
}

function renderTree(ctx: RouteContext, owner: string, name: string, sha: string, recursive: boolean): Record<string, unknown> {
  const git = ctx.world.git;
  const api = `${ctx.urls.api}/repos/${owner}/${name}`;
  const entries: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const [entryName, entry] of git.tree(treeSha) ?? []) {
      const path = `${prefix}${entryName}`;
      const kind = entry.type === 'tree' ? 'trees' : 'blobs';
      const size = entry.type === 'blob' ? { size: git.blob(entry.sha)?.length ?? 0 } : {};
      entries.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha, ...size, url: `${api}/git/${kind}/${entry.sha}` });
      if (recursive && entry.type === 'tree') walk(entry.sha, `${path}/`);
    }
  };
  walk(sha, '');
  return { sha, url: `${api}/git/trees/${sha}`, tree: entries, truncated: false };
}

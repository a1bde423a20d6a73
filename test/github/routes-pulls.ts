import { HttpError, isoAt, type MergeMethod, type PullRecord } from './model.js';
import { renderPull, renderPullSimple } from './render-pull.js';
import { closePull, findPull, mergePull, pullHeadSha } from './repo-ops.js';
import { bodyObject, intParam, paginate, repoOf, validationFailed, type Route } from './route.js';

/** Pull requests: list, create, get, update, merge. */
export const pullRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const state = ctx.query.state ?? 'open';
      const head = ctx.query.head;
      const pulls = [...repo.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || `${repo.owner}:${p.headRef}`.toLowerCase() === (head.includes(':') ? head : `${repo.owner}:${head}`).toLowerCase())
        .filter((p) => !ctx.query.base || p.baseRef === ctx.query.base)
        .sort((a, b) => {
          const key = ctx.query.sort === 'updated' ? 'updatedAt' : 'createdAt';
          const order = a[key].localeCompare(b[key]) || a.number - b.number;
          return ctx.query.direction === 'asc' ? order : -order;
        });
      const page = paginate(ctx, pulls);
      return { status: 200, body: page.items.map((p) => renderPullSimple(ctx.urls, ctx.world, repo, p)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const input = bodyObject(ctx) as { title?: string; head: string; base: string; body?: string; draft?: boolean };
      const [headOwner, headRef] = input.head.includes(':') ? input.head.split(':', 2) : [repo.owner, input.head];
      if (headOwner?.toLowerCase() !== repo.owner.toLowerCase()) throw validationFailed('PullRequest', 'head', 'invalid');
      if (!input.title) throw validationFailed('PullRequest', 'title', 'missing_field');
      const headSha = repo.refs.get(`refs/heads/${headRef}`);
      const baseSha = repo.refs.get(`refs/heads/${input.base}`);
      if (!headSha) throw validationFailed('PullRequest', 'head', 'invalid');
      if (!baseSha) throw validationFailed('PullRequest', 'base', 'invalid');
      const duplicate = [...repo.pulls.values()].find((p) => p.state === 'open' && p.headRef === headRef && p.baseRef === input.base);
      if (duplicate) throw validationFailed('PullRequest', 'head', 'custom', `A pull request already exists for ${repo.owner}:${headRef}.`);
      if (ctx.world.git.isAncestor(headSha, baseSha)) throw validationFailed('PullRequest', 'head', 'custom', `No commits between ${input.base} and ${headRef}`);
      const now = isoAt(ctx.world.now());
      const pull: PullRecord = {
        id: ctx.world.nextId(),
        number: repo.nextNumber,
        title: input.title,
        body: input.body ?? null,
        headRef: headRef ?? '',
        baseRef: input.base,
        frozenHeadSha: null,
        state: 'open',
        draft: input.draft === true,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        mergedBy: null,
        closedAt: null,
        createdAt: now,
        updatedAt: now,
        labels: [],
        autoMerge: null,
        user: ctx.actor,
      };
      repo.nextNumber += 1;
      repo.pulls.set(pull.number, pull);
      const body = renderPull(ctx.urls, ctx.world, repo, pull);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      return { status: 200, body: renderPull(ctx.urls, ctx.world, repo, findPull(repo, intParam(ctx, 'pull_number'))) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const pull = findPull(repo, intParam(ctx, 'pull_number'));
      const input = bodyObject(ctx) as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string };
      if (input.base !== undefined && !repo.refs.has(`refs/heads/${input.base}`)) throw validationFailed('PullRequest', 'base', 'invalid');
      if (input.state === 'open' && pull.state === 'closed') {
        if (pull.merged) throw validationFailed('PullRequest', 'state', 'custom', 'state cannot be changed. The pull request cannot be reopened because it was merged.');
        const current = repo.refs.get(`refs/heads/${pull.headRef}`);
        if (!current) throw validationFailed('PullRequest', 'state', 'custom', 'state cannot be changed. The head branch was deleted.');
        Object.assign(pull, { state: 'open', closedAt: null, frozenHeadSha: null });
      }
      if (input.title !== undefined) pull.title = input.title;
      if (input.body !== undefined) pull.body = input.body;
      if (input.base !== undefined) pull.baseRef = input.base;
      pull.updatedAt = isoAt(ctx.world.now());
      if (input.state === 'closed' && pull.state === 'open') closePull(ctx.world, pull, repo);
      ctx.afterWrite(repo);
      return { status: 200, body: renderPull(ctx.urls, ctx.world, repo, pull) };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const pull = findPull(repo, intParam(ctx, 'pull_number'));
      const input = bodyObject(ctx) as { sha?: string; merge_method?: MergeMethod; commit_title?: string; commit_message?: string };
      if (pull.merged) throw new HttpError(405, 'Pull Request is not mergeable');
      if (input.sha !== undefined && input.sha !== pullHeadSha(repo, pull)) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
      const sha = mergePull(ctx.world, repo, pull, {
        method: input.merge_method ?? 'merge',
        actor: ctx.actor,
        ...(input.sha !== undefined ? { sha: input.sha } : {}),
        ...(input.commit_title !== undefined ? { title: input.commit_title } : {}),
        ...(input.commit_message !== undefined ? { message: input.commit_message } : {}),
      });
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
  },
];

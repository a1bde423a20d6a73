import { HttpError, isoAt, type CommentRecord, type RepoRecord } from './model.js';
import { renderComment, renderLabel } from './render.js';
import { findPull } from './repo-ops.js';
import { bodyObject, intParam, paginate, repoOf, type Route, type RouteContext } from './route.js';

/** Issue labels and comments (pull requests are issues for these endpoints). */
export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const pull = findPull(repo, intParam(ctx, 'issue_number'));
      const page = paginate(ctx, pull.labels);
      return { status: 200, body: page.items.map((name) => labelJson(ctx, repo, name)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const pull = findPull(repo, intParam(ctx, 'issue_number'));
      for (const name of labelNames(ctx.body)) {
        const key = name.toLowerCase();
        if (!repo.labels.has(key)) repo.labels.set(key, { id: ctx.world.nextId(), name, color: 'ededed', description: null });
        const canonical = repo.labels.get(key)!.name;
        if (!pull.labels.some((l) => l.toLowerCase() === key)) pull.labels.push(canonical);
      }
      pull.updatedAt = isoAt(ctx.world.now());
      return { status: 200, body: pull.labels.map((name) => labelJson(ctx, repo, name)) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const number = intParam(ctx, 'issue_number');
      findPull(repo, number);
      const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
      const comments = repo.comments.filter((c) => c.issueNumber === number && (since === undefined || Date.parse(c.updatedAt) >= since));
      const page = paginate(ctx, comments);
      return { status: 200, body: page.items.map((c) => renderComment(ctx.urls, repo, c)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const number = intParam(ctx, 'issue_number');
      findPull(repo, number);
      const { body } = bodyObject(ctx) as { body: string };
      const now = isoAt(ctx.world.now());
      const comment: CommentRecord = { id: ctx.world.nextId(), issueNumber: number, body, user: ctx.actor, createdAt: now, updatedAt: now };
      repo.comments.push(comment);
      const json = renderComment(ctx.urls, repo, comment);
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const id = intParam(ctx, 'comment_id');
      const comment = repo.comments.find((c) => c.id === id);
      if (!comment) throw new HttpError(404, 'Not Found');
      comment.body = (bodyObject(ctx) as { body: string }).body;
      comment.updatedAt = isoAt(ctx.world.now());
      return { status: 200, body: renderComment(ctx.urls, repo, comment) };
    },
  },
];

function labelJson(ctx: RouteContext, repo: RepoRecord, name: string): Record<string, unknown> {
  const label = repo.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed', description: null };
  return renderLabel(ctx.urls, repo, label);
}

/** The add-labels body comes in five shapes (see the OpenAPI `oneOf`). */
function labelNames(body: unknown): string[] {
  const list = typeof body === 'string' ? [body] : Array.isArray(body) ? body : ((body as { labels?: unknown[] } | null)?.labels ?? []);
  return list.map((item) => (typeof item === 'string' ? item : String((item as { name?: string }).name ?? ''))).filter((name) => name !== '');
}

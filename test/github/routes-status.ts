import { HttpError, isoAt, type StatusRecord } from './model.js';
import { renderCheckRun, renderMinimalRepo, renderStatus } from './render.js';
import { combinedState, latestStatuses, resolveRef } from './repo-ops.js';
import { bodyObject, paginate, repoOf, validationFailed, type Route } from './route.js';

/** Commit statuses and check runs. */
export const statusRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const sha = ctx.params.sha ?? '';
      if (!ctx.world.git.commit(sha)) throw new HttpError(422, `No commit found for SHA: ${sha}`);
      const input = bodyObject(ctx) as { state: StatusRecord['state']; context?: string; description?: string | null; target_url?: string | null };
      if ([...(input.description ?? '')].length > 140) throw validationFailed('Status', 'description', 'custom', 'description is too long (maximum is 140 characters)');
      if (input.target_url && !/^https?:\/\//.test(input.target_url)) throw validationFailed('Status', 'target_url', 'custom', 'target_url must use http(s) scheme');
      const now = isoAt(ctx.world.now());
      const status: StatusRecord = {
        id: ctx.world.nextId(),
        sha,
        state: input.state,
        context: input.context ?? 'default',
        description: input.description ?? null,
        targetUrl: input.target_url ?? null,
        createdAt: now,
        updatedAt: now,
        creator: ctx.actor,
      };
      repo.statuses.push(status);
      ctx.afterWrite(repo);
      const body = renderStatus(ctx.urls, repo, status);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/status',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const sha = resolveRef(ctx.world, repo, ctx.params.ref ?? '');
      if (!sha) throw new HttpError(404, `No commit found for SHA: ${ctx.params.ref}`);
      const latest = latestStatuses(repo, sha);
      const page = paginate(ctx, latest);
      const api = `${ctx.urls.api}/repos/${repo.owner}/${repo.name}`;
      const body = {
        state: combinedState(latest),
        statuses: page.items.map((s) => renderStatus(ctx.urls, repo, s, false)),
        sha,
        total_count: latest.length,
        repository: renderMinimalRepo(ctx.urls, repo),
        commit_url: `${api}/commits/${sha}`,
        url: `${api}/commits/${sha}/status`,
      };
      return { status: 200, body, headers: page.headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    auth: 'token',
    handle(ctx) {
      const repo = repoOf(ctx);
      const sha = resolveRef(ctx.world, repo, ctx.params.ref ?? '');
      if (!sha) throw new HttpError(404, `No commit found for SHA: ${ctx.params.ref}`);
      const runs = repo.checkRuns
        .filter((run) => run.sha === sha)
        .filter((run) => ctx.query.check_name === undefined || run.name === ctx.query.check_name)
        .filter((run) => ctx.query.status === undefined || run.status === ctx.query.status)
        .sort((a, b) => b.id - a.id);
      const latestOnly = ctx.query.filter !== 'all';
      const selected = latestOnly ? runs.filter((run, i) => runs.findIndex((r) => r.name === run.name) === i) : runs;
      const page = paginate(ctx, selected);
      return { status: 200, body: { total_count: selected.length, check_runs: page.items.map((r) => renderCheckRun(ctx.urls, repo, r)) }, headers: page.headers };
    },
  },
];

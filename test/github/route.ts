import type { AppRecord } from './auth.js';
import { HttpError, type Actor, type RepoRecord, type World } from './model.js';
import type { Urls } from './render.js';
import { findRepo } from './repo-ops.js';

/** One REST endpoint of the contract server; `template` is the OpenAPI path key it implements. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  template: string;
  /** 'jwt' = GitHub App JSON web token; 'token' = personal or installation token. */
  auth: 'token' | 'jwt';
  handle(ctx: RouteContext): RouteResult;
}

export interface RouteContext {
  world: World;
  urls: Urls;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  actor: Actor;
  /** The GitHub App behind a JWT-authenticated request. */
  app?: AppRecord;
  /** Full URL of the request (for Link headers). */
  url: URL;
  /** Hooks the server runs after a write that can make an auto-merge pull request mergeable. */
  afterWrite(repo: RepoRecord): void;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function repoOf(ctx: RouteContext): RepoRecord {
  return findRepo(ctx.world, ctx.params.owner ?? '', ctx.params.repo ?? '');
}

export function bodyObject(ctx: RouteContext): Record<string, unknown> {
  const body = ctx.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function intParam(ctx: RouteContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isInteger(value)) throw new HttpError(404, 'Not Found');
  return value;
}

/** GitHub's `per_page`/`page` pagination with a Link header. */
export function paginate<T>(ctx: RouteContext, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (n: number, rel: string) => {
    const url = new URL(ctx.url);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { items: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

/** A 422 in GitHub's `validation-error` shape. */
export function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', { errors: [{ resource, field, code, ...(message ? { message } : {}) }] });
}

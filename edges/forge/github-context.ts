import type { Octokit } from '@octokit/rest';
import { asHttpFailure, ForgeError, toForgeError } from './errors.js';

/** What every GitHub verb needs: the client, the repository, and the limits. */
export interface GitHubContext {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Branches the Forge may force-move (commitFiles with baseSha). */
  ownBranchPrefix: string;
  /** Upper bound on pages read by any list call (100 items per page). */
  maxPages: number;
}

/** Runs one verb step and turns any failure into a ForgeError naming the step. */
export async function step<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toForgeError(error, operation);
  }
}

/** Like `step`, but a 404 yields `undefined`. */
export async function stepOrMissing<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (asHttpFailure(error)?.status === 404) return undefined;
    throw toForgeError(error, operation);
  }
}

/** All items of a paginated list, at most `maxPages` pages (then `forge.request-failed`, never a silent cut). */
export async function listAll<T>(ctx: GitHubContext, operation: string, route: string, params: Record<string, unknown>): Promise<T[]> {
  return step(operation, async () => {
    const items: T[] = [];
    let pages = 0;
    const iterator = ctx.octokit.paginate.iterator(route as never, { owner: ctx.owner, repo: ctx.repo, per_page: 100, ...params } as never) as AsyncIterable<{ data: T[] }>;
    for await (const page of iterator) {
      pages += 1;
      if (pages > ctx.maxPages) throw new ForgeError('forge.request-failed', `${operation}: more than ${ctx.maxPages} pages of results`, { operation });
      items.push(...page.data);
    }
    return items;
  });
}

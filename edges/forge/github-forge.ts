import { Octokit } from '@octokit/rest';
import { createAppAuthStrategy, type AppCredentials } from './app-auth.js';
import { ForgeError } from './errors.js';
import type { Forge } from './forge.js';
import type { GitHubContext } from './github-context.js';
import { commitFiles, ensureBranch, listCommitsTouching, setCommitStatus } from './github-git.js';
import { enableAutoMerge, mergeWhenGreen } from './github-merge.js';
import { closePullRequest, ensurePullRequest, ensureStickyComment, findPullRequests, ensureLabels, pullRequestHead } from './github-pulls.js';
import { installRateLimitRetry, type RetryOptions } from './retry.js';

export interface GitHubForgeOptions {
  owner: string;
  repo: string;
  auth: { token: string } | AppCredentials;
  /** REST base URL (default https://api.github.com; GHES: https://host/api/v3). */
  baseUrl?: string;
  userAgent?: string;
  retry?: RetryOptions;
  /** Branches commitFiles may force-move (default 'rp9/'). */
  ownBranchPrefix?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Upper bound on pages read by any list (default 10 × 100 items). */
  maxPages?: number;
  /** Clock for App JWTs and token expiry (default Date.now). */
  now?: () => number;
  /** Octokit warnings (default console.warn); request logs are not printed. */
  warn?: (message: string) => void;
}

/** A Forge backed by GitHub's REST API (and GraphQL for native auto-merge), through @octokit/rest. */
export function createGitHubForge(options: GitHubForgeOptions): Forge {
  const ctx: GitHubContext = {
    octokit: createOctokit(options),
    owner: options.owner,
    repo: options.repo,
    ownBranchPrefix: options.ownBranchPrefix ?? 'rp9/',
    maxPages: options.maxPages ?? 10,
  };
  return {
    setCommitStatus: (input) => setCommitStatus(ctx, input),
    ensureBranch: (input) => ensureBranch(ctx, input),
    commitFiles: (input) => commitFiles(ctx, input),
    ensurePullRequest: (input) => ensurePullRequest(ctx, input),
    findPullRequests: (input) => findPullRequests(ctx, input),
    ensureLabels: (input) => ensureLabels(ctx, input),
    enableAutoMerge: (input) => enableAutoMerge(ctx, input),
    mergeWhenGreen: (input) => mergeWhenGreen(ctx, input),
    closePullRequest: (input) => closePullRequest(ctx, input),
    ensureStickyComment: (input) => ensureStickyComment(ctx, input),
    pullRequestHead: (number) => pullRequestHead(ctx, number),
    listCommitsTouching: (input) => listCommitsTouching(ctx, input),
  };
}

function createOctokit(options: GitHubForgeOptions): Octokit {
  if (!options.owner || !options.repo) throw new ForgeError('forge.invalid-input', 'createGitHubForge: owner and repo are required');
  const noop = () => {};
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const common = {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    userAgent: options.userAgent ?? 'rp9-forge',
    log: { debug: noop, info: noop, warn, error: noop },
  };
  let octokit: Octokit;
  if ('token' in options.auth) {
    if (!options.auth.token) throw new ForgeError('forge.invalid-input', 'createGitHubForge: auth.token is empty');
    octokit = new Octokit({ ...common, auth: options.auth.token });
  } else {
    const app = options.auth;
    octokit = new Octokit({
      ...common,
      authStrategy: createAppAuthStrategy,
      auth: { appId: app.appId, privateKey: app.privateKey, installationId: app.installationId, ...(options.now ? { now: options.now } : {}) },
    });
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  octokit.hook.wrap('request', (request, requestOptions) => {
    const request_ = (requestOptions.request ?? {}) as Record<string, unknown>;
    return request({ ...requestOptions, request: { ...request_, signal: AbortSignal.timeout(timeoutMs) } });
  });
  installRateLimitRetry(octokit as never, { ...options.retry, ...(options.retry?.now || !options.now ? {} : { now: options.now }) });
  return octokit;
}

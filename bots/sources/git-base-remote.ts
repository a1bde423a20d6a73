// The base branch as a run reads it: one git fetch over smart HTTP (the
// controller's reader, edges/git) into a cache kept between runs, then the
// config files and the history of the fetched commit, read locally. A run
// costs the fetch's two or three HTTP requests whatever the number of tenants,
// and the cooldown and soak questions cost none.
import { join } from 'node:path';
import { openLocalHistory, openSource, type SourceErrorCode } from '../../edges/git/index.js';
import * as nodeFs from 'node:fs';
import { baseConfigFrom, readLocalBaseConfig } from './base-config.js';
import { SourceReadError, type SourceReadErrorCode } from './errors.js';
import { createGitFieldHistory } from './git-history.js';
import type { BaseConfig, FieldHistory } from './types.js';

export interface GitBase {
  base: BaseConfig;
  /** undefined when there is no git history to read (a directory outside any repository). */
  history: FieldHistory | undefined;
}

export interface RemoteGitBaseOptions {
  /** Smart-HTTP URL of the repository. */
  url: string;
  branch: string;
  /** Token sent as the basic-auth password. */
  token: string;
  /** Cache root; this run's repository is kept under it. */
  cacheDir: string;
  timeoutMs?: number;
}

function readCode(code: SourceErrorCode): SourceReadErrorCode {
  if (code === 'source.auth-failed') return 'sources.github-auth';
  if (code === 'source.branch-missing') return 'sources.branch-missing';
  return 'sources.git-failed';
}

export async function readRemoteGitBase(options: RemoteGitBaseOptions): Promise<GitBase> {
  const source = openSource({ url: options.url, branch: options.branch, cacheDir: options.cacheDir, token: options.token, env: {}, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const fetched = await source.fetch();
  if (!fetched.ok) throw new SourceReadError(readCode(fetched.code), `fetching ${options.branch} from ${source.location}: ${fetched.message}`);
  let snapshot;
  try {
    snapshot = await source.snapshot(fetched.commit);
  } catch (error) {
    throw new SourceReadError('sources.git-failed', `reading commit ${fetched.commit} of ${source.location}: ${(error as Error).message}`);
  }
  const history = source.history ? createGitFieldHistory(await source.history(fetched.commit)) : undefined;
  return { base: baseConfigFrom(snapshot.files, { branch: options.branch, sha: fetched.commit }), history };
}

/**
 * A checkout standing in for the base branch (`rp9 bots run --dry-run --dir`): the files of the
 * directory, and the history of the repository it lies in from its HEAD, so a dry run holds back what
 * the real run would.
 */
export async function readLocalGitBase(dir: string, branch: string): Promise<GitBase> {
  const base = await readLocalBaseConfig(dir, branch);
  const history = await openLocalHistory(nodeFs, dir);
  return { base, history: history ? createGitFieldHistory(history) : undefined };
}

/** The cache directory of one bot's runs (bots running at the same time never share a git cache). */
export function botCacheDir(root: string, bot: string): string {
  return join(root, bot);
}

// The controller's config source: `openSource` picks the remote (smart HTTP)
// or local flavour and serialises its fetches and snapshots, so a cache
// rebuild never runs under a read.
import * as nodeFs from 'node:fs';
import { resolve } from 'node:path';
import type { AuthCallback } from 'isomorphic-git';
import { openFileHistory } from './history.js';
import { createHttpClient } from './http-client.js';
import { fetchLocal, lastLocalCommit, localGitdir, type LocalContext } from './local.js';
import { cacheKey, isValidBranch, parseLocation } from './location.js';
import { fetchRemote, lastRemoteCommit, type RemoteContext } from './remote.js';
import { newSnapshotState, readSnapshot } from './snapshot.js';
import { SourceError, type ConfigSnapshot, type ConfigSource, type FetchResult, type SourceOptions } from './types.js';

/** Environment variable holding the token for an http(s) config repo. */
export const TOKEN_ENV = 'RP9_GIT_TOKEN';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PACKS = 50;

/** Runs the functions given to it one at a time, in call order. */
function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

function invalidSource(display: string, branch: string, code: 'source.invalid-url' | 'source.branch-missing', message: string): ConfigSource {
  return {
    kind: 'http',
    location: display,
    branch,
    fetch: async (): Promise<FetchResult> => ({ ok: false, code, message }),
    snapshot: async (): Promise<ConfigSnapshot> => {
      throw new SourceError(code, message);
    },
    lastFetched: async () => undefined,
  };
}

/** Opens the config repo described by `options`. Does no I/O until `fetch`. */
export function openSource(options: SourceOptions): ConfigSource {
  const fs = options.fs ?? nodeFs;
  const branch = options.branch ?? 'main';
  const location = parseLocation(options.url, process.cwd());
  if (location.kind === 'invalid') return invalidSource('(invalid)', branch, 'source.invalid-url', location.message);
  if (!isValidBranch(branch)) {
    return invalidSource(location.display, branch, 'source.branch-missing', `"${branch}" is not a valid branch name`);
  }
  const dir = resolve(options.cacheDir, cacheKey(location));
  const state = newSnapshotState();
  const exclusive = serial();

  if (location.kind === 'local') {
    const ctx: LocalContext = { fs, path: location.path, branch, stateDir: dir, state };
    return {
      kind: 'local',
      location: location.display,
      branch,
      fetch: () => exclusive(() => fetchLocal(ctx)),
      snapshot: (commit, since) =>
        exclusive(async () => {
          const gitdir = await localGitdir(ctx);
          if (!gitdir) throw new SourceError('source.not-a-repo', `${location.path} is not a git repository`);
          return readSnapshot(fs, gitdir, state, commit, since);
        }),
      lastFetched: () => lastLocalCommit(ctx),
      history: async (commit) => {
        const gitdir = await localGitdir(ctx);
        if (!gitdir) throw new SourceError('source.not-a-repo', `${location.path} is not a git repository`);
        return openFileHistory(fs, gitdir, commit);
      },
    };
  }

  const env = options.env ?? process.env;
  const token = options.token ?? (env[TOKEN_ENV] || undefined);
  const username = options.username ?? 'x-access-token';
  const onAuth: AuthCallback | undefined = token ? () => ({ username, password: token }) : undefined;
  const urlPassword = decodeURIComponent(new URL(location.url).password);
  const ctx: RemoteContext = {
    fs,
    gitdir: dir,
    url: location.url,
    display: location.display,
    branch,
    http: createHttpClient(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    onAuth,
    secrets: [token ?? '', urlPassword].filter((s) => s.length > 0),
    state,
    maxPacks: options.maxPacks ?? DEFAULT_MAX_PACKS,
  };
  return {
    kind: 'http',
    location: location.display,
    branch,
    fetch: () => exclusive(() => fetchRemote(ctx)),
    snapshot: (commit, since) => exclusive(() => readSnapshot(fs, dir, state, commit, since)),
    lastFetched: () => lastRemoteCommit(ctx),
    history: async (commit) => openFileHistory(fs, dir, commit),
  };
}

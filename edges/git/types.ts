// Public types of the controller's config source: where the config repo is,
// what a fetch reports and what a snapshot of one commit holds.
import type * as nodeFs from 'node:fs';
import type { ConfigFiles } from '../../config/types.js';
import type { FileHistory } from './history.js';

/** Stable codes of the ways reading the config repo can fail. */
export type SourceErrorCode =
  | 'source.unreachable'
  | 'source.auth-failed'
  | 'source.branch-missing'
  | 'source.invalid-url'
  | 'source.corrupt'
  | 'source.not-a-repo';

export type FetchResult =
  | {
      ok: true;
      /** The commit the branch points at now; recorded in the cache. */
      commit: string;
      /** The commit recorded by the previous successful fetch, if any. */
      previous?: string;
      /** True when `commit` does not descend from `previous` (a force-push or a reset). */
      forced: boolean;
    }
  | { ok: false; code: SourceErrorCode; message: string };

/** Config paths (`platform.yaml`, `tenants/<name>.yaml`) that differ between two commits. */
export interface ChangedPaths {
  added: string[];
  modified: string[];
  removed: string[];
}

export interface ConfigSnapshot {
  commit: string;
  /** Every config file of the commit, each with its blob `oid`. */
  files: ConfigFiles;
  /** What changed since the `since` commit; 'all' when there was none or it can't be read. */
  changed: ChangedPaths | 'all';
}

export interface SourceOptions {
  /** `https://…`/`http://…` URL of the config repo, or a local path (work tree or bare repo; `file://` too). */
  url: string;
  /** Branch to read; `main` by default. */
  branch?: string;
  /** Root of rp9's git caches, e.g. `.rp9/git`; each source uses `<cacheDir>/<hash>`. */
  cacheDir: string;
  /** Token sent as the basic-auth password; defaults to `env.RP9_GIT_TOKEN`. Never logged. */
  token?: string;
  /** Basic-auth user name sent with the token; `x-access-token` by default (GitHub, Gitea and GitLab accept it). */
  username?: string;
  /** Environment to read `RP9_GIT_TOKEN` from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** File system; node's `fs` by default. */
  fs?: typeof nodeFs;
  /** Idle timeout of one HTTP request, in ms; 30 s by default. */
  timeoutMs?: number;
  /** The cache is rebuilt with a fresh full fetch once it holds more packfiles than this; 50 by default. */
  maxPacks?: number;
}

export interface ConfigSource {
  readonly kind: 'http' | 'local';
  /** The URL (credentials removed) or absolute path, for messages. */
  readonly location: string;
  readonly branch: string;
  /** Brings the cache up to date with the branch. Never throws for the codes of `FetchResult`. */
  fetch(): Promise<FetchResult>;
  /** Reads `commit`'s config files; `since` (usually the `previous` of a fetch) gives `changed`. Throws `SourceError`. */
  snapshot(commit: string, since?: string): Promise<ConfigSnapshot>;
  /** The commit recorded by the last successful fetch (kept across restarts), if any. */
  lastFetched(): Promise<string | undefined>;
  /** The history of the fetched objects from `commit` (the bots' cooldowns and soak times). */
  history?(commit: string): Promise<FileHistory>;
}

/** What `snapshot` throws: the commit or an object of it can't be read. */
export class SourceError extends Error {
  readonly code: SourceErrorCode;
  constructor(code: SourceErrorCode, message: string) {
    super(message);
    this.name = 'SourceError';
    this.code = code;
  }
}

// Where the config repo is: an http(s) URL or a local path. Pure.
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SourceLocation =
  | { kind: 'http'; url: string; display: string }
  | { kind: 'local'; path: string; display: string }
  | { kind: 'invalid'; message: string };

/** Removes user and password from a URL so it can appear in messages. */
export function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

/** Classifies the configured source; relative paths resolve against `cwd`. */
export function parseLocation(raw: string, cwd: string): SourceLocation {
  const value = raw.trim();
  if (value === '') return { kind: 'invalid', message: 'the config repo location is empty' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { kind: 'invalid', message: `"${value.replace(/\/\/[^@/]*@/, '//***@')}" is not a valid URL` };
    }
    if (url.protocol === 'file:') {
      const path = fileURLToPath(url);
      return { kind: 'local', path, display: path };
    }
    const display = withoutCredentials(url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { kind: 'invalid', message: `${display}: only http(s) URLs or local paths are supported, not ${url.protocol.slice(0, -1)}` };
    }
    if (url.search || url.hash) return { kind: 'invalid', message: `${display}: a repository URL takes no query or fragment` };
    return { kind: 'http', url: url.href.replace(/\/$/, ''), display };
  }
  if (/^[^/\\]+@[^/:]+:/.test(value)) {
    return { kind: 'invalid', message: `"${value}" is an SSH location; use an https URL with a token instead` };
  }
  const path = isAbsolute(value) ? resolve(value) : resolve(cwd, value);
  return { kind: 'local', path, display: path };
}

/** Rules of git-check-ref-format that matter for a branch name given in config. */
export function isValidBranch(branch: string): boolean {
  if (branch === '' || branch === '@' || branch.length > 255) return false;
  if (branch.startsWith('/') || branch.endsWith('/') || branch.startsWith('-') || branch.endsWith('.')) return false;
  if (/\.\.|\/\/|@\{|\\|[\x00-\x20\x7f~^:?*[]/.test(branch)) return false;
  return branch.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Directory name of a source's cache under the cache root: stable per location, no credentials. */
export function cacheKey(location: SourceLocation & { kind: 'http' | 'local' }): string {
  const identity = location.kind === 'http' ? location.display : `file:${location.path}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

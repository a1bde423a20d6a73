// Git smart HTTP (read only: `git-upload-pack`) for the contract server's
// repositories at `/<owner>/<repo>.git`, as github.com serves them: HTTP basic
// auth with a token as the password (any user name, `x-access-token` by
// convention). The in-memory objects are written to a bare repository on disk
// (loose objects, only those not written before) and `git http-backend` serves
// it, so clients talk to a real git. Pushes are refused: writes go through the
// REST API like the bots' do.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { serveCgi } from '../harness/git-server.js';
import { authenticate, type AuthRegistry } from './auth.js';
import type { GitStore } from './git-store.js';
import type { RepoRecord, World } from './model.js';

const SMART_PATH = /^\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export interface SmartHttp {
  /** True when the request was a smart-HTTP one (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

function password(header: string | undefined): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  req.resume();
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(`${text}\n`);
}

/** Writes every object reachable from the repo's refs that is not on disk yet, then the refs. */
function exportRepo(git: GitStore, repo: RepoRecord, dir: string, written: Set<string>): void {
  if (!existsSync(join(dir, 'HEAD'))) execFileSync('git', ['init', '--quiet', '--bare', dir], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  const stack = [...repo.refs.values()];
  while (stack.length > 0) {
    const sha = stack.pop() as string;
    if (written.has(sha)) continue;
    const raw = git.raw(sha);
    if (!raw) continue;
    const path = join(dir, 'objects', sha.slice(0, 2));
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, sha.slice(2)), deflateSync(Buffer.concat([Buffer.from(`${raw.type} ${raw.body.length}\0`), raw.body])));
    written.add(sha);
    if (raw.type === 'commit') {
      const commit = git.commit(sha);
      if (commit) stack.push(commit.tree, ...commit.parents);
    } else if (raw.type === 'tree') {
      for (const entry of git.tree(sha)?.values() ?? []) if (entry.type !== 'commit') stack.push(entry.sha);
    }
  }
  const refs = [...repo.refs.entries()].filter(([name]) => name.startsWith('refs/heads/') || name.startsWith('refs/tags/'));
  writeFileSync(join(dir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted \n${refs.sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, sha]) => `${sha} ${name}`).join('\n')}\n`);
  writeFileSync(join(dir, 'HEAD'), `ref: refs/heads/${repo.defaultBranch}\n`);
}

export function createSmartHttp(options: { world: World; auth: AuthRegistry; root: string; onRequest: (endpoint: string, status: number) => void }): SmartHttp {
  const written = new Map<string, Set<string>>();
  return {
    handle(req, res, url) {
      const match = SMART_PATH.exec(url.pathname);
      if (!match) return false;
      const [, owner, name, endpoint] = match as unknown as [string, string, string, string];
      const service = endpoint === 'info/refs' ? (url.searchParams.get('service') ?? 'dumb') : endpoint;
      const record = (status: number) => options.onRequest(endpoint === 'info/refs' ? `info/refs?service=${service}` : endpoint, status);
      const secret = password(req.headers.authorization);
      const credential = secret ? authenticate(options.auth, `token ${secret}`, options.world.now()) : { kind: 'none' as const };
      if (credential.kind !== 'token') {
        record(401);
        refuse(req, res, 401, 'Invalid username or token.', { 'www-authenticate': 'Basic realm="GitHub"' });
        return true;
      }
      const repo = [...options.world.repos.values()].find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
      if (!repo) {
        record(404);
        refuse(req, res, 404, 'Repository not found.');
        return true;
      }
      if (service !== 'git-upload-pack') {
        record(403);
        refuse(req, res, 403, 'the contract server serves fetches only (git-upload-pack)');
        return true;
      }
      const key = `${repo.owner}/${repo.name}`;
      const dir = join(options.root, repo.owner, `${repo.name}.git`);
      const seen = written.get(key) ?? new Set<string>();
      written.set(key, seen);
      exportRepo(options.world.git, repo, dir, seen);
      record(200);
      serveCgi(options.root, 'git', 'x-access-token', req, res, `/${repo.owner}/${repo.name}.git/${endpoint}${url.search}`);
      return true;
    },
  };
}

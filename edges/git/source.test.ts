// Integration: the config source against a real smart-HTTP git server
// (git http-backend) and repos built with the git CLI.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, createBranch, createConfigRepo, forcePush, type ConfigRepo, type FileSpec } from '../../test/fixtures/git-repo.js';
import { startGitServer, type GitServer } from '../../test/harness/git-server.js';
import { freePort, run } from '../../test/harness/processes.js';
import { openSource, SourceError, type ConfigSnapshot, type FetchResult } from './index.js';

const PLATFORM = 'apiVersion: rp9.io/v1\nkind: Platform\n';
const tenant = (name: string, plan = 'starter') => `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\nspec:\n  plan: ${plan}\n`;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function ok(result: FetchResult): Extract<FetchResult, { ok: true }> {
  if (!result.ok) throw new Error(`fetch failed: ${result.code}: ${result.message}`);
  return result;
}

function paths(snapshot: ConfigSnapshot): string[] {
  return snapshot.files.tenants.map((f) => f.path);
}

function blobOid(repo: ConfigRepo, spec: string): Promise<string> {
  return run('git', ['rev-parse', spec], { cwd: repo.bare }).then((out) => out.trim());
}

let server: GitServer;
let repos: ConfigRepo[] = [];
let caches: string[] = [];
let root: string;

async function newRepo(files: Record<string, FileSpec>): Promise<{ repo: ConfigRepo; url: string }> {
  const name = `r${repos.length}.git`;
  const repo = await createConfigRepo(files, { root, name });
  repos.push(repo);
  return { repo, url: `${server.url}/${name}` };
}

async function newCache(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rp9-source-cache-'));
  caches.push(dir);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rp9-source-served-'));
  server = await startGitServer(root);
});

afterEach(() => server.setToken(undefined));

afterAll(async () => {
  await server.stop();
  await Promise.all([...repos.map((r) => r.cleanup()), ...caches.map((c) => rm(c, { recursive: true, force: true })), rm(root, { recursive: true, force: true })]);
});

describe('config source over smart HTTP', () => {
  it('fetches a repo and reads every config file with its blob oid', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme'), 'tenants/beta.yml': tenant('beta'), 'README.md': '# config\n' });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });

    const fetched = ok(await source.fetch());
    const snapshot = await source.snapshot(fetched.commit, fetched.previous);

    expect(fetched).toEqual({ ok: true, commit: repo.head, forced: false });
    expect(snapshot.changed).toBe('all');
    expect(text(snapshot.files.platform!.bytes)).toBe(PLATFORM);
    expect(paths(snapshot)).toEqual(['tenants/acme.yaml', 'tenants/beta.yml']);
    expect(text(snapshot.files.tenants[0]!.bytes)).toBe(tenant('acme'));
    expect(snapshot.files.tenants[0]!.oid).toBe(await blobOid(repo, 'main:tenants/acme.yaml'));
    expect(snapshot.files.platform!.oid).toBe(await blobOid(repo, 'main:platform.yaml'));
    expect(snapshot.files.problems).toEqual([]);
    expect(await source.lastFetched()).toBe(repo.head);
  });

  it('reports only the file a new commit changed, and keeps the other files', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme'), 'tenants/beta.yaml': tenant('beta') });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });
    const first = ok(await source.fetch());
    await source.snapshot(first.commit);
    const next = await commitFiles(repo, { 'tenants/acme.yaml': tenant('acme', 'pro') }, 'upgrade acme');

    const second = ok(await source.fetch());
    const snapshot = await source.snapshot(second.commit, second.previous);

    expect(second).toEqual({ ok: true, commit: next, previous: first.commit, forced: false });
    expect(snapshot.changed).toEqual({ added: [], modified: ['tenants/acme.yaml'], removed: [] });
    expect(paths(snapshot)).toEqual(['tenants/acme.yaml', 'tenants/beta.yaml']);
    expect(text(snapshot.files.tenants[0]!.bytes)).toContain('plan: pro');
    expect(text(snapshot.files.tenants[1]!.bytes)).toBe(tenant('beta'));
  });

  it('reports added and removed tenants, and nothing when nothing changed', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });
    ok(await source.fetch());
    await commitFiles(repo, { 'tenants/acme.yaml': null, 'tenants/gamma.yaml': tenant('gamma') });

    const moved = ok(await source.fetch());
    const again = ok(await source.fetch());

    expect((await source.snapshot(moved.commit, moved.previous)).changed).toEqual({ added: ['tenants/gamma.yaml'], modified: [], removed: ['tenants/acme.yaml'] });
    expect(again).toEqual({ ok: true, commit: moved.commit, previous: moved.commit, forced: false });
    expect((await source.snapshot(again.commit, again.previous)).changed).toEqual({ added: [], modified: [], removed: [] });
  });

  it('detects a force-push and still diffs against the replaced commit', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    await commitFiles(repo, { 'tenants/beta.yaml': tenant('beta') });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });
    const before = ok(await source.fetch());
    const rewritten = await forcePush(repo, { 'tenants/beta.yaml': null, 'tenants/delta.yaml': tenant('delta') });

    const after = ok(await source.fetch());
    const snapshot = await source.snapshot(after.commit, after.previous);

    expect(after).toEqual({ ok: true, commit: rewritten, previous: before.commit, forced: true });
    expect(snapshot.changed).toEqual({ added: ['tenants/delta.yaml'], modified: [], removed: ['tenants/beta.yaml'] });
  });

  it('reports a symbolic link and a file over 256 KiB without returning them', async () => {
    const { url } = await newRepo({
      'platform.yaml': PLATFORM,
      'tenants/acme.yaml': tenant('acme'),
      'tenants/alias.yaml': { symlink: 'acme.yaml' },
      'tenants/huge.yaml': `# ${'x'.repeat(300 * 1024)}\n`,
    });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });

    const snapshot = await source.snapshot(ok(await source.fetch()).commit);

    expect(paths(snapshot)).toEqual(['tenants/acme.yaml']);
    expect(snapshot.files.problems.map((p) => [p.code, p.file, p.severity])).toEqual([
      ['file.symlink', 'tenants/alias.yaml', 'error'],
      ['file.too-large', 'tenants/huge.yaml', 'error'],
    ]);
    expect(snapshot.files.problems[1]!.message).toMatch(/307\d{3} bytes.*262144/);
  });

  it('sends the token as basic auth and fails with source.auth-failed without it, keeping the cache', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const cacheDir = await newCache();
    const good = openSource({ url, cacheDir, env: { RP9_GIT_TOKEN: 'tok-good-123' } });
    server.setToken('tok-good-123');
    const first = ok(await good.fetch());
    await commitFiles(repo, { 'tenants/acme.yaml': tenant('acme', 'pro') });

    const missing = await openSource({ url, cacheDir, env: {} }).fetch();
    const wrong = openSource({ url, cacheDir, token: 'tok-wrong-456', env: {} });
    const refused = await wrong.fetch();

    expect(missing).toMatchObject({ ok: false, code: 'source.auth-failed', message: expect.stringMatching(/requires credentials/) });
    expect(refused).toMatchObject({ ok: false, code: 'source.auth-failed' });
    expect(JSON.stringify(refused)).not.toContain('tok-wrong-456');
    expect(await wrong.lastFetched()).toBe(first.commit);
    expect(paths(await wrong.snapshot(first.commit))).toEqual(['tenants/acme.yaml']);
    expect(ok(await good.fetch())).toMatchObject({ commit: repo.head, previous: first.commit, forced: false });
  });

  it('fails with source.unreachable on a closed port, a stalled server and an unknown repo', async () => {
    const port = await freePort();
    const held: Socket[] = [];
    const stalled: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const stalledPort = (stalled.address() as { port: number }).port;
    try {
      const closed = await openSource({ url: `http://127.0.0.1:${port}/config.git`, cacheDir: await newCache(), env: {} }).fetch();
      const silent = await openSource({ url: `http://127.0.0.1:${stalledPort}/config.git`, cacheDir: await newCache(), env: {}, timeoutMs: 300 }).fetch();
      const unknown = await openSource({ url: `${server.url}/nope.git`, cacheDir: await newCache(), env: {} }).fetch();

      expect(closed).toMatchObject({ ok: false, code: 'source.unreachable', message: expect.stringMatching(/ECONNREFUSED/) });
      expect(silent).toMatchObject({ ok: false, code: 'source.unreachable', message: expect.stringMatching(/no response .* within 300 ms/) });
      expect(unknown).toMatchObject({ ok: false, code: 'source.unreachable', message: expect.stringMatching(/not found \(HTTP 404\)/) });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('fails with source.branch-missing for a branch the repo does not have', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM });
    await createBranch(repo, 'staging');

    const missing = await openSource({ url, branch: 'production', cacheDir: await newCache(), env: {} }).fetch();
    const present = await openSource({ url, branch: 'staging', cacheDir: await newCache(), env: {} }).fetch();
    const invalid = await openSource({ url, branch: 'bad..name', cacheDir: await newCache(), env: {} }).fetch();

    expect(missing).toMatchObject({ ok: false, code: 'source.branch-missing', message: expect.stringMatching(/branch production does not exist/) });
    expect(ok(present).commit).toBe(repo.head);
    expect(invalid).toMatchObject({ ok: false, code: 'source.branch-missing', message: expect.stringMatching(/not a valid branch name/) });
  });

  it('fails with source.invalid-url for what it cannot fetch, and snapshot throws the same code', async () => {
    const source = openSource({ url: 'ssh://git@example.com/config.git', cacheDir: await newCache(), env: {} });

    const result = await source.fetch();
    const thrown = await source.snapshot('a'.repeat(40)).catch((error: unknown) => error);

    expect(result).toMatchObject({ ok: false, code: 'source.invalid-url' });
    expect(thrown).toBeInstanceOf(SourceError);
    expect((thrown as SourceError).code).toBe('source.invalid-url');
  });

  it('throws source.corrupt for a commit it never fetched, and diffs against an unknown one as all', async () => {
    const { url } = await newRepo({ 'platform.yaml': PLATFORM });
    const source = openSource({ url, cacheDir: await newCache(), env: {} });
    const fetched = ok(await source.fetch());

    const thrown = await source.snapshot('0123456789abcdef0123456789abcdef01234567').catch((error: unknown) => error);

    expect((thrown as SourceError).code).toBe('source.corrupt');
    expect((thrown as SourceError).message).toMatch(/fetch it first/);
    expect((await source.snapshot(fetched.commit, 'f'.repeat(40))).changed).toBe('all');
  });

  it('reports a damaged cache as source.corrupt, saying how to rebuild it, and leaves it in place', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM });
    const cacheDir = await newCache();
    const source = openSource({ url, cacheDir, env: {} });
    ok(await source.fetch());
    const [dir] = await readdir(cacheDir);
    const packDir = join(cacheDir, dir!, 'objects', 'pack');
    const idx = (await readdir(packDir)).find((n) => n.endsWith('.idx'))!;
    await writeFile(join(packDir, idx), 'not an index');
    await commitFiles(repo, { 'tenants/acme.yaml': tenant('acme') });

    const result = await openSource({ url, cacheDir, env: {} }).fetch();

    expect(result).toMatchObject({ ok: false, code: 'source.corrupt', message: expect.stringContaining(`delete ${join(cacheDir, dir!)}`) });
    expect(await readFile(join(packDir, idx), 'utf8')).toBe('not an index');
  });

  it('rebuilds the cache into one packfile once it holds too many, keeping history', async () => {
    const { repo, url } = await newRepo({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const cacheDir = await newCache();
    const source = openSource({ url, cacheDir, env: {}, maxPacks: 2 });
    const first = ok(await source.fetch());
    await commitFiles(repo, { 'tenants/b.yaml': tenant('b') });
    ok(await source.fetch());
    await commitFiles(repo, { 'tenants/c.yaml': tenant('c') });

    const third = ok(await source.fetch());
    const [dir] = await readdir(cacheDir);
    const packs = (await readdir(join(cacheDir, dir!, 'objects', 'pack'))).filter((n) => n.endsWith('.pack'));
    const snapshot = await source.snapshot(third.commit, first.commit);

    expect(packs).toHaveLength(1);
    expect(third.forced).toBe(false);
    expect(snapshot.changed).toEqual({ added: ['tenants/b.yaml', 'tenants/c.yaml'], modified: [], removed: [] });
    expect(paths(snapshot)).toEqual(['tenants/acme.yaml', 'tenants/b.yaml', 'tenants/c.yaml']);
  });
});

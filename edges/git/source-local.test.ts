// Integration: the config source reading a repo on the local disk (bare repo,
// work tree, linked work tree) straight from its object store.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cloneWorkTree, commitFiles, createConfigRepo, forcePush, type ConfigRepo, type FileSpec } from '../../test/fixtures/git-repo.js';
import { run } from '../../test/harness/processes.js';
import { openSource, type FetchResult } from './index.js';

const PLATFORM = 'apiVersion: rp9.io/v1\nkind: Platform\n';
const tenant = (name: string, plan = 'starter') => `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\nspec:\n  plan: ${plan}\n`;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function repoWith(files: Record<string, FileSpec>): Promise<ConfigRepo> {
  const repo = await createConfigRepo(files);
  cleanups.push(repo.cleanup);
  return repo;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function ok(result: FetchResult): Extract<FetchResult, { ok: true }> {
  if (!result.ok) throw new Error(`fetch failed: ${result.code}: ${result.message}`);
  return result;
}

describe('config source on a local path', () => {
  it('reads a bare repo and reports what the next commit changed', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme'), 'tenants/beta.yaml': tenant('beta') });
    const source = openSource({ url: repo.bare, cacheDir: await tempDir('rp9-local-cache-') });
    const first = ok(await source.fetch());
    const full = await source.snapshot(first.commit);
    const next = await commitFiles(repo, { 'tenants/beta.yaml': tenant('beta', 'pro') });

    const second = ok(await source.fetch());
    const delta = await source.snapshot(second.commit, second.previous);

    expect(source.kind).toBe('local');
    expect(first).toEqual({ ok: true, commit: full.commit, forced: false });
    expect(full.files.tenants.map((f) => f.path)).toEqual(['tenants/acme.yaml', 'tenants/beta.yaml']);
    expect(second).toEqual({ ok: true, commit: next, previous: first.commit, forced: false });
    expect(delta.changed).toEqual({ added: [], modified: ['tenants/beta.yaml'], removed: [] });
    expect(Buffer.from(delta.files.tenants[1]!.bytes).toString()).toContain('plan: pro');
  });

  it('reads committed content of a work tree and ignores uncommitted edits', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const work = await cloneWorkTree(repo);
    await writeFile(join(work, 'tenants', 'acme.yaml'), tenant('acme', 'uncommitted'));
    await writeFile(join(work, 'tenants', 'draft.yaml'), tenant('draft'));
    const source = openSource({ url: pathToFileURL(work).href, cacheDir: await tempDir('rp9-local-cache-') });

    const snapshot = await source.snapshot(ok(await source.fetch()).commit);

    expect(snapshot.commit).toBe(repo.head);
    expect(snapshot.files.tenants.map((f) => f.path)).toEqual(['tenants/acme.yaml']);
    expect(Buffer.from(snapshot.files.tenants[0]!.bytes).toString()).toBe(tenant('acme'));
  });

  it('reads loose objects of commits made with the git CLI', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const work = await cloneWorkTree(repo);
    const source = openSource({ url: work, cacheDir: await tempDir('rp9-local-cache-') });
    const first = ok(await source.fetch());
    await source.snapshot(first.commit);
    await writeFile(join(work, 'tenants', 'draft.yaml'), tenant('draft'));
    const identity = ['-c', 'user.name=rp9 test', '-c', 'user.email=rp9@example.test'];
    await run('git', [...identity, 'add', '--all'], { cwd: work });
    await run('git', [...identity, 'commit', '--quiet', '-m', 'add draft'], { cwd: work });

    const second = ok(await source.fetch());
    const snapshot = await source.snapshot(second.commit, second.previous);

    expect(second.previous).toBe(first.commit);
    expect(snapshot.changed).toEqual({ added: ['tenants/draft.yaml'], modified: [], removed: [] });
    expect(Buffer.from(snapshot.files.tenants[1]!.bytes).toString()).toBe(tenant('draft'));
  });

  it('reads a linked work tree (git worktree add) through its common git dir', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    const work = await cloneWorkTree(repo);
    const linked = join(repo.root, 'linked');
    await run('git', ['worktree', 'add', '--quiet', '-b', 'feature', linked], { cwd: work });
    const source = openSource({ url: linked, branch: 'main', cacheDir: await tempDir('rp9-local-cache-') });

    const fetched = ok(await source.fetch());

    expect(fetched.commit).toBe(repo.head);
    expect((await source.snapshot(fetched.commit)).files.platform?.path).toBe('platform.yaml');
  });

  it('remembers the last commit across restarts and detects a rewritten branch', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM, 'tenants/acme.yaml': tenant('acme') });
    await commitFiles(repo, { 'tenants/beta.yaml': tenant('beta') });
    const cacheDir = await tempDir('rp9-local-cache-');
    const before = ok(await openSource({ url: repo.bare, cacheDir }).fetch());
    const rewritten = await forcePush(repo, { 'tenants/beta.yaml': null });

    const restarted = openSource({ url: repo.bare, cacheDir });
    const remembered = await restarted.lastFetched();
    const after = ok(await restarted.fetch());

    expect(remembered).toBe(before.commit);
    expect(after).toEqual({ ok: true, commit: rewritten, previous: before.commit, forced: true });
    expect((await restarted.snapshot(after.commit, after.previous)).changed).toEqual({ added: [], modified: [], removed: ['tenants/beta.yaml'] });
  });

  it('fails with source.not-a-repo for a plain directory or a missing path', async () => {
    const plain = await tempDir('rp9-plain-');
    await mkdir(join(plain, 'tenants'));
    await writeFile(join(plain, 'platform.yaml'), PLATFORM);
    const cacheDir = await tempDir('rp9-local-cache-');

    const result = await openSource({ url: plain, cacheDir }).fetch();
    const missing = await openSource({ url: join(plain, 'nope'), cacheDir }).fetch();

    expect(result).toMatchObject({ ok: false, code: 'source.not-a-repo', message: expect.stringMatching(/is not a git repository/) });
    expect(missing).toMatchObject({ ok: false, code: 'source.not-a-repo', message: expect.stringMatching(/does not exist/) });
  });

  it('fails with source.branch-missing for a branch the local repo does not have', async () => {
    const repo = await repoWith({ 'platform.yaml': PLATFORM });

    const result = await openSource({ url: repo.bare, branch: 'production', cacheDir: await tempDir('rp9-local-cache-') }).fetch();

    expect(result).toMatchObject({ ok: false, code: 'source.branch-missing', message: expect.stringMatching(/branch production does not exist/) });
  });

  it('reports a symbolic link in the local repo instead of following it', async () => {
    const repo = await repoWith({ 'platform.yaml': { symlink: '/etc/passwd' }, 'tenants/acme.yaml': tenant('acme') });
    const source = openSource({ url: repo.bare, cacheDir: await tempDir('rp9-local-cache-') });

    const snapshot = await source.snapshot(ok(await source.fetch()).commit);

    expect(snapshot.files.platform).toBeUndefined();
    expect(snapshot.files.problems.map((p) => [p.code, p.file])).toEqual([['file.symlink', 'platform.yaml']]);
  });
});

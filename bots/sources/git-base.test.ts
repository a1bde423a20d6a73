import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../test/harness/processes.js';
import { changedPaths, parseCatFileBatch, parseLsTree, readGitConfig } from './git-base.js';

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' };
let repo: string;
const git = (...args: string[]) => run('git', args, { cwd: repo, env: ENV });
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

async function write(files: Record<string, string>, root = repo): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'rp9-git-base-'));
  await git('init', '--quiet', '-b', 'main');
});
afterEach(() => rm(repo, { recursive: true, force: true }));

describe('parsers', () => {
  it('reads ls-tree -z entries, names with spaces and tabs included', () => {
    const output = Buffer.from('100644 blob aaaa\tplatform.yaml\u0000040000 tree bbbb\ttenants\u0000100644 blob cccc\tmy file\t.yaml\u0000');

    expect(parseLsTree(output)).toEqual([
      { mode: '100644', type: 'blob', oid: 'aaaa', path: 'platform.yaml' },
      { mode: '040000', type: 'tree', oid: 'bbbb', path: 'tenants' },
      { mode: '100644', type: 'blob', oid: 'cccc', path: 'my file\t.yaml' },
    ]);
  });

  it('splits cat-file --batch output by the sizes in its headers, and names a missing object', () => {
    const output = Buffer.from('aaaa blob 3\nab\n\nbbbb blob 0\n\n');

    expect(parseCatFileBatch(output, 2).map((b) => b.toString())).toEqual(['ab\n', '']);
    expect(() => parseCatFileBatch(Buffer.from('cccc missing\n'), 1)).toThrow('object cccc is missing');
  });
});

describe('readGitConfig', () => {
  it('reads platform.yaml and tenants/*.yaml as they are at the ref, not in the working tree', async () => {
    await write({ 'platform.yaml': 'base platform\n', 'tenants/acme.yaml': 'acme v1\n', 'tenants/notes.txt': 'ignored\n', 'README.md': 'x\n' });
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'base');
    await write({ 'tenants/acme.yaml': 'acme v2\n', 'tenants/new.yaml': 'new\n' });

    const files = await readGitConfig(repo, 'main');

    expect(files.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(text(files.platform?.bytes)).toBe('base platform\n');
    expect(files.tenants.map((f) => [f.path, text(f.bytes)])).toEqual([['tenants/acme.yaml', 'acme v1\n']]);
    expect(files.problems).toEqual([]);
  });

  it('reports a symbolic link as a problem, like the controller does', async () => {
    await write({ 'platform.yaml': 'p\n', 'elsewhere.yaml': 'x\n' });
    await mkdir(join(repo, 'tenants'));
    await symlink('../elsewhere.yaml', join(repo, 'tenants/acme.yaml'));
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'link');

    const files = await readGitConfig(repo, 'HEAD');

    expect(files.tenants).toEqual([]);
    expect(files.problems.map((p) => [p.code, p.file])).toEqual([['file.symlink', 'tenants/acme.yaml']]);
  });

  it('reads a config kept in a subdirectory of the repository', async () => {
    await write({ 'config/platform.yaml': 'p\n', 'config/tenants/acme.yaml': 'a\n' });
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'sub');

    const files = await readGitConfig(join(repo, 'config'), 'main');

    expect(files.tenants.map((f) => f.path)).toEqual(['tenants/acme.yaml']);
    expect(await changedPaths(join(repo, 'config'), 'main')).toEqual([]);
  });

  it('names the missing ref and how to fetch it', async () => {
    await write({ 'platform.yaml': 'p\n' });
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'base');

    await expect(readGitConfig(repo, 'origin/main')).rejects.toMatchObject({ code: 'sources.git-failed', message: expect.stringContaining('fetch-depth: 0') });
  });
});

describe('changedPaths', () => {
  it('lists modified, deleted and new files against the ref', async () => {
    await write({ 'platform.yaml': 'p\n', 'tenants/acme.yaml': 'a\n', 'tenants/gone.yaml': 'g\n' });
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'base');
    await write({ 'tenants/acme.yaml': 'a2\n', 'tenants/new.yaml': 'n\n' });
    await rm(join(repo, 'tenants/gone.yaml'));

    expect(await changedPaths(repo, 'main')).toEqual(['tenants/acme.yaml', 'tenants/gone.yaml', 'tenants/new.yaml']);
  });
});

import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { isForgeError } from './errors.js';
import { createGitHubForge } from './github-forge.js';

let gh: GitHubServer;
const REPO = 'acme/config';

beforeEach(async () => {
  gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: { 'README.md': '# config\n', 'tenants/acme.yaml': 'name: acme\n' } }] });
});
afterEach(async () => {
  await gh.stop();
});

function forge() {
  return createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
}

function mainSha(): string {
  return gh.state.repo(REPO).refs.get('refs/heads/main') as string;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('setCommitStatus', () => {
  it('posts the status with a description cut to 140 characters', async () => {
    const sha = mainSha();

    await forge().setCommitStatus({ sha, state: 'pending', context: 'rp9/plan', description: 'd'.repeat(300), targetUrl: 'https://ci.example/run/1' });

    const [status] = gh.state.repo(REPO).statuses;
    expect(status).toMatchObject({ sha, state: 'pending', context: 'rp9/plan', targetUrl: 'https://ci.example/run/1' });
    expect(status?.description).toBe(`${'d'.repeat(139)}…`);
  });

  it('fails with forge.validation for a sha that is not a commit', async () => {
    const error = await rejection(forge().setCommitStatus({ sha: 'f'.repeat(40), state: 'success', context: 'ci', description: 'ok' }));

    expect(isForgeError(error, 'forge.validation')).toBe(true);
  });
});

describe('ensureBranch', () => {
  it('creates a missing branch, then leaves it alone', async () => {
    const sha = mainSha();

    const first = await forge().ensureBranch({ branch: 'rp9/upgrader/acme', fromSha: sha });
    const moved = gh.state.commit(REPO, { branch: 'rp9/upgrader/acme', files: { 'x.txt': 'x' }, message: 'move' });
    gh.state.clearRequests();
    const second = await forge().ensureBranch({ branch: 'rp9/upgrader/acme', fromSha: sha });

    expect(first).toEqual({ created: true, sha });
    expect(second).toEqual({ created: false, sha: moved });
    expect(gh.state.requestsTo('POST', /\/git\/refs$/)).toHaveLength(0);
  });

  it('rejects a full ref name with forge.invalid-input', async () => {
    const error = await rejection(forge().ensureBranch({ branch: 'refs/heads/x', fromSha: mainSha() }));

    expect(isForgeError(error, 'forge.invalid-input')).toBe(true);
  });
});

describe('commitFiles', () => {
  it('creates the branch from baseSha with a tree whose content reads back through the API', async () => {
    const base = mainSha();

    const result = await forge().commitFiles({
      branch: 'rp9/upgrader/acme',
      baseSha: base,
      message: 'Upgrade acme',
      files: [
        { path: 'tenants/acme.yaml', content: 'name: acme\nversion: 2\n' },
        { path: 'deep/nested/dir/file.txt', content: 'ñ\n' },
        { path: 'README.md', content: null },
      ],
      author: { name: 'rp9 bot', email: 'bot@rp9.test' },
    });

    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    const commit = await octokit.rest.git.getCommit({ owner: 'acme', repo: 'config', commit_sha: result.sha });
    const tree = await octokit.rest.git.getTree({ owner: 'acme', repo: 'config', tree_sha: commit.data.tree.sha, recursive: '1' });
    const blobs = tree.data.tree.filter((e) => e.type === 'blob');
    const contents = Object.fromEntries(
      await Promise.all(
        blobs.map(async (e) => {
          const blob = await octokit.rest.git.getBlob({ owner: 'acme', repo: 'config', file_sha: e.sha as string });
          return [e.path, Buffer.from(blob.data.content, 'base64').toString('utf8')];
        }),
      ),
    );
    expect(result.changed).toBe(true);
    expect(contents).toEqual({ 'tenants/acme.yaml': 'name: acme\nversion: 2\n', 'deep/nested/dir/file.txt': 'ñ\n' });
    expect(commit.data.parents.map((p) => p.sha)).toEqual([base]);
    expect(commit.data.message).toBe('Upgrade acme');
    expect(commit.data.author.name).toBe('rp9 bot');
    expect(gh.state.repo(REPO).refs.get('refs/heads/rp9/upgrader/acme')).toBe(result.sha);
  });

  it('makes no commit when the files are already as asked', async () => {
    const input = { branch: 'rp9/upgrader/acme', baseSha: mainSha(), message: 'Upgrade', files: [{ path: 'tenants/acme.yaml', content: 'v: 2\n' }] };
    const first = await forge().commitFiles(input);
    gh.state.clearRequests();

    const second = await forge().commitFiles(input);

    expect(second).toEqual({ sha: first.sha, changed: false });
    expect(gh.state.requestsTo('POST', /\/git\/(blobs|trees|commits)$/)).toHaveLength(0);
    expect(gh.state.requestsTo('PATCH', /\/git\/refs\//)).toHaveLength(0);
  });

  it('rebuilds its own branch on a new base (force) when the base moved', async () => {
    const f = forge();
    await f.commitFiles({ branch: 'rp9/upgrader/acme', baseSha: mainSha(), message: 'one', files: [{ path: 'a.txt', content: 'a' }] });
    const newBase = gh.state.commit(REPO, { files: { 'other.txt': 'o' }, message: 'someone else' });

    const rebuilt = await f.commitFiles({ branch: 'rp9/upgrader/acme', baseSha: newBase, message: 'one', files: [{ path: 'a.txt', content: 'a' }] });

    expect(gh.state.world.git.commit(rebuilt.sha)?.parents).toEqual([newBase]);
    expect(gh.state.listFiles(REPO, 'rp9/upgrader/acme')).toEqual(['README.md', 'a.txt', 'other.txt', 'tenants/acme.yaml']);
    expect(gh.state.requestsTo('PATCH', '/repos/acme/config/git/refs/heads%2Frp9%2Fupgrader%2Facme').at(-1)?.body).toEqual({ sha: rebuilt.sha, force: true });
  });

  it('adds a fast-forward commit on top of a branch when no baseSha is given', async () => {
    const before = mainSha();

    const result = await forge().commitFiles({ branch: 'main', message: 'direct', files: [{ path: 'b.txt', content: 'b' }] });

    expect(gh.state.world.git.commit(result.sha)?.parents).toEqual([before]);
    expect(gh.state.readFile(REPO, 'main', 'b.txt')).toBe('b');
    expect(gh.state.requestsTo('PATCH', /\/git\/refs\//).at(-1)?.body).toEqual({ sha: result.sha, force: false });
  });

  it('refuses to force-move a branch outside its own prefix', async () => {
    const old = mainSha();
    gh.state.commit(REPO, { files: { 'c.txt': 'c' }, message: 'advance main' });

    const error = await rejection(forge().commitFiles({ branch: 'main', baseSha: old, message: 'reset', files: [{ path: 'x', content: 'x' }] }));

    expect(isForgeError(error, 'forge.conflict')).toBe(true);
    expect(gh.state.readFile(REPO, 'main', 'c.txt')).toBe('c');
  });

  it.each([
    ['a missing branch without baseSha', { branch: 'rp9/none', message: 'm', files: [] }, 'forge.not-found'],
    ['a path with ..', { branch: 'main', message: 'm', files: [{ path: '../etc/passwd', content: 'x' }] }, 'forge.invalid-input'],
    ['an absolute path', { branch: 'main', message: 'm', files: [{ path: '/abs', content: 'x' }] }, 'forge.invalid-input'],
  ] as const)('fails on %s', async (_name, input, code) => {
    const error = await rejection(forge().commitFiles({ ...input, files: [...input.files] }));

    expect(isForgeError(error, code)).toBe(true);
  });
});

describe('listCommitsTouching', () => {
  it('lists the commits that changed a path since a date, newest first', async () => {
    const seed = mainSha();
    const old = gh.state.commit(REPO, { files: { 'tenants/acme.yaml': 'v: 1\n' }, message: 'old change', date: '2024-01-01T00:00:00Z' });
    gh.state.commit(REPO, { files: { 'tenants/other.yaml': 'x\n' }, message: 'unrelated', date: '2024-02-01T00:00:00Z' });
    const mid = gh.state.commit(REPO, { files: { 'tenants/acme.yaml': 'v: 2\n' }, message: 'mid change', date: '2024-03-01T00:00:00Z', author: 'alice' });
    const last = gh.state.commit(REPO, { files: { 'tenants/acme.yaml': null }, message: 'remove', date: '2024-04-01T00:00:00Z' });

    const all = await forge().listCommitsTouching({ path: 'tenants/acme.yaml' });
    const recent = await forge().listCommitsTouching({ path: 'tenants/acme.yaml', since: new Date('2024-02-15T00:00:00Z') });
    const window = recent.filter((c) => c.sha !== seed);

    // The seed commit was made "now", so it is the newest by date.
    expect(all.map((c) => c.sha)).toEqual([seed, last, mid, old]);
    expect(recent.map((c) => c.sha)).toEqual([seed, last, mid]);
    expect(window).toEqual([
      { sha: last, date: '2024-04-01T00:00:00Z', message: 'remove', author: 'rp9-bot' },
      { sha: mid, date: '2024-03-01T00:00:00Z', message: 'mid change', author: 'alice' },
    ]);
  });

  it('follows pagination past one page', async () => {
    for (let i = 0; i < 105; i += 1) gh.state.commit(REPO, { files: { 'log.txt': String(i) }, message: `c${i}`, date: `2024-05-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z` });

    const commits = await forge().listCommitsTouching({ path: 'log.txt' });

    expect(commits).toHaveLength(105);
    expect(commits[0]?.message).toBe('c104');
    expect(gh.state.requestsTo('GET', '/repos/acme/config/commits')).toHaveLength(2);
  });
});

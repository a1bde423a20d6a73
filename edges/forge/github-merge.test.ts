import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions } from '../../test/github/server.js';
import { isForgeError } from './errors.js';
import { createGitHubForge } from './github-forge.js';

let gh: GitHubServer | undefined;
const REPO = 'acme/config';
const REQUIRED = ['rp9/validate', 'rp9/plan'];

afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

async function setup(repo: { requiredContexts?: string[]; allowAutoMerge?: boolean } = {}, options: GitHubServerOptions = {}) {
  gh = await startGitHubServer({ ...options, repos: [{ owner: 'acme', name: 'config', requiredContexts: REQUIRED, ...repo }] });
  const server = gh;
  const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: server.url });
  const main = server.state.repo(REPO).refs.get('refs/heads/main') as string;
  await forge.ensureBranch({ branch: 'rp9/upgrader/acme', fromSha: main });
  const { sha } = await forge.commitFiles({ branch: 'rp9/upgrader/acme', message: 'upgrade', files: [{ path: 'tenants/acme.yaml', content: 'n8n: 1.2.3\n' }] });
  const pr = await forge.ensurePullRequest({ bot: 'upgrader', tenant: 'acme', head: 'rp9/upgrader/acme', base: 'main', title: 'Upgrade', body: 'b' });
  return { server, forge, sha, number: pr.number };
}

describe('mergeWhenGreen', () => {
  it('waits while required contexts are missing or pending, then merges with a sha guard', async () => {
    const { server, forge, sha, number } = await setup();

    const missing = await forge.mergeWhenGreen({ number, requiredContexts: REQUIRED });
    await forge.setCommitStatus({ sha, state: 'success', context: 'rp9/validate', description: 'valid' });
    await forge.setCommitStatus({ sha, state: 'pending', context: 'rp9/plan', description: 'planning' });
    const pending = await forge.mergeWhenGreen({ number, requiredContexts: REQUIRED });
    const putsBefore = server.state.requestsTo('PUT', `/repos/acme/config/pulls/${number}/merge`).length;
    await forge.setCommitStatus({ sha, state: 'success', context: 'rp9/plan', description: 'no changes' });
    const merged = await forge.mergeWhenGreen({ number, requiredContexts: REQUIRED });

    expect(missing).toMatchObject({ merged: false, reason: 'pending' });
    expect(missing.detail).toContain('rp9/validate, rp9/plan');
    expect(pending).toMatchObject({ merged: false, reason: 'pending' });
    expect(pending.detail).toContain('rp9/plan');
    expect(putsBefore).toBe(0);
    expect(merged).toMatchObject({ merged: true, reason: 'merged' });
    expect(server.state.requestsTo('PUT', `/repos/acme/config/pulls/${number}/merge`).map((r) => r.body)).toEqual([{ sha, merge_method: 'squash' }]);
    expect(server.state.readFile(REPO, 'main', 'tenants/acme.yaml')).toBe('n8n: 1.2.3\n');
    expect(server.state.repo(REPO).refs.get('refs/heads/main')).toBe(merged.sha);
  });

  it('reports failing contexts and does not merge', async () => {
    const { server, forge, sha, number } = await setup();
    await forge.setCommitStatus({ sha, state: 'success', context: 'rp9/validate', description: 'ok' });
    await forge.setCommitStatus({ sha, state: 'failure', context: 'rp9/plan', description: 'plan failed' });

    const result = await forge.mergeWhenGreen({ number, requiredContexts: REQUIRED });

    expect(result).toMatchObject({ merged: false, reason: 'failing' });
    expect(result.detail).toContain('rp9/plan');
    expect(server.state.repo(REPO).pulls.get(number)?.state).toBe('open');
  });

  it('counts check runs as contexts', async () => {
    const { server, forge, sha, number } = await setup({ requiredContexts: ['build'] });
    server.state.addCheckRun(REPO, { sha, name: 'build', status: 'in_progress' });

    const running = await forge.mergeWhenGreen({ number, requiredContexts: ['build'] });
    server.state.addCheckRun(REPO, { sha, name: 'build', status: 'completed', conclusion: 'success' });
    const done = await forge.mergeWhenGreen({ number, requiredContexts: ['build'], method: 'merge' });

    expect(running.reason).toBe('pending');
    expect(done).toMatchObject({ merged: true, reason: 'merged' });
    expect(server.state.world.git.commit(done.sha as string)?.parents).toHaveLength(2);
  });

  it('says already-merged and closed without trying to merge', async () => {
    const { server, forge, sha, number } = await setup({ requiredContexts: [] });
    await forge.mergeWhenGreen({ number, requiredContexts: [] });
    server.state.repo(REPO).refs.set('refs/heads/rp9/other', sha);
    const other = server.state.commit(REPO, { branch: 'rp9/other', files: { 'o.txt': 'o' }, message: 'o' });
    const second = await forge.ensurePullRequest({ bot: 'other', tenant: 'acme', head: 'rp9/other', base: 'main', title: 'o', body: 'o' });
    await forge.closePullRequest({ number: second.number });
    server.state.clearRequests();

    const again = await forge.mergeWhenGreen({ number, requiredContexts: [] });
    const closed = await forge.mergeWhenGreen({ number: second.number, requiredContexts: [] });

    expect(other).toHaveLength(40);
    expect(again).toMatchObject({ merged: true, reason: 'already-merged' });
    expect(closed).toMatchObject({ merged: false, reason: 'closed' });
    expect(server.state.requestsTo('PUT', /merge$/)).toHaveLength(0);
  });

  it('reports not-mergeable when the branches conflict', async () => {
    const { server, forge, sha, number } = await setup({ requiredContexts: [] });
    server.state.commit(REPO, { files: { 'tenants/acme.yaml': 'n8n: 9.9.9\n' }, message: 'conflicting change on main' });

    const result = await forge.mergeWhenGreen({ number, requiredContexts: [] });

    expect(sha).toHaveLength(40);
    expect(result).toMatchObject({ merged: false, reason: 'not-mergeable' });
  });
});

describe('enableAutoMerge', () => {
  it('enables native auto-merge through GraphQL; GitHub merges once the statuses turn green', async () => {
    const { server, forge, sha, number } = await setup();

    const mode = await forge.enableAutoMerge({ number, method: 'squash' });
    server.state.clearRequests();
    const again = await forge.enableAutoMerge({ number, method: 'squash' });
    server.state.setStatus(REPO, { sha, state: 'success', context: 'rp9/validate' });
    const stillOpen = server.state.repo(REPO).pulls.get(number)?.state;
    server.state.setStatus(REPO, { sha, state: 'success', context: 'rp9/plan' });

    expect(mode).toBe('native');
    expect(again).toBe('native');
    expect(server.state.requestsTo('POST', '/graphql')).toHaveLength(0);
    expect(stillOpen).toBe('open');
    expect(server.state.repo(REPO).pulls.get(number)).toMatchObject({ state: 'closed', merged: true });
    expect(server.state.readFile(REPO, 'main', 'tenants/acme.yaml')).toBe('n8n: 1.2.3\n');
    const found = await forge.findPullRequests({ bot: 'upgrader', state: 'closed' });
    expect(found.map((p) => [p.number, p.merged])).toEqual([[number, true]]);
  });

  it.each<{ name: string; repo: { requiredContexts?: string[]; allowAutoMerge?: boolean }; options: GitHubServerOptions }>([
    { name: 'the repository does not allow auto-merge', repo: { allowAutoMerge: false }, options: {} },
    { name: 'the pull request is already clean (nothing required)', repo: { requiredContexts: [] }, options: {} },
    { name: 'the server has no GraphQL endpoint', repo: {}, options: { graphql: false } },
  ])('returns unsupported when $name', async ({ repo, options }) => {
    const { server, forge, number } = await setup(repo, options);

    const mode = await forge.enableAutoMerge({ number, method: 'squash' });

    expect(mode).toBe('unsupported');
    expect(server.state.requestsTo('POST', '/graphql')).toHaveLength(1);
    expect(server.state.repo(REPO).pulls.get(number)?.autoMerge).toBeNull();
  });

  it('lets the caller merge itself after unsupported', async () => {
    const { forge, number } = await setup({ requiredContexts: [] });

    const mode = await forge.enableAutoMerge({ number, method: 'rebase' });
    const result = await forge.mergeWhenGreen({ number, requiredContexts: [], method: 'rebase' });

    expect(mode).toBe('unsupported');
    expect(result).toMatchObject({ merged: true, reason: 'merged' });
  });

  it('fails with forge.conflict on a closed pull request', async () => {
    const { forge, number } = await setup();
    await forge.closePullRequest({ number });

    const error = await forge.enableAutoMerge({ number, method: 'squash' }).catch((e: unknown) => e);

    expect(isForgeError(error, 'forge.conflict')).toBe(true);
  });
});

describe('mergeWhenGreen against a concurrent push', () => {
  it('reports head-changed when the head moves between the check and the merge', async () => {
    const { server, forge, sha, number } = await setup({ requiredContexts: [] });
    const stop = server.state.onRequest((request) => {
      if (request.method === 'PUT') server.state.commit(REPO, { branch: 'rp9/upgrader/acme', files: { 'late.txt': 'late' }, message: 'late push' });
    });

    const result = await forge.mergeWhenGreen({ number, requiredContexts: [] });
    stop();

    expect(result).toMatchObject({ merged: false, reason: 'head-changed' });
    expect(server.state.requestsTo('PUT', `/repos/acme/config/pulls/${number}/merge`).map((r) => [r.status, (r.body as { sha: string }).sha])).toEqual([[409, sha]]);
    expect(server.state.repo(REPO).pulls.get(number)?.state).toBe('open');
  });
});

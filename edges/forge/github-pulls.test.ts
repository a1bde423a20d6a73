import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { createGitHubForge } from './github-forge.js';
import { bodyHash, parsePullRequestMarker, renderPullRequestBody } from './markers.js';

let gh: GitHubServer;
const REPO = 'acme/config';

beforeEach(async () => {
  gh = await startGitHubServer();
});
afterEach(async () => {
  await gh.stop();
});

function forge() {
  return createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
}

/** A bot branch with one commit on top of main, as the bots make them. */
function botBranch(name: string, file = `${name}.txt`): string {
  gh.state.repo(REPO).refs.set(`refs/heads/${name}`, gh.state.repo(REPO).refs.get('refs/heads/main') as string);
  return gh.state.commit(REPO, { branch: name, files: { [file]: name }, message: `change on ${name}` });
}

const base = { bot: 'upgrader', tenant: 'acme', head: 'rp9/upgrader/acme', base: 'main', title: 'Upgrade acme to n8n 1.2.3', body: 'Upgrades **acme**.' };

describe('ensurePullRequest', () => {
  it('creates the pull request with the hidden markers and labels', async () => {
    botBranch(base.head);

    const result = await forge().ensurePullRequest({ ...base, labels: ['rp9', 'upgrade'] });

    const pull = gh.state.repo(REPO).pulls.get(result.number);
    expect(result).toMatchObject({ number: 1, action: 'created', closedDuplicates: [] });
    expect(result.url).toBe(`${gh.url}/_web/acme/config/pull/1`);
    expect(pull?.body).toBe(renderPullRequestBody(base));
    expect(parsePullRequestMarker(pull?.body)).toEqual({ bot: 'upgrader', tenant: 'acme', bodyHash: bodyHash(base.body) });
    expect(pull?.labels).toEqual(['rp9', 'upgrade']);
  });

  it('sends no PATCH when the body, title and base are unchanged', async () => {
    botBranch(base.head);
    await forge().ensurePullRequest({ ...base, labels: ['rp9'] });
    gh.state.clearRequests();

    const again = await forge().ensurePullRequest({ ...base, labels: ['rp9'] });

    expect(again).toMatchObject({ number: 1, action: 'unchanged' });
    expect(gh.state.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('updates the same pull request in place when the body changes', async () => {
    botBranch(base.head);
    const first = await forge().ensurePullRequest(base);
    gh.state.clearRequests();

    const second = await forge().ensurePullRequest({ ...base, body: 'Upgrades **acme**, now with notes.' });

    expect(second).toMatchObject({ number: first.number, action: 'updated' });
    expect(gh.state.requestsTo('PATCH', '/repos/acme/config/pulls/1')).toHaveLength(1);
    expect(gh.state.requestsTo('POST', '/repos/acme/config/pulls')).toHaveLength(0);
    expect(gh.state.repo(REPO).pulls.get(1)?.body).toContain('now with notes');
    expect(gh.state.repo(REPO).pulls.size).toBe(1);
  });

  it('updates when only the title changes', async () => {
    botBranch(base.head);
    await forge().ensurePullRequest(base);

    const result = await forge().ensurePullRequest({ ...base, title: 'Upgrade acme to n8n 1.2.4' });

    expect(result.action).toBe('updated');
    expect(gh.state.repo(REPO).pulls.get(1)?.title).toBe('Upgrade acme to n8n 1.2.4');
  });

  it('keeps one pull request per bot and tenant', async () => {
    botBranch('rp9/upgrader/acme');
    botBranch('rp9/upgrader/globex');
    botBranch('rp9/certs/acme');
    const f = forge();

    const a = await f.ensurePullRequest(base);
    const b = await f.ensurePullRequest({ ...base, tenant: 'globex', head: 'rp9/upgrader/globex' });
    const c = await f.ensurePullRequest({ ...base, bot: 'certs', head: 'rp9/certs/acme' });
    const a2 = await f.ensurePullRequest(base);

    expect(new Set([a.number, b.number, c.number]).size).toBe(3);
    expect(a2).toMatchObject({ number: a.number, action: 'unchanged' });
    expect([...gh.state.repo(REPO).pulls.values()].filter((p) => p.state === 'open')).toHaveLength(3);
  });

  it('replaces the pull request when the bot proposes from another branch', async () => {
    botBranch(base.head);
    botBranch('rp9/upgrader/acme-v2');
    const first = await forge().ensurePullRequest(base);

    const second = await forge().ensurePullRequest({ ...base, head: 'rp9/upgrader/acme-v2' });

    expect(second).toMatchObject({ action: 'created', closedDuplicates: [first.number] });
    expect(gh.state.repo(REPO).pulls.get(first.number)?.state).toBe('closed');
    expect(gh.state.repo(REPO).pulls.get(second.number)).toMatchObject({ state: 'open', headRef: 'rp9/upgrader/acme-v2' });
  });

  it('closes a duplicate that carries the same marker, keeping the oldest', async () => {
    botBranch(base.head);
    botBranch('rp9/upgrader/acme-copy');
    const first = await forge().ensurePullRequest(base);
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    const duplicate = await octokit.rest.pulls.create({ owner: 'acme', repo: 'config', head: 'rp9/upgrader/acme-copy', base: 'main', title: 'dup', body: renderPullRequestBody(base) });

    const result = await forge().ensurePullRequest(base);

    expect(result).toMatchObject({ number: first.number, action: 'unchanged', closedDuplicates: [duplicate.data.number] });
    expect(gh.state.repo(REPO).pulls.get(duplicate.data.number)?.state).toBe('closed');
    expect(gh.state.repo(REPO).comments.map((c) => c.body)).toEqual([`Superseded by #${first.number}: one pull request per bot and tenant.`]);
  });
});

describe('findPullRequests', () => {
  it('finds pull requests by marker and ignores the others', async () => {
    botBranch(base.head);
    botBranch('rp9/upgrader/globex');
    botBranch('human');
    const f = forge();
    await f.ensurePullRequest(base);
    const globex = await f.ensurePullRequest({ ...base, tenant: 'globex', head: 'rp9/upgrader/globex' });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    await octokit.rest.pulls.create({ owner: 'acme', repo: 'config', head: 'human', base: 'main', title: 'by hand', body: 'no marker' });
    await f.closePullRequest({ number: globex.number });

    const open = await f.findPullRequests();
    const all = await f.findPullRequests({ bot: 'upgrader', state: 'all' });
    const globexOnly = await f.findPullRequests({ tenant: 'globex', state: 'closed' });

    expect(open.map((p) => [p.bot, p.tenant, p.state])).toEqual([['upgrader', 'acme', 'open']]);
    expect(open[0]).toMatchObject({ head: { ref: base.head }, base: { ref: 'main' }, bodyHash: bodyHash(base.body), merged: false, draft: false, autoMerge: false });
    expect(all.map((p) => p.tenant)).toEqual(['acme', 'globex']);
    expect(globexOnly.map((p) => p.number)).toEqual([globex.number]);
  });
});

describe('ensureLabels', () => {
  it('adds only the missing labels and sends nothing when all are there', async () => {
    botBranch(base.head);
    const { number } = await forge().ensurePullRequest({ ...base, labels: ['rp9'] });
    gh.state.clearRequests();

    await forge().ensureLabels({ number, labels: ['RP9', 'needs-review'] });
    await forge().ensureLabels({ number, labels: ['needs-review'] });

    expect(gh.state.repo(REPO).pulls.get(number)?.labels).toEqual(['rp9', 'needs-review']);
    expect(gh.state.requestsTo('POST', `/repos/acme/config/issues/${number}/labels`).map((r) => r.body)).toEqual([{ labels: ['needs-review'] }]);
  });
});

describe('ensureStickyComment', () => {
  it('creates, leaves unchanged, then updates the same comment in place', async () => {
    botBranch(base.head);
    const { number } = await forge().ensurePullRequest(base);
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'config', issue_number: number, body: 'a human comment' });

    const created = await forge().ensureStickyComment({ number, key: 'plan', body: 'Plan: 1 change' });
    const same = await forge().ensureStickyComment({ number, key: 'plan', body: 'Plan: 1 change' });
    const other = await forge().ensureStickyComment({ number, key: 'cost', body: 'Cost: 0' });
    gh.state.clearRequests();
    const updated = await forge().ensureStickyComment({ number, key: 'plan', body: 'Plan: 2 changes' });

    expect(created.action).toBe('created');
    expect(same).toEqual({ id: created.id, action: 'unchanged' });
    expect(other.id).not.toBe(created.id);
    expect(updated).toEqual({ id: created.id, action: 'updated' });
    expect(gh.state.requestsTo('PATCH', `/repos/acme/config/issues/comments/${created.id}`)).toHaveLength(1);
    expect(gh.state.repo(REPO).comments.map((c) => c.body)).toEqual(['a human comment', '<!-- rp9:sticky=plan -->\nPlan: 2 changes', '<!-- rp9:sticky=cost -->\nCost: 0']);
  });
});

describe('closePullRequest', () => {
  it('comments and closes once; a second call does nothing', async () => {
    botBranch(base.head);
    const { number } = await forge().ensurePullRequest(base);

    await forge().closePullRequest({ number, comment: 'Tenant removed.' });
    gh.state.clearRequests();
    await forge().closePullRequest({ number, comment: 'Tenant removed.' });

    expect(gh.state.repo(REPO).pulls.get(number)?.state).toBe('closed');
    expect(gh.state.repo(REPO).comments.map((c) => c.body)).toEqual(['Tenant removed.']);
    expect(gh.state.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('lets ensurePullRequest open a new pull request after the old one was closed', async () => {
    botBranch(base.head);
    const first = await forge().ensurePullRequest(base);
    await forge().closePullRequest({ number: first.number });

    const second = await forge().ensurePullRequest(base);

    expect(second.action).toBe('created');
    expect(second.number).not.toBe(first.number);
  });
});

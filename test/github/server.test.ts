import { Octokit } from '@octokit/rest';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContract } from './contract.js';
import { startGitHubServer, type GitHubServer } from './server.js';
import { shapeDiff } from './shape.js';

const require = createRequire(import.meta.url);
interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | '';
  status: number;
  response: unknown;
}
function scenario(name: string): Recorded[] {
  return require(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`) as Recorded[];
}

let gh: GitHubServer;
let octokit: Octokit;
const owner = 'acme';
const repo = 'config';

beforeEach(async () => {
  gh = await startGitHubServer();
  octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token', log: { debug() {}, info() {}, warn() {}, error() {} } });
});
afterEach(async () => {
  await gh.stop();
});

/** An untyped request, to send bodies the typed client would refuse. */
function raw(route: string, params: Record<string, unknown>): Promise<unknown> {
  return octokit.request(route, params);
}

function head(): string {
  return gh.state.repo(`${owner}/${repo}`).refs.get('refs/heads/main') as string;
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
  throw new Error('expected the request to fail');
}

describe('contract enforcement', () => {
  it('answers 422 with the reason when a request body breaks the OpenAPI description', async () => {
    const result = await failure(raw('POST /repos/{owner}/{repo}/statuses/{sha}', { owner, repo, sha: head(), state: 'green', context: 7 }));

    expect(result.status).toBe(422);
    expect(result.message).toContain('body.state must be equal to one of the allowed values (error, failure, pending, success)');
    expect(result.message).toContain('body.context must be string');
    expect(gh.state.repo(`${owner}/${repo}`).statuses).toHaveLength(0);
  });

  it('answers 422 when a query parameter breaks the description', async () => {
    const result = await failure(raw('GET /repos/{owner}/{repo}/pulls', { owner, repo, state: 'merged' }));

    expect(result.status).toBe(422);
    expect(result.message).toContain('query.state');
  });

  it('answers 422 when a required body field is missing', async () => {
    const result = await failure(raw('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: 'refs/heads/x' }));

    expect(result).toMatchObject({ status: 422 });
    expect(result.message).toContain("must have required property 'sha'");
  });

  it('enforces GitHub rules beyond the schema (140-character status descriptions)', async () => {
    const result = await failure(octokit.rest.repos.createCommitStatus({ owner, repo, sha: head(), state: 'success', description: 'x'.repeat(141) }));

    expect(result).toEqual({ status: 422, message: 'Validation Failed' });
  });

  it('answers 401 without credentials and 404 for routes it does not serve', async () => {
    const anonymous = new Octokit({ baseUrl: gh.url, log: { debug() {}, info() {}, warn() {}, error() {} } });

    const unauthenticated = await failure(anonymous.rest.pulls.list({ owner, repo }));
    const unknown = await failure(octokit.request('GET /repos/{owner}/{repo}/releases', { owner, repo }));

    expect(unauthenticated.status).toBe(401);
    expect(unknown.status).toBe(404);
  });

  it('checks response bodies: a body missing required fields is reported', () => {
    const contract = loadContract();
    const op = contract.operation('post', '/repos/{owner}/{repo}/statuses/{sha}');

    const problems = contract.checkResponse(op, 201, { url: 'http://x/y', state: 'success' });

    expect(problems.join('\n')).toContain("must have required property 'id'");
  });

  it('accepts null where the description says nullable, and nothing else there', async () => {
    const contract = loadContract();
    const op = contract.operation('get', '/repos/{owner}/{repo}/pulls/{pull_number}');
    gh.state.repo(`${owner}/${repo}`).refs.set('refs/heads/topic', head());
    gh.state.commit(`${owner}/${repo}`, { branch: 'topic', files: { 'a.txt': 'a' }, message: 'a' });
    await octokit.rest.pulls.create({ owner, repo, head: 'topic', base: 'main', title: 'no body' });

    const pull = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });

    expect(pull.data.body).toBeNull();
    expect(pull.data.merged_by).toBeNull();
    expect(contract.checkResponse(op, 200, pull.data)).toEqual([]);
    expect(contract.checkResponse(op, 200, { ...pull.data, body: 5 })).toEqual(['response.body must be string,null']);
    expect(contract.checkResponse(op, 200, { ...pull.data, title: null })).toEqual(['response.title must be string']);
  });

  it('makes stop() fail when a response broke the contract during the run', async () => {
    const server = await startGitHubServer();
    server.state.violations.push('example/op 200: response.id must be integer');

    await expect(server.stop()).rejects.toThrow('contract violations');
  });
});

describe('recorded @octokit/fixtures replay', () => {
  it('create-status: POST status and GET combined status have the recorded shape', async () => {
    const [post, , , combined] = scenario('create-status');
    const sha = head();

    const created = await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner, repo, sha, ...(post?.body as { state: 'failure' }) });
    const status = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/status', { owner, repo, ref: sha });

    expect(created.status).toBe(post?.status);
    expect(status.status).toBe(combined?.status);
    expectSameShape(post?.response, created.data);
    expectSameShape(combined?.response, status.data);
  });

  it('git-refs: POST and PATCH a ref have the recorded shape', async () => {
    const records = scenario('git-refs');
    const create = records.find((r) => r.method === 'post');
    const update = records.find((r) => r.method === 'patch');

    const created = await octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: String((create?.body as { ref: string }).ref), sha: head() });
    const updated = await octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { owner, repo, ref: 'heads/test', sha: head() });

    expect([created.status, updated.status]).toEqual([create?.status, update?.status]);
    expectSameShape(create?.response, created.data);
    expectSameShape(update?.response, updated.data);
  });

  it('add-labels-to-issue: POST labels has the recorded shape', async () => {
    const add = scenario('add-labels-to-issue').find((r) => r.path.endsWith('/labels'));
    gh.state.repo(`${owner}/${repo}`).refs.set('refs/heads/topic', head());
    gh.state.commit(`${owner}/${repo}`, { branch: 'topic', files: { 'a.txt': 'a' }, message: 'a' });
    const pull = await octokit.rest.pulls.create({ owner, repo, head: 'topic', base: 'main', title: 'topic' });

    const labels = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner, repo, issue_number: pull.data.number, ...(add?.body as object) });

    expect(labels.status).toBe(add?.status);
    expect(labels.data.map((l) => l.name)).toEqual(['Foo', 'bAr', 'baZ']);
    expectSameShape(add?.response, labels.data);
  });
});

/**
 * Every key GitHub sent in the recording is in our response. Our extra keys may only be fields GitHub
 * added to the same objects after the recording was made (and which the OpenAPI description declares).
 */
function expectSameShape(recorded: unknown, ours: unknown): void {
  const { missing, extra } = shapeDiff(recorded, ours);
  expect(missing).toEqual([]);
  expect(extra.filter((path) => !path.endsWith('user_view_type'))).toEqual([]);
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { isForgeError } from './errors.js';
import { createGitHubForge, type GitHubForgeOptions } from './github-forge.js';

const NOW = Date.parse('2025-01-15T12:00:00Z');
const REPO = 'acme/config';
let gh: GitHubServer;
let sleeps: number[];

beforeEach(async () => {
  gh = await startGitHubServer({ now: () => NOW });
  sleeps = [];
});
afterEach(async () => {
  await gh.stop();
});

function forge(retry: GitHubForgeOptions['retry'] = {}, extra: Partial<GitHubForgeOptions> = {}) {
  return createGitHubForge({
    owner: 'acme',
    repo: 'config',
    auth: { token: 'test-token' },
    baseUrl: gh.url,
    retry: { maxAttempts: 4, maxTotalWaitMs: 10 * 60_000, now: () => NOW, sleep: async (ms) => void sleeps.push(ms), ...retry },
    ...extra,
  });
}

function mainSha(): string {
  return gh.state.repo(REPO).refs.get('refs/heads/main') as string;
}

describe('rate limits', () => {
  it('waits for the primary limit reset and completes the work', async () => {
    gh.state.injectRateLimit({ times: 2, kind: 'primary', resetInSec: 30 });

    await forge().setCommitStatus({ sha: mainSha(), state: 'success', context: 'ci', description: 'ok' });

    expect(sleeps).toEqual([31_000, 31_000]);
    expect(gh.state.requestsTo('POST', /\/statuses\//).map((r) => r.status)).toEqual([403, 403, 201]);
    expect(gh.state.repo(REPO).statuses.map((s) => s.context)).toEqual(['ci']);
  });

  it('waits retry-after on a secondary limit (429) in the middle of a multi-request verb', async () => {
    await forge().ensureBranch({ branch: 'rp9/bot/acme', fromSha: mainSha() });
    gh.state.commit(REPO, { branch: 'rp9/bot/acme', files: { 'a.txt': 'a' }, message: 'a' });
    gh.state.clearRequests();
    const f = forge();
    gh.state.injectRateLimit({ times: 1, kind: 'secondary', status: 429, retryAfterSec: 5, match: { method: 'POST', path: '/repos/acme/config/pulls' } });

    const result = await f.ensurePullRequest({ bot: 'bot', tenant: 'acme', head: 'rp9/bot/acme', base: 'main', title: 't', body: 'b' });

    expect(sleeps).toEqual([5_000]);
    expect(result.action).toBe('created');
    expect(gh.state.repo(REPO).pulls.size).toBe(1);
    expect(gh.state.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 429', 'POST 201']);
    expect(gh.state.requests.filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/config/pulls']);
  });

  it('backs off on a secondary limit without retry-after', async () => {
    gh.state.injectRateLimit({ times: 2, kind: 'secondary', retryAfterSec: null });

    await forge({ secondaryFallbackMs: 1_000 }).setCommitStatus({ sha: mainSha(), state: 'pending', context: 'ci', description: 'd' });

    expect(sleeps).toEqual([1_000, 2_000]);
    expect(gh.state.repo(REPO).statuses).toHaveLength(1);
  });

  it('gives up with forge.rate-limited after maxAttempts, having done nothing', async () => {
    gh.state.injectRateLimit({ times: 10, kind: 'secondary', retryAfterSec: 1 });

    const error = await forge({ maxAttempts: 3 }).setCommitStatus({ sha: mainSha(), state: 'success', context: 'ci', description: 'ok' }).catch((e: unknown) => e);

    expect(isForgeError(error, 'forge.rate-limited')).toBe(true);
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(gh.state.repo(REPO).statuses).toHaveLength(0);
  });

  it('gives up at once when the reset is further away than maxTotalWaitMs', async () => {
    gh.state.injectRateLimit({ times: 1, kind: 'primary', resetInSec: 3_600 });

    const error = await forge({ maxTotalWaitMs: 60_000 }).setCommitStatus({ sha: mainSha(), state: 'success', context: 'ci', description: 'ok' }).catch((e: unknown) => e);

    expect(isForgeError(error, 'forge.rate-limited')).toBe(true);
    expect((error as Error).message).toContain('primary');
    expect(sleeps).toEqual([]);
  });
});

describe('error codes', () => {
  it.each<{ name: string; run: (f: ReturnType<typeof forge>) => Promise<unknown>; code: string; extra?: Partial<GitHubForgeOptions> }>([
    { name: 'unknown repository → forge.not-found', run: (f) => f.ensureBranch({ branch: 'x', fromSha: 'a'.repeat(40) }), code: 'forge.not-found', extra: { repo: 'missing' } },
    { name: 'bad token → forge.unauthorized', run: (f) => f.findPullRequests(), code: 'forge.unauthorized', extra: { auth: { token: 'wrong' } } },
    { name: 'branch from a sha that does not exist → forge.validation', run: (f) => f.ensureBranch({ branch: 'rp9/x', fromSha: 'a'.repeat(40) }), code: 'forge.validation' },
    {
      name: 'pull request with no commits → forge.validation',
      run: async (f) => {
        await f.ensureBranch({ branch: 'rp9/empty', fromSha: mainSha() });
        return f.ensurePullRequest({ bot: 'b', tenant: 't', head: 'rp9/empty', base: 'main', title: 't', body: 'b' });
      },
      code: 'forge.validation',
    },
    { name: 'merge of a pull request that does not exist → forge.not-found', run: (f) => f.mergeWhenGreen({ number: 99, requiredContexts: [] }), code: 'forge.not-found' },
  ])('$name', async ({ run, code, extra }) => {
    const error = await run(forge({}, extra)).catch((e: unknown) => e);

    expect(isForgeError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
  });
});

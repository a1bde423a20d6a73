import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../edges/forge/index.js';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { appliedSummary, createCommitStatusReporter, passStatus, type CommitStatusReporter, type PassFailure } from './commit-status.js';

describe('appliedSummary', () => {
  it.each<[number, number, { tenant: string; message: string }[], string]>([
    [12, 12, [], 'applied 12/12 tenants'],
    [11, 12, [{ tenant: 'acme', message: 'container unhealthy' }], 'acme: container unhealthy'],
    [9, 12, [{ tenant: 'acme', message: 'container unhealthy' }, { tenant: 'b', message: 'x' }, { tenant: 'c', message: 'y' }], 'acme: container unhealthy (+2 more)'],
  ])('%i/%i applied', (applied, total, failures, expected) => {
    expect(appliedSummary(applied, total, failures)).toBe(expected);
  });
});

describe('passStatus', () => {
  const transient = (tenant: string): PassFailure => ({ tenant, message: 'docker: connection reset', transient: true });
  const terminal = (tenant: string): PassFailure => ({ tenant, message: 'image not found', transient: false });

  it.each<[string, PassFailure[], string, string]>([
    ['every tenant applied', [], 'success', 'applied 3/3 tenants'],
    ['one transient failure', [transient('acme')], 'pending', 'retrying 1 tenant with backoff: acme: docker: connection reset'],
    ['two transient failures', [transient('acme'), transient('beta')], 'pending', 'retrying 2 tenants with backoff: acme: docker: connection reset (+1 more)'],
    ['one terminal failure', [terminal('acme')], 'failure', 'acme: image not found'],
    ['a terminal failure after a transient one: the terminal is named', [transient('acme'), terminal('beta')], 'failure', 'beta: image not found (+1 more)'],
  ])('%s', (_name, failures, state, description) => {
    expect(passStatus(3 - failures.length, 3, failures)).toEqual({ state, description });
  });
});

describe('commit status reporter against the GitHub contract server', () => {
  const REPO = 'acme/config';
  const STATUSES = /\/statuses\//;
  let gh: GitHubServer;
  let reporter: CommitStatusReporter | undefined;

  beforeEach(async () => {
    gh = await startGitHubServer();
  });
  afterEach(async () => {
    reporter?.close();
    await gh.stop();
  });

  const sha = () => gh.state.repo(REPO).refs.get('refs/heads/main') as string;
  // One try per request in the forge: the reporter's own retries are under test.
  const forge = () => createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url, retry: { maxAttempts: 1 } });
  const posted = () => gh.state.repo(REPO).statuses.map((s) => `${s.context} ${s.state} ${s.description}`);
  const refuse = (times: number) => gh.state.injectRateLimit({ times, kind: 'secondary', retryAfterSec: 0, match: { method: 'POST', path: STATUSES } });

  async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('posts under rp9/<environment> and never posts the same status twice', async () => {
    reporter = createCommitStatusReporter(forge(), { environment: () => 'staging', targetUrl: 'https://rp9.example.com/' });

    await reporter.report({ commit: sha(), state: 'pending', description: 'applying' });
    await reporter.report({ commit: sha(), state: 'success', description: 'applied 2/2 tenants' });
    await reporter.report({ commit: sha(), state: 'success', description: 'applied 2/2 tenants' });

    expect(posted()).toEqual(['rp9/staging pending applying', 'rp9/staging success applied 2/2 tenants']);
    expect(gh.state.repo(REPO).statuses.every((s) => s.targetUrl === 'https://rp9.example.com/')).toBe(true);
  });

  it('retries a post the forge refused, with backoff, until it lands', async () => {
    const errors: (number | undefined)[] = [];
    reporter = createCommitStatusReporter(forge(), { environment: () => 'e', onError: (_e, retryInMs) => errors.push(retryInMs), retry: { attempts: 5, baseMs: 20, maxMs: 40 } });
    refuse(2);

    await reporter.report({ commit: sha(), state: 'failure', description: 'acme: image not found' });
    await until('the status to be posted', () => posted().length === 1);

    expect(posted()).toEqual(['rp9/e failure acme: image not found']);
    expect(errors).toEqual([20, 40]);
    expect(gh.state.requestsTo('POST', STATUSES).map((r) => r.status)).toEqual([403, 403, 201]);
  });

  it('gives up after its attempts and says so', async () => {
    const errors: (number | undefined)[] = [];
    reporter = createCommitStatusReporter(forge(), { environment: () => 'e', onError: (_e, retryInMs) => errors.push(retryInMs), retry: { attempts: 3, baseMs: 10, maxMs: 10 } });
    refuse(10);

    await reporter.report({ commit: sha(), state: 'success', description: 'applied 1/1 tenants' });
    await until('the reporter to give up', () => errors.length === 3);

    expect(errors).toEqual([10, 10, undefined]);
    expect(posted()).toEqual([]);
  });

  it('drops a pending retry when a newer status for the commit is reported', async () => {
    reporter = createCommitStatusReporter(forge(), { environment: () => 'e', retry: { attempts: 5, baseMs: 200, maxMs: 200 } });
    refuse(1);

    await reporter.report({ commit: sha(), state: 'pending', description: 'applying' });
    await reporter.report({ commit: sha(), state: 'success', description: 'applied 1/1 tenants' });
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(posted()).toEqual(['rp9/e success applied 1/1 tenants']);
  });
});

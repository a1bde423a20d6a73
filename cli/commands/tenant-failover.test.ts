import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { changedFields, checkOwnership } from '../../bots/core/ownership.js';
import { parseBotBranch } from '../../bots/runner/check-pr.js';
import { openStore, type Store } from '../../controller/store/store.js';
import { parsePullRequestMarker } from '../../edges/forge/markers.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { exampleConfigFiles } from '../../test/fixtures/example-config.js';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { main } from '../main.js';

const REPO = 'acme/config';
const databases = scratchDatabases(inject('postgresUrl'), 'rp9_tenant_failover');
afterAll(() => databases.dropAll());

let gh: GitHubServer;
let cache: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: await exampleConfigFiles() }] });
  cache = await mkdtemp(join(tmpdir(), 'rp9-tenant-failover-'));
  env = { RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: REPO, RP9_GITHUB_API_URL: gh.url, RP9_BOTS_GIT_CACHE_DIR: cache, RP9_LOG_LEVEL: 'error', USER: 'ops-ana' };
});
afterEach(async () => {
  await gh.stop();
  await rm(cache, { recursive: true, force: true });
});

async function rp9(args: string[]) {
  const t = captureIo(env, '/');
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('rp9 tenant failover (GitHub contract server, PostgreSQL store)', () => {
  let store: Store;
  beforeEach(async () => {
    env.DATABASE_URL = await databases.create();
    store = await openStore({ databaseUrl: env.DATABASE_URL, notify: () => undefined });
    await store.status.update('acme', { phase: 'active', appliedCommit: 'c0ffee0' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('opens the demotion PR, records the request, and follows it to merge and the controller applying it (exit 0)', async () => {
    const running = rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'dedicated host down (INC-42)', '--wait', '30', '--interval', '0.2']);
    const pr = await until('the failover PR', () => [...gh.state.repo(REPO).pulls.values()][0]);
    expect(parsePullRequestMarker(pr.body)).toMatchObject({ bot: 'failover', tenant: 'acme' });
    expect(pr.body).toContain('dedicated host down (INC-42)');
    expect(pr.body).toContain('the controller demotes the tenant');
    // Not declared an emergency: a person merges it.
    expect(pr.body).toContain('A person merges this pull request (`not declared an emergency (--emergency): human review`)');
    const edited = parse(gh.state.readFile(REPO, 'rp9/failover/acme', 'tenants/acme.yaml')!);
    expect(edited.spec.mode).toBe('shared');
    expect(edited.spec.promotion).toBeUndefined();
    // A shared tenant may not carry these (tenant.dedicated-only): the PR removes them and says so.
    expect(edited.spec.resources).toBeUndefined();
    expect(edited.spec.customDomains).toBeUndefined();
    expect(edited.spec.n8n).toBeUndefined();
    expect(edited.spec.region).toBe('us-east');
    expect(pr.body).toContain('automations.acme.com stop routing');
    // rp9 check-pr accepts it: only fields the failover branch owns changed.
    const fields = changedFields(gh.state.readFile(REPO, 'main', 'tenants/acme.yaml')!, gh.state.readFile(REPO, 'rp9/failover/acme', 'tenants/acme.yaml')!);
    expect(fields).toEqual(['spec.customDomains[0]', 'spec.mode', 'spec.n8n.version', 'spec.resources.cpu', 'spec.resources.memoryMb', 'spec.resources.storageGb', 'spec.resources.workers']);
    expect(checkOwnership(parseBotBranch('rp9/failover/acme')!.bot, fields)).toEqual([]);

    await new Octokit({ auth: 'test-token', baseUrl: gh.url }).pulls.merge({ owner: 'acme', repo: 'config', pull_number: pr.number, merge_method: 'squash' });
    await store.events.record({ tenant: 'acme', type: 'Normal', reason: 'RouteSwitched', message: 'route to the shared n8n', actor: 'controller' });
    await store.status.update('acme', { phase: 'active', appliedCommit: 'beef123' });

    const result = await running;
    expect(result.err).toBe('');
    expect(result.out).toContain(`Failover pull request #${pr.number} opened`);
    expect(result.out).toContain('event Warning FailoverRequested: failover to shared requested');
    expect(result.out).toContain('event Normal RouteSwitched: route to the shared n8n (controller)');
    expect(result.out).toContain('merged; controller: phase active, applied commit beef123');
    expect(result.out).toContain('Done: the pull request is merged');
    expect(result.code).toBe(0);
    const events = await store.events.recent({ tenant: 'acme', limit: 10 });
    expect(events.find((e) => e.reason === 'FailoverRequested')).toMatchObject({ type: 'Warning', actor: 'cli:ops-ana' });
  });

  it('exits 3 when the wait ends before the merge, and --no-wait returns at once with the same PR', async () => {
    const waited = await rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'INC-42', '--wait', '1', '--interval', '0.2', '-o', 'json']);
    const report = JSON.parse(waited.out);
    expect(waited.code).toBe(3);
    expect(report.progress).toMatchObject({ verdict: 'timeout', pr: { state: 'open', merged: false }, status: { phase: 'active', appliedCommit: 'c0ffee0' } });

    const quick = await rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'INC-42', '--no-wait', '-o', 'json']);
    expect(quick.code).toBe(0);
    expect(JSON.parse(quick.out)).toMatchObject({ pullRequest: { number: report.pullRequest.number, action: 'unchanged' }, progress: null });
    expect(gh.state.repo(REPO).pulls.size).toBe(1);
  });

  it('--emergency merges by itself when autoMerge.failover.emergency is true, and only then', async () => {
    const withoutPolicy = await rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'INC-43', '--emergency', '--no-wait', '-o', 'json']);
    expect(JSON.parse(withoutPolicy.out).autoMerge).toEqual({ autoMerge: false, rule: 'autoMerge.failover.emergency is false (human review)' });
    const first = [...gh.state.repo(REPO).pulls.values()][0]!;
    expect(first.merged).toBeFalsy();
    await new Octokit({ auth: 'test-token', baseUrl: gh.url }).pulls.update({ owner: 'acme', repo: 'config', pull_number: first.number, state: 'closed' });

    const platform = gh.state.readFile(REPO, 'main', 'platform.yaml')!;
    expect(platform).toMatch(/\n  autoMerge:\n/);
    gh.state.commit(REPO, { files: { 'platform.yaml': platform.replace(/\n  autoMerge:\n/, '\n  autoMerge:\n    failover: { emergency: true }\n') }, message: 'failover policy' });
    const emergency = await rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'INC-43: host lost', '--emergency', '--no-wait', '-o', 'json']);
    expect(emergency.code, emergency.err).toBe(0);
    const report = JSON.parse(emergency.out);
    expect(report.autoMerge).toMatchObject({ autoMerge: true, rule: 'autoMerge.failover.emergency = true', result: expect.stringMatching(/^(merged|auto-merge on)/) });
    const pr = [...gh.state.repo(REPO).pulls.values()].find((p) => p.number === report.pullRequest.number)!;
    expect(pr.body).toContain('This pull request merges by itself once its required checks pass (`autoMerge.failover.emergency = true`)');
    expect(Boolean(pr.merged) || Boolean(pr.autoMerge)).toBe(true);
  });

  it('exits 1 when the PR is closed unmerged', async () => {
    const running = rp9(['tenant', 'failover', 'acme', '--to', 'shared', '--reason', 'INC-42', '--wait', '30', '--interval', '0.2']);
    const pr = await until('the failover PR', () => [...gh.state.repo(REPO).pulls.values()][0]);
    await new Octokit({ auth: 'test-token', baseUrl: gh.url }).pulls.update({ owner: 'acme', repo: 'config', pull_number: pr.number, state: 'closed' });
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.out).toContain('closed without merging');
  });

  it('refuses a shared tenant (exit 1) and bad usage (exit 2), opening nothing', async () => {
    const shared = await rp9(['tenant', 'failover', 'soylent', '--to', 'shared', '--reason', 'x', '--no-wait']);
    const noReason = await rp9(['tenant', 'failover', 'acme', '--to', 'shared']);
    const wrongTarget = await rp9(['tenant', 'failover', 'acme', '--to', 'dedicated', '--reason', 'x']);
    expect(shared.code).toBe(1);
    expect(shared.out).toContain('Refused [tenant-failover.not-dedicated]');
    expect([noReason.code, wrongTarget.code]).toEqual([2, 2]);
    expect(noReason.err).toContain('--reason is required');
    expect(wrongTarget.err).toContain('--to must be shared');
    expect(gh.state.repo(REPO).pulls.size).toBe(0);
  });
});

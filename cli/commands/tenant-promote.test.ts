import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePullRequestMarker } from '../../edges/forge/markers.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { exampleConfigFiles } from '../../test/fixtures/example-config.js';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { main } from '../main.js';
import { windowOption } from './tenant-promote.js';

const REPO = 'acme/config';

let gh: GitHubServer;
let cache: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: await exampleConfigFiles() }] });
  cache = await mkdtemp(join(tmpdir(), 'rp9-tenant-promote-'));
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

describe('rp9 tenant promote (GitHub contract server)', () => {
  it('opens the promotion PR (mode: dedicated, spec.promotion), then updates the same PR in place', async () => {
    const before = Date.now();
    const first = await rp9(['tenant', 'promote', 'soylent', '--window', 'now', '--reason', 'Customer moved to Enterprise', '-o', 'json']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out);
    expect(report.pullRequest).toMatchObject({ action: 'created', branch: 'rp9/promote/soylent', file: 'tenants/soylent.yaml' });
    expect(Date.parse(report.window)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(report.window)).toBeLessThanOrEqual(Date.now());

    const pulls = [...gh.state.repo(REPO).pulls.values()];
    expect(pulls).toHaveLength(1);
    expect(parsePullRequestMarker(pulls[0]!.body)).toMatchObject({ bot: 'promote', tenant: 'soylent' });
    expect(pulls[0]!.body).toContain('`cli:ops-ana`');
    const edited = parse(gh.state.readFile(REPO, 'rp9/promote/soylent', 'tenants/soylent.yaml')!);
    const platform = parse(gh.state.readFile(REPO, 'main', 'platform.yaml')!);
    expect(edited.spec.mode).toBe('dedicated');
    expect(edited.spec.promotion).toEqual({ window: report.window, ttlMinutes: platform.spec.policies.promotion.ttlMinutes, reason: 'Customer moved to Enterprise' });
    expect(parse(gh.state.readFile(REPO, 'main', 'tenants/soylent.yaml')!).spec.mode).toBe('shared');

    const again = await rp9(['tenant', 'promote', 'soylent', '--window', '2099-01-02T22:00:00Z']);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`Promotion pull request #${pulls[0]!.number} updated in place`);
    expect(again.out).toContain('+    window: "2099-01-02T22:00:00Z"');
    expect(gh.state.repo(REPO).pulls.size).toBe(1);
    expect(parse(gh.state.readFile(REPO, 'rp9/promote/soylent', 'tenants/soylent.yaml')!).spec.promotion).toMatchObject({ window: '2099-01-02T22:00:00Z', reason: 'Manual promotion requested by cli:ops-ana' });

    const same = await rp9(['tenant', 'promote', 'soylent', '--window', '2099-01-02T22:00:00Z', '-o', 'json']);
    expect(JSON.parse(same.out).pullRequest.action).toBe('unchanged');
  });

  it('schedules at the next maintenance window by default', async () => {
    const result = await rp9(['tenant', 'promote', 'hooli', '-o', 'json']);
    expect(result.code).toBe(0);
    const window = JSON.parse(result.out).window as string;
    expect(window).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    expect(Date.parse(window)).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it('refuses a dedicated or unknown tenant (exit 1) and opens nothing', async () => {
    const dedicated = await rp9(['tenant', 'promote', 'acme']);
    const unknown = await rp9(['tenant', 'promote', 'nobody', '-o', 'json']);
    expect(dedicated.code).toBe(1);
    expect(dedicated.out).toContain('Refused [tenant-promote.not-shared]: tenant acme is already mode: dedicated on main');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out).refused.code).toBe('tenant-pr.unknown-tenant');
    expect(gh.state.repo(REPO).pulls.size).toBe(0);
  });

  it('exits 2 on bad usage and without GitHub credentials', async () => {
    const badWindow = await rp9(['tenant', 'promote', 'soylent', '--window', 'tomorrow']);
    const past = await rp9(['tenant', 'promote', 'soylent', '--window', '2020-01-01T00:00:00Z']);
    env = { RP9_LOG_LEVEL: 'error' };
    const noForge = await rp9(['tenant', 'promote', 'soylent']);
    expect([badWindow.code, past.code, noForge.code]).toEqual([2, 2, 2]);
    expect(badWindow.err).toContain('--window must be "now" or an RFC 3339 time');
    expect(past.err).toContain('is in the past; use --window now');
    expect(noForge.err).toContain('[bots.no-forge]');
    expect(gh.state.repo(REPO).pulls.size).toBe(0);
  });
});

describe('windowOption', () => {
  const now = new Date('2026-12-06T08:00:00Z');
  it.each([
    [undefined, { kind: 'next' }],
    ['now', { kind: 'now' }],
    ['2026-12-06T22:00:00Z', { kind: 'at', at: new Date('2026-12-06T22:00:00Z') }],
    ['2026-12-06T23:00:00+01:00', { kind: 'at', at: new Date('2026-12-06T22:00:00Z') }],
  ])('%s', (raw, expected) => {
    expect(windowOption(raw, now)).toEqual(expected);
  });
  it.each(['2026-12-06 22:00', '2026-12-06T22:00:00', 'soon', '2026-12-06T07:00:00Z'])('rejects %s', (raw) => {
    expect(() => windowOption(raw, now)).toThrow(/--window/);
  });
});

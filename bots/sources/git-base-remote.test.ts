import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { tenantYaml } from '../core/fixtures.js';
import { gitBaseFromApi } from './env.js';
import { readLocalGitBase, readRemoteGitBase } from './git-base-remote.js';

const PLATFORM = readFileSync(new URL('../../platform.yaml', import.meta.url), 'utf8');
const RESOURCES = ['spec', 'resources'] as const;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-10T08:00:00Z');
const tenant = (name: string, cpu: number, label = 'a') => tenantYaml(name, ['plan: pro', 'mode: dedicated', `resources: { cpu: ${cpu} }`], [`labels: { team: ${label} }`]);

let gh: GitHubServer;
let cache: string;
let clock = T0;
const url = () => `${gitBaseFromApi(gh.url)}/acme/config.git`;

beforeEach(async () => {
  clock = T0;
  const files: Record<string, string> = { 'platform.yaml': PLATFORM };
  for (let i = 0; i < 30; i += 1) files[`tenants/t${i}.yaml`] = tenant(`t${i}`, 2);
  gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files }], now: () => clock });
  cache = await mkdtemp(join(tmpdir(), 'rp9-git-base-remote-'));
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
  await gh.stop();
});

describe('readRemoteGitBase', () => {
  it('reads every tenant file with one git fetch and no REST request', async () => {
    const { base } = await readRemoteGitBase({ url: url(), branch: 'main', token: 'test-token', cacheDir: cache });

    expect(base.sha).toBe(gh.state.repo('acme/config').refs.get('refs/heads/main'));
    expect(base.config.tenants).toHaveLength(30);
    expect(base.readFile('tenants/t7.yaml')).toBe(tenant('t7', 2));
    expect(gh.state.requests).toEqual([]);
    // isomorphic-git asks without credentials first, then with them after the 401.
    expect(gh.state.gitRequests).toEqual([
      { endpoint: 'info/refs?service=git-upload-pack', status: 401 },
      { endpoint: 'info/refs?service=git-upload-pack', status: 200 },
      { endpoint: 'git-upload-pack', status: 200 },
    ]);
  });

  it('answers the cooldown question from the fetched commits: only a commit that changed the field counts', async () => {
    clock = T0 + 1 * HOUR;
    gh.state.commit('acme/config', { files: { 'tenants/t1.yaml': tenant('t1', 3) }, message: 'scale t1' });
    clock = T0 + 2 * HOUR;
    gh.state.commit('acme/config', { files: { 'tenants/t1.yaml': tenant('t1', 3, 'b'), 'tenants/t2.yaml': tenant('t2', 2, 'b') }, message: 'relabel' });

    const { history } = await readRemoteGitBase({ url: url(), branch: 'main', token: 'test-token', cacheDir: cache });

    const since = new Date(T0 + 30 * 60_000);
    expect(await history!.lastChangeAt('tenants/t1.yaml', RESOURCES, since)).toEqual(new Date(T0 + 1 * HOUR));
    expect(await history!.lastChangeAt('tenants/t2.yaml', RESOURCES, since)).toBeUndefined();
    expect(await history!.lastChangeAt('tenants/t2.yaml', ['metadata', 'labels'], since)).toEqual(new Date(T0 + 2 * HOUR));
    expect(await history!.lastChangeAt('tenants/t1.yaml', RESOURCES, new Date(T0 + 90 * 60_000))).toBeUndefined();
    expect(gh.state.requests).toEqual([]);
  });

  it('fetches only what is new on the next run', async () => {
    await readRemoteGitBase({ url: url(), branch: 'main', token: 'test-token', cacheDir: cache });
    gh.state.commit('acme/config', { files: { 'tenants/t3.yaml': tenant('t3', 4) }, message: 'scale t3' });

    const { base } = await readRemoteGitBase({ url: url(), branch: 'main', token: 'test-token', cacheDir: cache });

    expect(base.readFile('tenants/t3.yaml')).toBe(tenant('t3', 4));
    expect(gh.state.gitRequests.filter((r) => r.status === 200)).toHaveLength(4);
  });

  it('names a refused token and a missing branch with their codes', async () => {
    await expect(readRemoteGitBase({ url: url(), branch: 'main', token: 'wrong', cacheDir: cache })).rejects.toMatchObject({ code: 'sources.github-auth' });
    await expect(readRemoteGitBase({ url: url(), branch: 'live', token: 'test-token', cacheDir: cache })).rejects.toMatchObject({ code: 'sources.branch-missing', message: expect.stringContaining('live') });
  });
});

describe('readLocalGitBase', () => {
  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' } });
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp9-local-base-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function write(files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, 'config', path, '..'), { recursive: true });
      await writeFile(join(dir, 'config', path), text);
    }
  }

  it('reads the history of the checkout the directory lies in, from its HEAD', async () => {
    git(dir, 'init', '--quiet', '-b', 'main');
    await write({ 'platform.yaml': PLATFORM, 'tenants/t1.yaml': tenant('t1', 2) });
    git(dir, 'add', '.');
    git(dir, 'commit', '--quiet', '-m', 'base', '--date', '2026-03-10T08:00:00Z');
    await write({ 'tenants/t1.yaml': tenant('t1', 3) });
    git(dir, 'commit', '--quiet', '-am', 'scale');
    const committed = new Date(Number(git(dir, 'log', '-1', '--format=%ct').toString().trim()) * 1000);

    const { base, history } = await readLocalGitBase(join(dir, 'config'), 'main');

    expect(base.readFile('tenants/t1.yaml')).toBe(tenant('t1', 3));
    expect(await history!.lastChangeAt('tenants/t1.yaml', RESOURCES, new Date(committed.getTime() - HOUR))).toEqual(committed);
  });

  it('has no history for a directory outside any repository', async () => {
    await write({ 'platform.yaml': PLATFORM });

    expect((await readLocalGitBase(join(dir, 'config'), 'main')).history).toBeUndefined();
  });
});

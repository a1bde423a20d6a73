import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../edges/forge/index.js';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { readBaseConfig } from './base-config.js';
import { createGitHubReader } from './github-reader.js';
import { createForgeHistory } from './history.js';

const tenant = (cpu: number, label = 'a') => `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: acme\n  labels: { team: ${label} }\nspec:\n  resources: { cpu: ${cpu} }\n`;
let gh: GitHubServer;
let clock = Date.parse('2030-01-01T00:00:00Z');

beforeEach(async () => {
  gh = await startGitHubServer({ now: () => clock, repos: [{ owner: 'acme', name: 'config', files: { 'platform.yaml': 'p: 1\n', 'tenants/acme.yaml': tenant(2), 'tenants/README.md': 'not config\n' } }] });
});
afterEach(() => gh.stop());

const reader = () => createGitHubReader({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });

describe('createGitHubReader', () => {
  it('reads the base branch\'s config files with their blob ids', async () => {
    const base = await readBaseConfig(reader(), 'main');

    expect(base.sha).toBe(gh.state.repo('acme/config').refs.get('refs/heads/main'));
    expect(base.files.platform?.path).toBe('platform.yaml');
    expect(base.files.tenants.map((f) => [f.path, f.oid?.length])).toEqual([['tenants/acme.yaml', 40]]);
    expect(base.readFile('tenants/acme.yaml')).toBe(tenant(2));
    expect(base.readFile('tenants/README.md')).toBeUndefined();
  });

  it('reads one file at a commit, and nothing for a missing path', async () => {
    const sha = gh.state.repo('acme/config').refs.get('refs/heads/main')!;

    expect(await reader().fileAt(sha, 'tenants/acme.yaml')).toBe(tenant(2));
    expect(await reader().fileAt(sha, 'tenants/ghost.yaml')).toBeUndefined();
    expect(await reader().parentsOf(sha)).toEqual([]);
  });

  it('fails with stable codes for a missing branch and bad credentials', async () => {
    await expect(reader().headOf('nope')).rejects.toMatchObject({ code: 'sources.branch-missing' });
    await expect(createGitHubReader({ owner: 'acme', repo: 'config', auth: { token: 'wrong' }, baseUrl: gh.url }).headOf('main')).rejects.toMatchObject({ code: 'sources.github-auth' });
  });
});

describe('createForgeHistory', () => {
  it('with file contents, counts only commits that changed the field; without, any commit touching the file', async () => {
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    clock += 3_600_000;
    gh.state.commit('acme/config', { files: { 'tenants/acme.yaml': tenant(3) }, message: 'more cpu' });
    clock += 600_000;
    gh.state.commit('acme/config', { files: { 'tenants/acme.yaml': tenant(3, 'b') }, message: 'relabel' });
    const since = new Date(Date.parse('2030-01-01T00:30:00Z'));

    const precise = await createForgeHistory(forge, 'main', reader()).lastChangeAt('tenants/acme.yaml', ['spec', 'resources'], since);
    const coarse = await createForgeHistory(forge, 'main').lastChangeAt('tenants/acme.yaml', ['spec', 'resources'], since);
    const labels = await createForgeHistory(forge, 'main', reader()).lastChangeAt('tenants/acme.yaml', ['metadata', 'labels'], since);
    const none = await createForgeHistory(forge, 'main', reader()).lastChangeAt('tenants/acme.yaml', ['spec', 'n8n'], since);

    expect(precise?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(coarse?.toISOString()).toBe('2030-01-01T01:10:00.000Z');
    expect(labels?.toISOString()).toBe('2030-01-01T01:10:00.000Z');
    expect(none).toBeUndefined();
  });
});

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { loadConfig } from '../../config/load-config.js';
import { createGitHubForge } from '../../edges/forge/github-forge.js';
import { parsePullRequestMarker } from '../../edges/forge/markers.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Operation, StepStatus } from '../store/types.js';
import { REVERT_BOT, revertEdit, revertPrBody, revertPrOpener } from './revert-pr.js';

const REPO = 'acme/config';
const FILE = 'tenants/upg.yaml';
const TENANT_FILE = `apiVersion: rp9.io/v1
kind: Tenant
metadata: { name: upg, email: ops@upg.example }
spec:
  plan: starter
  mode: dedicated
  region: us-east
  subdomain: upg
  # pinned by the upgrades bot
  n8n: { version: "2.41.1" }
`;
const STEPS = ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'];

function failedUpgrade(status: 'rolled-back' | 'failed', failedAt = 'gate'): Operation {
  const at = new Date('2026-12-06T00:00:00Z');
  const index = STEPS.indexOf(failedAt);
  const stepStatus = (i: number): StepStatus => (i < index ? 'rolled-back' : i === index ? 'rolled-back' : 'pending');
  return {
    id: 'op-upg-1',
    tenant: 'upg',
    kind: 'upgrade',
    status,
    steps: STEPS.map((name, i) => ({ name, status: stepStatus(i), startedAt: at, finishedAt: at, error: i === index ? '[upgrade.gate-failed] blue main exited 1' : null })) as Operation['steps'],
    currentStep: index,
    state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', backupId: 'upg-pre-upgrade-1' },
    error: '[upgrade.gate-failed] blue main exited 1',
    startedAt: at,
    updatedAt: at,
    finishedAt: at,
  };
}

async function goodConfig(commit: string): Promise<GoodConfig> {
  const loaded = loadConfig({
    platform: { path: 'platform.yaml', bytes: await readFile(new URL('../../platform.yaml', import.meta.url)) },
    tenants: [{ path: FILE, bytes: new TextEncoder().encode(TENANT_FILE) }],
    problems: [],
  });
  if (!loaded.platform) throw new Error(JSON.stringify(loaded.diagnostics));
  return { commit, platform: loaded.platform, config: loaded };
}

describe('revertEdit', () => {
  it.each([
    ['a pinned version (flow map, comment kept)', TENANT_FILE, /n8n: \{ version: "?1\.123\.81"? \}/],
    ['no spec.n8n (the platform default): pins the old version', 'spec:\n  plan: starter\n', /n8n:\n\s+version: 1\.123\.81/],
  ])('%s', (_name, text, expected) => {
    const edited = revertEdit(text, FILE, '1.123.81');
    expect(edited).toMatch(expected);
    if (text.includes('#')) expect(edited).toContain('# pinned by the upgrades bot');
  });

  it('refuses a file it cannot parse, naming the file', () => {
    expect(() => revertEdit('spec: [', FILE, '1.123.81')).toThrow(expect.objectContaining({ code: 'upgrade.revert-edit-failed', message: expect.stringContaining(FILE) }));
  });
});

describe('the revert PR of a failed upgrade, through the forge (GitHub contract server)', () => {
  let gh: GitHubServer;
  beforeEach(async () => {
    gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: { [FILE]: TENANT_FILE } }] });
  });
  afterEach(async () => {
    await gh.stop();
  });

  it('opens one PR that sets spec.n8n.version back, with the failure in its body; a second call changes nothing', async () => {
    // Arrange
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    const head = gh.state.repo(REPO).refs.get('refs/heads/main') as string;
    const good = await goodConfig(head);
    const open = revertPrOpener({ forge, baseBranch: 'main', config: () => good, files: async () => ({ platform: undefined, tenants: [{ path: FILE, bytes: new TextEncoder().encode(TENANT_FILE) }], problems: [] }) });

    // Act
    const said = await open(failedUpgrade('rolled-back'));
    const pullsAfterFirst = [...gh.state.repo(REPO).pulls.values()];
    const branchAfterFirst = gh.state.repo(REPO).refs.get(`refs/heads/rp9/${REVERT_BOT}/upg`);
    const again = await open(failedUpgrade('rolled-back'));

    // Assert
    expect(pullsAfterFirst).toHaveLength(1);
    const [pull] = pullsAfterFirst;
    expect(said).toBe(`revert PR #${pull!.number} (${gh.url}/_web/acme/config/pull/${pull!.number}) sets the version back to 1.123.81`);
    expect(pull!.title).toBe('upg: n8n upgrade to 2.41.1 failed, back to 1.123.81');
    expect(pull!.body).toContain('`op-upg-1`');
    expect(pull!.body).toContain('Failed at step: `gate`');
    expect(pull!.body).toContain('[upgrade.gate-failed] blue main exited 1');
    expect(parsePullRequestMarker(pull!.body)).toMatchObject({ bot: REVERT_BOT, tenant: 'upg' });
    expect(pull!.labels).toEqual(['rp9', 'upgrade']);
    const edited = gh.state.readFile(REPO, `rp9/${REVERT_BOT}/upg`, FILE);
    expect(edited).toMatch(/version: "?1\.123\.81"?/);
    expect(edited).not.toContain('2.41.1');
    expect(gh.state.readFile(REPO, 'main', FILE)).toBe(TENANT_FILE);
    expect(again).toBe(said);
    expect([...gh.state.repo(REPO).pulls.values()]).toHaveLength(1);
    expect(gh.state.repo(REPO).refs.get(`refs/heads/rp9/${REVERT_BOT}/upg`)).toBe(branchAfterFirst);
  });

  it('says why when the tenant is not in the config in force (no PR)', async () => {
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    const open = revertPrOpener({ forge, baseBranch: 'main', config: () => undefined, files: async () => ({ platform: undefined, tenants: [], problems: [] }) });
    await expect(open(failedUpgrade('failed'))).rejects.toMatchObject({ code: 'upgrade.revert-pr-failed' });
    expect(gh.state.repo(REPO).pulls.size).toBe(0);
  });
});

describe('revertPrBody', () => {
  it('a rollback on request says who asked and what blue wrote since the swap (lost)', () => {
    const op = {
      id: 'op-9', tenant: 'upg', kind: 'upgrade', status: 'rolled-back', currentStep: 5, error: '[upgrade.rollback-requested] rollback to green requested by api:ops at step watch',
      steps: [{ name: 'watch', status: 'rolled-back' as StepStatus, startedAt: null, finishedAt: null, error: '[upgrade.rollback-requested] …' }],
      state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue', swappedAt: '2026-12-06T10:00:00Z', rollbackRequest: { by: 'api:ops' }, lostOnBlue: { executions: 2, failedExecutions: 0, changes: [] } },
      startedAt: new Date(0), updatedAt: new Date(0), finishedAt: new Date(0),
    } as Operation;

    const body = revertPrBody(op);

    expect(body).toContain('was rolled back on request of api:ops.');
    expect(body).toContain("- What blue wrote: blue served the tenant between the swap and the rollback; green's database is as it was at the swap, so what blue wrote is lost with blue's database: 2 executions and no workflow or credential edits");
  });
});

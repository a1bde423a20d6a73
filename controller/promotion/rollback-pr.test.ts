import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { changedFields, checkOwnership } from '../../bots/core/ownership.js';
import { parseBotBranch } from '../../bots/runner/check-pr.js';
import { loadConfig } from '../../config/load-config.js';
import { createGitHubForge } from '../../edges/forge/github-forge.js';
import { parsePullRequestMarker } from '../../edges/forge/markers.js';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import type { Operation } from '../store/types.js';
import { retryWindow, ROLLBACK_BOT, rollbackEdit, rollbackPrBody, rollbackPrOpener } from './rollback-pr.js';

const UMBRELLA = `apiVersion: rp9.io/v1
kind: Tenant
metadata:
  name: umbrella
spec:
  plan: enterprise
  # moving
  mode: dedicated
  subdomain: umbrella
  promotion:
    window: "2026-12-05T22:00:00Z"
    ttlMinutes: 10
  billing: { stripeCustomerId: cus_Umbrella9 }
`;

describe('rollbackEdit', () => {
  it('sets mode shared and removes spec.promotion, keeping comments and the rest', () => {
    expect(rollbackEdit(UMBRELLA, 'tenants/umbrella.yaml')).toBe(`apiVersion: rp9.io/v1
kind: Tenant
metadata:
  name: umbrella
spec:
  plan: enterprise
  # moving
  mode: shared
  subdomain: umbrella
  billing: { stripeCustomerId: cus_Umbrella9 }
`);
  });
  it('removes the dedicated-only fields too, so the edited file of a tenant that has them validates and passes check-pr', async () => {
    const platform = { path: 'platform.yaml', bytes: new Uint8Array(await readFile(new URL('../../platform.yaml', import.meta.url))) };
    const validate = (text: string) => loadConfig({ platform, tenants: [{ path: 'tenants/umbrella.yaml', bytes: new TextEncoder().encode(text) }], problems: [] }).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    const dedicated = UMBRELLA.replace('name: umbrella', 'name: umbrella\n  email: ops@umbrella.example').replace('plan: enterprise', 'plan: pro\n  region: us-east')
      .replace('  billing:', '  customDomains: [automations.umbrella.example]\n  n8n: { version: "2.41.1" }\n  resources: { cpu: 2, memoryMb: 4096, workers: 2, storageGb: 20 }\n  throttle: { reason: \"over limit\", limit: executionsMonthly, requestsPerMinute: 600, burst: 50, concurrency: 4 }\n  billing:');
    expect(validate(dedicated)).toEqual([]);

    const edited = rollbackEdit(dedicated, 'tenants/umbrella.yaml');

    expect(validate(edited)).toEqual([]);
    const spec = parse(edited).spec;
    expect(spec.mode).toBe('shared');
    expect(spec).not.toHaveProperty('promotion');
    expect(spec).not.toHaveProperty('customDomains');
    expect(spec).not.toHaveProperty('n8n');
    expect(spec).not.toHaveProperty('resources');
    expect(spec.throttle).toEqual({ reason: 'over limit', limit: 'executionsMonthly', requestsPerMinute: 600, burst: 50 });
    expect(edited).toContain('# moving');
    expect(checkOwnership(parseBotBranch(`rp9/${ROLLBACK_BOT}/umbrella`)!.bot, changedFields(dedicated, edited))).toEqual([]);
  });
  it('refuses a file it cannot parse, naming it', () => {
    expect(() => rollbackEdit('spec: [', 'tenants/x.yaml')).toThrow(/tenants\/x.yaml: cannot edit/);
  });
});

describe('retryWindow', () => {
  it.each([
    ['2026-12-05T22:07:30.000Z', '2026-12-06T23:00:00Z'],
    ['2026-12-05T22:00:00.000Z', '2026-12-06T22:00:00Z'],
    ['2026-12-31T23:59:59.999Z', '2027-01-02T00:00:00Z'],
  ])('failed at %s: the move is rescheduled to %s', (failedAt, window) => {
    expect(retryWindow(new Date(failedAt))).toEqual({ window });
  });
});

describe('rollbackPrBody', () => {
  it('names the operation, the failed step and the error', () => {
    const op = {
      id: 'op-1', tenant: 'umbrella', kind: 'promotion', status: 'rolled-back', currentStep: 0, state: {}, error: '[promotion.freeze-expired] too long',
      steps: [{ name: 'verify', status: 'rolled-back', startedAt: null, finishedAt: null, error: '[promotion.freeze-expired] too long' }],
      startedAt: new Date(), updatedAt: new Date(), finishedAt: new Date(),
    } as Operation;
    const body = rollbackPrBody(op);
    expect(body).toContain('`op-1`');
    expect(body).toContain('Failed at step: `verify`');
    expect(body).toContain('[promotion.freeze-expired] too long');
  });
});

describe('the rollback PR of a failed promotion, through the forge (GitHub contract server)', () => {
  const REPO = 'acme/config';
  const FILE = 'tenants/umbrella.yaml';
  const ENTERPRISE = UMBRELLA.replace('name: umbrella', 'name: umbrella\n  email: ops@umbrella.example').replace('plan: enterprise', 'plan: enterprise\n  region: us-east');
  const TENANT = ENTERPRISE.replace('plan: enterprise', 'plan: pro');
  let gh: GitHubServer;
  beforeEach(async () => {
    gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files: { [FILE]: TENANT } }] });
  });
  afterEach(async () => {
    await gh.stop();
  });
  function failed(id: string, error: string): Operation {
    return {
      id, tenant: 'umbrella', kind: 'promotion', status: 'rolled-back', currentStep: 0, state: {}, error,
      steps: [{ name: 'import', status: 'rolled-back', startedAt: null, finishedAt: null, error }],
      startedAt: new Date(), updatedAt: new Date(), finishedAt: new Date(),
    } as Operation;
  }

  it('opens one PR per tenant (mode: shared, no spec.promotion, the failure in its body); a later failure updates it', async () => {
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    const head = gh.state.repo(REPO).refs.get('refs/heads/main') as string;
    const platform = { path: 'platform.yaml', bytes: new Uint8Array(await readFile(new URL('../../platform.yaml', import.meta.url))) };
    const loaded = loadConfig({ platform, tenants: [{ path: FILE, bytes: new TextEncoder().encode(TENANT) }], problems: [] });
    expect(loaded.tenants.map((t) => t.name)).toEqual(['umbrella']);
    const open = rollbackPrOpener({ forge, baseBranch: 'main', config: () => ({ commit: head, platform: loaded.platform!, config: loaded }), files: async () => ({ platform: undefined, tenants: [{ path: FILE, bytes: new TextEncoder().encode(TENANT) }], problems: [] }) });

    const said = await open(failed('op-1', '[n8n.cli-failed] import:credentials exited 1'));
    const pulls = [...gh.state.repo(REPO).pulls.values()];
    expect(pulls).toHaveLength(1);
    expect(said).toBe(`rollback PR #${pulls[0]!.number} (${gh.url}/_web/acme/config/pull/${pulls[0]!.number}) sets umbrella back to mode: shared`);
    expect(pulls[0]!.body).toContain('`op-1`');
    expect(pulls[0]!.body).toContain('[n8n.cli-failed] import:credentials exited 1');
    expect(parsePullRequestMarker(pulls[0]!.body)).toMatchObject({ bot: ROLLBACK_BOT, tenant: 'umbrella' });
    const edited = gh.state.readFile(REPO, `rp9/${ROLLBACK_BOT}/umbrella`, FILE)!;
    expect(edited).toContain('mode: shared');
    expect(edited).not.toContain('promotion');
    expect(edited).toContain('# moving');
    expect(gh.state.readFile(REPO, 'main', FILE)).toBe(TENANT);

    await open(failed('op-2', '[promotion.freeze-expired] too long'));
    const again = [...gh.state.repo(REPO).pulls.values()];
    expect(again).toHaveLength(1);
    expect(again[0]!.body).toContain('`op-2`');
    expect(again[0]!.body).toContain('[promotion.freeze-expired] too long');
  });

  it('reschedules the move instead when the plan requires dedicated (enterprise): the edited file validates', async () => {
    gh.state.commit(REPO, { files: { [FILE]: ENTERPRISE }, message: 'enterprise' });
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    const head = gh.state.repo(REPO).refs.get('refs/heads/main') as string;
    const platform = { path: 'platform.yaml', bytes: new Uint8Array(await readFile(new URL('../../platform.yaml', import.meta.url))) };
    const validate = (text: string) => loadConfig({ platform, tenants: [{ path: FILE, bytes: new TextEncoder().encode(text) }], problems: [] });
    const loaded = validate(ENTERPRISE);
    expect(loaded.platform?.spec.plans.enterprise?.requiresDedicated).toBe(true);
    const open = rollbackPrOpener({ forge, baseBranch: 'main', config: () => ({ commit: head, platform: loaded.platform!, config: loaded }), files: async () => ({ platform: undefined, tenants: [{ path: FILE, bytes: new TextEncoder().encode(ENTERPRISE) }], problems: [] }) });
    const op = { ...failed('op-9', '[promotion.freeze-expired] too long'), finishedAt: new Date('2026-12-05T22:07:30Z') };

    const said = await open(op);

    const [pull] = [...gh.state.repo(REPO).pulls.values()];
    expect(said).toBe(`rollback PR #${pull!.number} (${gh.url}/_web/acme/config/pull/${pull!.number}) reschedules umbrella's move to 2026-12-06T23:00:00Z (plan enterprise requires dedicated)`);
    expect(pull!.title).toBe('umbrella: promotion failed, move rescheduled');
    expect(pull!.body).toContain('requires dedicated infrastructure');
    const edited = gh.state.readFile(REPO, `rp9/${ROLLBACK_BOT}/umbrella`, FILE)!;
    expect(edited).toBe(ENTERPRISE.replace('window: "2026-12-05T22:00:00Z"', 'window: "2026-12-06T23:00:00Z"'));
    expect(validate(edited).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Back to shared would not validate for this plan: why the PR reschedules.
    expect(validate(rollbackEdit(ENTERPRISE, FILE)).diagnostics.map((d) => d.code)).toContain('tenant.enterprise-requires-dedicated');
    expect(checkOwnership(parseBotBranch(`rp9/${ROLLBACK_BOT}/umbrella`)!.bot, changedFields(ENTERPRISE, edited))).toEqual([]);
  });

  it('says why when the tenant is not in the config in force (no PR)', async () => {
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: gh.url });
    const open = rollbackPrOpener({ forge, baseBranch: 'main', config: () => undefined, files: async () => ({ platform: undefined, tenants: [], problems: [] }) });
    await expect(open(failed('op-1', 'x'))).rejects.toMatchObject({ code: 'promotion.rollback-pr-failed' });
    expect(gh.state.repo(REPO).pulls.size).toBe(0);
  });
});

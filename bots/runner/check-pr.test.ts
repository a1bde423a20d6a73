import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigFiles } from '../../config/types.js';
import { tenantYaml } from '../core/fixtures.js';
import { loadConfig } from '../../config/load-config.js';
import { checkBotOwnership, checkPullRequest, parseBotBranch, planBaseToHead } from './check-pr.js';
import { checkFailed, renderCheckMarkdown } from './check-pr-render.js';
import { REVERT_BOT, revertEdit } from '../../controller/upgrades/revert-pr.js';
import type { BranchOwner } from '../core/ownership.js';

const platformText = readFileSync(new URL('../../platform.yaml', import.meta.url), 'utf8');
const acme = (cpu: number, plan = 'pro') => tenantYaml('acme', [`plan: ${plan}`, 'mode: dedicated', `resources: { cpu: ${cpu}, workers: 2 }`]);

function files(tenants: Record<string, string>): ConfigFiles {
  const bytes = (text: string) => new Uint8Array(Buffer.from(text));
  return { platform: { path: 'platform.yaml', bytes: bytes(platformText) }, tenants: Object.entries(tenants).map(([name, text]) => ({ path: `tenants/${name}.yaml`, bytes: bytes(text) })), problems: [] };
}

describe('parseBotBranch', () => {
  it.each([
    ['rp9/autoscale/acme', { bot: 'autoscale', tenant: 'acme' }],
    ['rp9/stripe-sync/acme-eu', { bot: 'stripe-sync', tenant: 'acme-eu' }],
    ['rp9/promote/soylent', { bot: 'promote', tenant: 'soylent' }],
    ['rp9/failover/acme', { bot: 'failover', tenant: 'acme' }],
    ['rp9/promotion-rollback/umbrella', { bot: 'promotion-rollback', tenant: 'umbrella' }],
    ['rp9/upgrade-revert/acme', { bot: 'upgrade-revert', tenant: 'acme' }],
    ['rp9/api-create/newco', { bot: 'api-create', tenant: 'newco' }],
    ['rp9/api-scale/acme', { bot: 'api-scale', tenant: 'acme' }],
    ['rp9/api-promote/soylent', { bot: 'api-promote', tenant: 'soylent' }],
    ['rp9/api-upgrade/acme', { bot: 'api-upgrade', tenant: 'acme' }],
    ['feature/bigger-acme', undefined],
    ['rp9/autoscale', undefined],
    [undefined, undefined],
  ])('%s → %j', (branch, expected) => {
    expect(parseBotBranch(branch)).toEqual(expected);
  });

  it('refuses an rp9/ branch of no known bot', () => {
    expect(() => parseBotBranch('rp9/janitor/acme')).toThrow(/names no known bot/);
    expect(() => parseBotBranch('rp9/constructor/acme')).toThrow(/names no known bot/);
    expect(() => parseBotBranch('rp9/api-delete/acme')).toThrow(/names no known bot/);
  });

  it('knows the branch the controller names its upgrade revert PR', () => {
    expect(parseBotBranch(`rp9/${REVERT_BOT}/acme`)).toEqual({ bot: REVERT_BOT, tenant: 'acme' });
  });
});

describe('checkBotOwnership', () => {
  const bot = { bot: 'autoscale' as const, tenant: 'acme' };

  it.each([
    ['its own field', { acme: acme(3) }, ['tenants/acme.yaml'], []],
    // tenantYaml puts `plan:` on line 9, indented two spaces under `spec:`.
    ['a field it does not own', { acme: acme(2, 'enterprise') }, ['tenants/acme.yaml'], [['bots.field-not-owned', 'tenants/acme.yaml', 'spec.plan', 9, 3]]],
    ['another file', { acme: acme(3) }, ['tenants/acme.yaml', 'README.md'], [['bots.file-not-owned', 'README.md', '', 1, 1]]],
  ])('judges a change to %s, pointing at the line and column of the field', (_name, head, changed, expected) => {
    const problems = checkBotOwnership({ base: files({ acme: acme(2) }), head: files(head), changedPaths: changed }, bot);

    expect(problems.map((p) => [p.code, p.file, p.field, p.line, p.column])).toEqual(expected);
  });

  it('points a removed field at its nearest parent that is left', () => {
    const removed = acme(2).replace(/^ {2}plan: .*\n/m, '');

    const problems = checkBotOwnership({ base: files({ acme: acme(2) }), head: files({ acme: removed }), changedPaths: ['tenants/acme.yaml'] }, bot);

    expect(problems.map((p) => [p.field, p.line, p.column])).toEqual([['spec.plan', 6, 1]]);
  });

  it('refuses creating or deleting the tenant file', () => {
    const created = checkBotOwnership({ base: files({}), head: files({ acme: acme(2) }), changedPaths: ['tenants/acme.yaml'] }, bot);
    const deleted = checkBotOwnership({ base: files({ acme: acme(2) }), head: files({}), changedPaths: ['tenants/acme.yaml'] }, bot);

    expect(created.map((p) => p.message)).toEqual(['autoscale may not create tenants/acme.yaml']);
    expect(deleted.map((p) => p.message)).toEqual(['autoscale may not delete tenants/acme.yaml']);
  });
});

describe("checkBotOwnership of rp9's own branches", () => {
  const dedicated = (lines: string[] = []) => tenantYaml('acme', ['plan: pro', 'mode: dedicated', 'n8n: { version: "2.40.0" }', 'resources: { cpu: 2, workers: 2 }', ...lines]);
  const revert = (text: string) => revertEdit(text, 'tenants/acme.yaml', '2.39.0');

  it.each<[string, BranchOwner, Record<string, string>, Record<string, string>, string[]]>([
    ['the upgrade revert PR', 'upgrade-revert', { acme: dedicated() }, { acme: revert(dedicated()) }, []],
    ['the upgrade revert branch changing resources too', 'upgrade-revert', { acme: dedicated() }, { acme: revert(dedicated()).replace('cpu: 2', 'cpu: 3') }, ['bots.field-not-owned spec.resources.cpu']],
    ['the API scaling', 'api-scale', { acme: dedicated() }, { acme: dedicated().replace('workers: 2', 'workers: 3') }, []],
    ['the API scaling and changing the plan', 'api-scale', { acme: dedicated() }, { acme: dedicated().replace('workers: 2', 'workers: 3').replace('plan: pro', 'plan: enterprise') }, ['bots.field-not-owned spec.plan']],
    ['the API promoting', 'api-promote', { acme: acme(2).replace('mode: dedicated', 'mode: shared') }, { acme: acme(2).replace('mode: dedicated', 'mode: dedicated\n  promotion: { window: "2026-12-12T22:00Z/2026-12-13T02:00Z", ttlMinutes: 30 }') }, []],
    ['the API upgrading', 'api-upgrade', { acme: dedicated() }, { acme: dedicated().replace('2.40.0', '2.41.1') }, []],
    ['the API upgrading and adding a domain', 'api-upgrade', { acme: dedicated() }, { acme: dedicated(['customDomains: [n8n.acme.example]']).replace('2.40.0', '2.41.1') }, ['bots.field-not-owned spec.customDomains[0]']],
    ['the API creating a tenant', 'api-create', {}, { acme: dedicated() }, []],
    ['the API create branch changing an existing tenant', 'api-create', { acme: dedicated() }, { acme: dedicated().replace('plan: pro', 'plan: enterprise') }, ['bots.field-not-owned spec.plan']],
    ['the API create branch deleting its tenant', 'api-create', { acme: dedicated() }, {}, ['bots.file-not-owned ']],
    ['the revert branch creating a tenant', 'upgrade-revert', {}, { acme: dedicated() }, ['bots.file-not-owned ']],
  ])('%s', (_name, owner, base, head, expected) => {
    const problems = checkBotOwnership({ base: files(base), head: files(head), changedPaths: ['tenants/acme.yaml'] }, { bot: owner, tenant: 'acme' });

    expect(problems.map((p) => `${p.code} ${p.field}`)).toEqual(expected);
  });

  it('lets api-create add only its own tenant file', () => {
    const problems = checkBotOwnership({ base: files({}), head: files({ acme: dedicated(), globex: tenantYaml('globex', ['plan: pro']) }), changedPaths: ['tenants/acme.yaml', 'tenants/globex.yaml'] }, { bot: 'api-create', tenant: 'acme' });

    expect(problems.map((p) => `${p.code} ${p.file}`)).toEqual(['bots.file-not-owned tenants/globex.yaml']);
  });
});

describe('checkPullRequest', () => {
  it('plans base → head: an in-place cpu update without downtime', () => {
    const result = checkPullRequest({ base: files({ acme: acme(2) }), head: files({ acme: acme(3) }), changedPaths: [] });

    expect(checkFailed(result)).toBe(false);
    expect(result.plan?.tenants.flatMap((t) => t.actions.map((a) => `${a.op} ${a.name}`))).toEqual(['update rp9-acme-main', 'update rp9-acme-worker-1', 'update rp9-acme-worker-2']);
    expect(renderCheckMarkdown(result)).toContain('no action causes downtime');
  });

  it('the PR comment shows a downtime change of a tenant with windows as Pending (window opens …), each action at window', () => {
    const windowed = (version: string) => tenantYaml('acme', ['plan: pro', 'mode: dedicated', `n8n: { version: "${version}" }`, 'resources: { cpu: 2, workers: 1 }', 'maintenance: { windows: [{ weekdays: [6], startHourUtc: 22 }] }']);
    const result = checkPullRequest({ base: files({ acme: windowed('2.40.0') }), head: files({ acme: windowed('2.41.1') }), changedPaths: [], now: new Date('2026-12-06T12:00:00Z') });

    const markdown = renderCheckMarkdown(result);
    expect(markdown).toContain('**Pending (window opens 2026-12-12 22:00 UTC)**');
    expect(markdown).toMatch(/recreate \| container `rp9-acme-main` \| .*at window/);
  });

  it('shows no plan and fails when head does not validate', () => {
    const result = checkPullRequest({ base: files({ acme: acme(2) }), head: files({ acme: acme(9) }), changedPaths: [] });

    expect(checkFailed(result)).toBe(true);
    expect(result.plan).toBeUndefined();
    expect(renderCheckMarkdown(result)).toContain('`tenant.resources-out-of-range`');
  });
});

describe('planBaseToHead', () => {
  const globex = tenantYaml('globex', ['plan: pro', 'mode: dedicated']);
  const head = (tenants: Record<string, string>) => {
    const config = loadConfig(files(tenants));
    return { platform: config.platform!, tenants: config.tenants };
  };

  it('plans every tenant as new when the base has no platform.yaml', () => {
    const base = { ...files({}), platform: undefined };

    const result = planBaseToHead(base, head({ acme: acme(2) }));

    expect(result.tenants.map((t) => `${t.tenant} ${t.change}`)).toEqual(['acme create']);
  });

  it('refuses removing more than maxDeletionPercent of the base\'s tenants unless head lists them in spec.safety.allowDeletion', () => {
    const base = files({ acme: acme(2), globex });
    const allowing = platformText.replace('maxDeletionPercent: 25', 'maxDeletionPercent: 25\n    allowDeletion: { tenants: [acme, globex], reason: "contracts ended" }');
    const headAllowing = loadConfig({ ...files({}), platform: { path: 'platform.yaml', bytes: new Uint8Array(Buffer.from(allowing)) } });

    const refused = planBaseToHead(base, head({}));
    const allowed = planBaseToHead(base, { platform: headAllowing.platform!, tenants: headAllowing.tenants });

    expect(refused.refused?.code).toBe('plan.mass-deletion');
    expect(refused.refused?.message).toContain('spec.safety.allowDeletion');
    expect(allowed.refused).toBeUndefined();
    expect(allowed.deletionOverride).toEqual({ by: 'safety.allowDeletion', tenants: ['acme', 'globex'], reason: 'contracts ended' });
    expect(allowed.tenants.map((t) => `${t.tenant} ${t.change}`)).toEqual(['acme delete', 'globex delete']);
  });
});

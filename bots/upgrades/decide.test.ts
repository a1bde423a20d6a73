import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from '../core/auto-merge.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideUpgrades, upgradeSteps, type AvailableVersion, type UpgradeTenantInput } from './decide.js';

const root = new URL('../../', import.meta.url);
const repoExample = examplePlatform(root); // minReleaseAgeDays 3, soakHours 24, majors: hold
/** The tables model a fleet whose platform default is 1.123.4 (the repo's example now defaults to 2.41.x). */
const example = { ...repoExample, spec: { ...repoExample.spec, dedicated: { ...repoExample.spec.dedicated, n8nVersion: '1.123.4' } } };
/** The example with policies.upgrades.majors: propose, so the major step shows in the tables below. */
const platform = { ...example, spec: { ...example.spec, policies: { ...example.spec.policies, upgrades: { ...example.spec.policies.upgrades, majors: 'propose' as const } } } };
const now = new Date('2026-03-10T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

function fleetMember(name: string, options: { version?: string; canary?: boolean; healthy?: boolean; running?: string; upgradedAt?: Date; mode?: string; suspended?: boolean } = {}): UpgradeTenantInput {
  const spec = ['plan: pro', `mode: ${options.mode ?? 'dedicated'}`, ...(options.version ? [`n8n: { version: "${options.version}" }`] : []), ...(options.suspended ? ['suspended: true'] : [])];
  const metadata = options.canary ? ['labels: { rp9.io/canary: "true" }'] : [];
  const tenant = tenantFromYaml(tenantYaml(name, spec, metadata), schemasDirOf(root));
  return { tenant, healthy: options.healthy ?? true, currentVersion: options.running ?? options.version ?? '1.123.4', upgradedAt: options.upgradedAt };
}

// From 1.123.4 the steps are 1.123.5 (patch), then 1.124.0 (minor), then 2.0.0 (major).
const released: AvailableVersion[] = [
  { version: '1.123.4', publishedAt: daysAgo(40) },
  { version: '1.123.5', publishedAt: daysAgo(10) },
  { version: '1.124.0', publishedAt: daysAgo(5) },
  { version: '2.0.0', publishedAt: daysAgo(4) },
];

function run(tenants: UpgradeTenantInput[], available = released) {
  return decideUpgrades({ tenants, available }, platform, now).map((p) => `${p.tenant}:${String(p.edits[0]?.previous)}→${String(p.edits[0]?.value)}:${p.riskClass}`);
}

describe('decideUpgrades: the smallest useful step first', () => {
  it.each<[string, string, AvailableVersion[], string, boolean]>([
    ['a patch alongside a newer minor and major: the patch, which auto-merges', '1.123.4', released, 'wayne:1.123.4→1.123.5:patch', true],
    ['no newer patch: the newest minor of the major, for review', '1.123.5', released, 'wayne:1.123.5→1.124.0:minor', false],
    ['only a major is newer: the major, for review', '1.124.0', released, 'wayne:1.124.0→2.0.0:major', false],
    ['the patch is too young: the next eligible step (the minor) now, not a wait for the patch', '1.123.4',
      [...released.filter((v) => v.version !== '1.123.5'), { version: '1.123.5', publishedAt: daysAgo(2) }], 'wayne:1.123.4→1.124.0:minor', false],
    ['a prerelease is never the step', '1.124.0', [...released, { version: '1.124.1-rc.1', publishedAt: daysAgo(9) }], 'wayne:1.124.0→2.0.0:major', false],
  ])('%s', (_name, version, available, expected, autoMerge) => {
    // Act
    const proposals = decideUpgrades({ tenants: [fleetMember('wayne', { version })], available }, platform, now);

    // Assert
    expect(proposals.map((p) => `${p.tenant}:${String(p.edits[0]?.previous)}→${String(p.edits[0]?.value)}:${p.riskClass}`)).toEqual([expected]);
    expect(proposals.map((p) => autoMergeDecision(p, platform).autoMerge)).toEqual([autoMerge]);
  });

  it('each tenant steps from its own version', () => {
    // Act
    const result = run([fleetMember('alpha', { version: '1.123.4' }), fleetMember('bravo', { version: '1.123.5' }), fleetMember('charlie', { version: '1.124.0' })]);

    // Assert
    expect(result).toEqual(['alpha:1.123.4→1.123.5:patch', 'bravo:1.123.5→1.124.0:minor', 'charlie:1.124.0→2.0.0:major']);
  });

  it('explains in the summary which step rule chose the version', () => {
    // Act
    const summaries = ['1.123.4', '1.123.5', '1.124.0'].map((version) => decideUpgrades({ tenants: [fleetMember('wayne', { version })], available: released }, platform, now)[0]?.summary);

    // Assert
    expect(summaries).toEqual([
      expect.stringContaining('to 1.123.5 (a patch upgrade), the newest patch of 1.123 at least 3 days old'),
      expect.stringContaining('to 1.124.0 (a minor upgrade), the newest 1.x release at least 3 days old (`policies.upgrades.minReleaseAgeDays`); no newer 1.123 patch is.'),
      expect.stringContaining('to 2.0.0 (a major upgrade), the newest stable release at least 3 days old (`policies.upgrades.minReleaseAgeDays`); no newer 1.x release is.'),
    ]);
  });
});

describe('decideUpgrades: waves', () => {
  it.each<[string, UpgradeTenantInput[], string[]]>([
    ['canaries first; the rest wait while canaries are behind', [fleetMember('acme', { canary: true }), fleetMember('wayne')], ['acme:1.123.4→1.123.5:patch']],
    ['canaries soaked 24 h on the step and healthy: the rest take that step, the canaries the next one', [
      fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: hoursAgo(24) }),
      fleetMember('wayne'),
      fleetMember('globex', { version: '1.123.5' }),
    ], ['acme:1.123.5→1.124.0:minor', 'wayne:1.123.4→1.123.5:patch']],
    ['the rest follow only steps the canaries have soaked', [
      fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: daysAgo(2) }),
      fleetMember('wayne'),
      fleetMember('globex', { version: '1.123.5' }),
      fleetMember('hooli', { version: '1.124.0' }),
    ], ['acme:1.124.0→2.0.0:major', 'globex:1.123.5→1.124.0:minor', 'wayne:1.123.4→1.123.5:patch']],
    ['soaked 23 h 59 m: the canary does not take its next step and the rest still wait', [fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: new Date(hoursAgo(24).getTime() + 60_000) }), fleetMember('wayne')], []],
    ['declared on the step but not running it yet: the canary holds, the rest wait', [fleetMember('acme', { canary: true, version: '1.123.5', running: '1.123.4', upgradedAt: daysAgo(5) }), fleetMember('wayne')], []],
    ['a canary without upgradedAt: no recent change known, so it steps on, but no known soak, so the rest wait', [fleetMember('acme', { canary: true, version: '1.123.5' }), fleetMember('wayne')], ['acme:1.123.5→1.124.0:minor']],
    ['one unhealthy canary on the step holds the rest back', [
      fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: daysAgo(2) }),
      fleetMember('beta', { canary: true, version: '1.123.5', upgradedAt: daysAgo(2), healthy: false }),
      fleetMember('wayne'),
    ], ['acme:1.123.5→1.124.0:minor']],
    ['one canary behind holds the rest back, and is itself upgraded', [
      fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: daysAgo(2) }),
      fleetMember('beta', { canary: true }),
      fleetMember('wayne'),
    ], ['acme:1.123.5→1.124.0:minor', 'beta:1.123.4→1.123.5:patch']],
    ['an unhealthy canary behind is not upgraded (a human looks first)', [fleetMember('acme', { canary: true, healthy: false }), fleetMember('wayne')], []],
    ['a canary already ahead of the step counts as soaked by its own upgradedAt', [fleetMember('acme', { canary: true, version: '2.0.0', upgradedAt: daysAgo(2) }), fleetMember('wayne')], ['wayne:1.123.4→1.123.5:patch']],
    ['no canaries at all: a single wave', [fleetMember('wayne'), fleetMember('globex')], ['globex:1.123.4→1.123.5:patch', 'wayne:1.123.4→1.123.5:patch']],
    ['an unhealthy non-canary is skipped', [fleetMember('wayne', { healthy: false })], []],
    ['shared and suspended tenants are skipped', [fleetMember('hooli', { mode: 'shared' }), fleetMember('stark', { suspended: true })], []],
    ['a suspended canary does not gate the fleet', [fleetMember('stark', { canary: true, suspended: true }), fleetMember('wayne')], ['wayne:1.123.4→1.123.5:patch']],
    ['already on the newest release or beyond: nothing', [fleetMember('wayne', { version: '2.0.0' }), fleetMember('globex', { version: '2.1.0' })], []],
    ['a non-semver pin is left alone', [fleetMember('wayne', { version: 'nightly' })], []],
    ['never below the running version (git rolled back, not yet applied)', [fleetMember('wayne', { version: '1.123.4', running: '1.124.0' })], []],
  ])('%s', (_name, tenants, expected) => {
    // Act
    const result = run(tenants);

    // Assert
    expect(result).toEqual(expected);
  });

  it('tells why a tenant with a next step gets no proposal', () => {
    // Arrange
    const tenants = [
      fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: hoursAgo(2) }),
      fleetMember('beta', { canary: true, healthy: false }),
      fleetMember('wayne'),
      fleetMember('globex', { version: '2.0.0' }),
    ];

    // Act
    const statuses = upgradeSteps({ tenants, available: released }, platform, now).map((u) => [u.input.tenant.metadata.name, u.step.version, u.status]);

    // Assert
    expect(statuses).toEqual([
      ['acme', '1.124.0', 'soaking'],
      ['beta', '1.123.5', 'unhealthy'],
      ['wayne', '1.123.5', 'waiting-for-canaries'],
    ]);
  });

  it('nothing old enough: no steps at all', () => {
    // Act
    const steps = upgradeSteps({ tenants: [fleetMember('wayne')], available: [{ version: '1.123.5', publishedAt: daysAgo(1) }] }, platform, now);

    // Assert
    expect(steps).toEqual([]);
  });

  it('pins a tenant that followed the platform default and says so', () => {
    // Act
    const [proposal] = decideUpgrades({ tenants: [fleetMember('wayne', { canary: true })], available: released }, platform, now);

    // Assert
    expect(proposal?.edits).toEqual([{ path: ['spec', 'n8n', 'version'], value: '1.123.5', previous: '1.123.4' }]);
    expect(proposal?.summary).toContain('this pins its version');
    expect(proposal?.title).toBe('upgrades: n8n 1.123.4 → 1.123.5 for wayne (canary, patch)');
    expect(proposal?.trigger).toBe('n8n 1.123.5 is 10 days old (≥ 3); canary wave');
    expect(proposal?.labels).toEqual(['rp9-bot', 'bot:upgrades', 'risk:patch']);
  });

  it('general-wave proposals carry the canary gate of their own step as evidence', () => {
    // Act
    const proposals = decideUpgrades({
      tenants: [fleetMember('acme', { canary: true, version: '1.123.5', upgradedAt: hoursAgo(30) }), fleetMember('wayne', { version: '1.123.4' })],
      available: released,
    }, platform, now);
    const proposal = proposals.find((p) => p.tenant === 'wayne');

    // Assert
    expect(proposal?.evidence).toEqual([
      { metric: 'n8nVersion', value: '1.123.5', threshold: '1.123.4', comparator: '>', window: '', unit: '' },
      { metric: 'runningVersion', value: '1.123.4', threshold: '1.123.5', comparator: '!=', window: '', unit: '' },
      { metric: 'releaseAgeDays', value: 10, threshold: 3, comparator: '>=', window: '', unit: 'd' },
      { metric: 'canariesOnTarget', value: '1/1', threshold: '1/1', comparator: '==', window: '', unit: '' },
      { metric: 'canarySoakHours', value: 30, threshold: 24, comparator: '>=', window: '', unit: 'h' },
      { metric: 'canariesHealthy', value: '1/1', threshold: '1/1', comparator: '==', window: '', unit: '' },
      { metric: 'tenantHealthy', value: true, threshold: true, comparator: '==', window: '', unit: '' },
    ]);
    expect(proposal?.trigger).toBe('n8n 1.123.5 is 10 days old (≥ 3); general wave: all 1 canary tenants have run 1.123.5 for at least 24 h and are healthy');
  });

  it('orders canaries before the rest, then by name', () => {
    // Arrange: a soaked canary takes its next step while the rest follow it to the one it soaked
    const tenants = [
      fleetMember('alpha'),
      fleetMember('zed', { canary: true, version: '1.123.5', upgradedAt: daysAgo(2) }),
      fleetMember('bravo'),
    ];

    // Act
    const order = decideUpgrades({ tenants, available: released }, platform, now).map((p) => p.tenant);

    // Assert
    expect(order).toEqual(['zed', 'alpha', 'bravo']);
  });
});

describe('decideUpgrades: majors on hold (the default)', () => {
  it('proposes patches and minors, and holds a tenant whose next step is a major', () => {
    // Arrange
    const tenants = [fleetMember('alpha', { version: '1.123.4' }), fleetMember('bravo', { version: '1.123.5' }), fleetMember('charlie', { version: '1.124.0' })];

    // Act
    const proposals = decideUpgrades({ tenants, available: released }, example, now);
    const steps = upgradeSteps({ tenants, available: released }, example, now);

    // Assert
    expect(proposals.map((p) => `${p.tenant}:${String(p.edits[0]?.value)}:${p.riskClass}`)).toEqual(['alpha:1.123.5:patch', 'bravo:1.124.0:minor']);
    expect(steps.map((u) => `${u.input.tenant.metadata.name}:${u.step.version}:${u.status}`)).toEqual(['alpha:1.123.5:proposed', 'bravo:1.124.0:proposed', 'charlie:2.0.0:major-held']);
  });
});

import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from '../core/auto-merge.js';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideUpgrades, riskOf, targetVersion, type AvailableVersion, type UpgradeTenantInput } from './decide.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root); // dedicated default 1.123.4, minReleaseAgeDays 3, soakHours 24
const now = new Date('2026-03-10T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

function fleetMember(name: string, options: { version?: string; canary?: boolean; healthy?: boolean; running?: string; upgradedAt?: Date; mode?: string; suspended?: boolean } = {}): UpgradeTenantInput {
  const spec = ['plan: pro', `mode: ${options.mode ?? 'dedicated'}`, ...(options.version ? [`n8n: { version: "${options.version}" }`] : []), ...(options.suspended ? ['suspended: true'] : [])];
  const metadata = options.canary ? ['labels: { rp9.io/canary: "true" }'] : [];
  const tenant = tenantFromYaml(tenantYaml(name, spec, metadata), schemasDirOf(root));
  return { tenant, healthy: options.healthy ?? true, currentVersion: options.running ?? options.version ?? '1.123.4', upgradedAt: options.upgradedAt };
}

const released: AvailableVersion[] = [
  { version: '1.123.4', publishedAt: daysAgo(40) },
  { version: '1.123.5', publishedAt: daysAgo(10) },
  { version: '1.124.0', publishedAt: daysAgo(5) },
];

function run(tenants: UpgradeTenantInput[], available = released) {
  return decideUpgrades({ tenants, available }, platform, now).map((p) => `${p.tenant}:${String(p.edits[0]?.previous)}→${String(p.edits[0]?.value)}:${p.riskClass}`);
}

describe('targetVersion', () => {
  it.each<[string, AvailableVersion[], string | undefined]>([
    ['the newest release at least 3 days old', released, '1.124.0'],
    ['exactly 3 days old is old enough', [{ version: '2.0.0', publishedAt: daysAgo(3) }], '2.0.0'],
    ['one second younger than 3 days is too young', [{ version: '2.0.0', publishedAt: new Date(daysAgo(3).getTime() + 1000) }], undefined],
    ['a newer but too young release is passed over', [...released, { version: '1.125.0', publishedAt: daysAgo(1) }], '1.124.0'],
    ['prereleases never qualify, however old', [...released, { version: '1.125.0-rc.1', publishedAt: daysAgo(30) }], '1.124.0'],
    ['invalid versions are ignored', [{ version: 'latest', publishedAt: daysAgo(30) }], undefined],
    ['order of the input does not matter', [...released].reverse(), '1.124.0'],
    ['nothing available', [], undefined],
  ])('%s', (_name, available, expected) => {
    expect(targetVersion(available, 3, now)?.version).toBe(expected);
  });
});

describe('riskOf', () => {
  it.each([
    ['1.123.4', '1.123.5', 'patch'],
    ['1.123.4', '1.124.0', 'minor'],
    ['1.123.4', '2.0.0', 'major'],
    ['1.124.0-rc.1', '1.124.0', 'patch'],
    ['1.123.4-rc.1', '1.124.0', 'minor'],
    ['1.123.4-rc.1', '2.0.0', 'major'],
    ['not-a-version', '2.0.0', 'major'],
  ])('%s → %s is %s', (from, to, risk) => {
    expect(riskOf(from, to)).toBe(risk);
  });
});

describe('decideUpgrades: waves', () => {
  it.each<[string, UpgradeTenantInput[], string[]]>([
    ['canaries first; the rest wait while canaries are behind', [fleetMember('acme', { canary: true }), fleetMember('wayne')], ['acme:1.123.4→1.124.0:minor']],
    ['canaries on target for 24 h and healthy: the rest go', [
      fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: hoursAgo(24) }),
      fleetMember('wayne'),
      fleetMember('globex', { version: '1.123.5' }),
    ], ['globex:1.123.5→1.124.0:minor', 'wayne:1.123.4→1.124.0:minor']],
    ['soaked 23 h 59 m: the rest still wait', [fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: new Date(hoursAgo(24).getTime() + 60_000) }), fleetMember('wayne')], []],
    ['declared on target but not running it yet: the rest wait', [fleetMember('acme', { canary: true, version: '1.124.0', running: '1.123.4', upgradedAt: daysAgo(5) }), fleetMember('wayne')], []],
    ['a canary without upgradedAt has no known soak: the rest wait', [fleetMember('acme', { canary: true, version: '1.124.0' }), fleetMember('wayne')], []],
    ['one unhealthy canary on target holds everyone back', [
      fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: daysAgo(2) }),
      fleetMember('beta', { canary: true, version: '1.124.0', upgradedAt: daysAgo(2), healthy: false }),
      fleetMember('wayne'),
    ], []],
    ['one canary behind holds everyone back, and is itself upgraded', [
      fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: daysAgo(2) }),
      fleetMember('beta', { canary: true }),
      fleetMember('wayne'),
    ], ['beta:1.123.4→1.124.0:minor']],
    ['an unhealthy canary behind target is not upgraded (a human looks first)', [fleetMember('acme', { canary: true, healthy: false }), fleetMember('wayne')], []],
    ['a canary already ahead of the target counts as soaked by its own upgradedAt', [fleetMember('acme', { canary: true, version: '1.125.0', upgradedAt: daysAgo(2) }), fleetMember('wayne')], ['wayne:1.123.4→1.124.0:minor']],
    ['no canaries at all: a single wave', [fleetMember('wayne'), fleetMember('globex')], ['globex:1.123.4→1.124.0:minor', 'wayne:1.123.4→1.124.0:minor']],
    ['an unhealthy non-canary is skipped', [fleetMember('wayne', { healthy: false })], []],
    ['shared and suspended tenants are skipped', [fleetMember('hooli', { mode: 'shared' }), fleetMember('stark', { suspended: true })], []],
    ['a suspended canary does not gate the fleet', [fleetMember('stark', { canary: true, suspended: true }), fleetMember('wayne')], ['wayne:1.123.4→1.124.0:minor']],
    ['already on the target or newer: nothing', [fleetMember('wayne', { version: '1.124.0' }), fleetMember('globex', { version: '1.125.0' })], []],
    ['a non-semver pin is left alone', [fleetMember('wayne', { version: 'nightly' })], []],
  ])('%s', (_name, tenants, expected) => {
    // Act
    const result = run(tenants);

    // Assert
    expect(result).toEqual(expected);
  });

  it('classifies risk by the semver difference and auto-merges only patches by default', () => {
    // Arrange
    const available = [{ version: '1.123.9', publishedAt: daysAgo(4) }];

    // Act
    const [patch] = decideUpgrades({ tenants: [fleetMember('wayne')], available }, platform, now);
    const [major] = decideUpgrades({ tenants: [fleetMember('wayne')], available: [{ version: '2.0.0', publishedAt: daysAgo(4) }] }, platform, now);

    // Assert
    expect(patch && [patch.riskClass, autoMergeDecision(patch, platform).autoMerge]).toEqual(['patch', true]);
    expect(major && [major.riskClass, autoMergeDecision(major, platform).autoMerge]).toEqual(['major', false]);
  });

  it('pins a tenant that followed the platform default and says so', () => {
    // Act
    const [proposal] = decideUpgrades({ tenants: [fleetMember('wayne', { canary: true })], available: released }, platform, now);

    // Assert
    expect(proposal?.edits).toEqual([{ path: ['spec', 'n8n', 'version'], value: '1.124.0', previous: '1.123.4' }]);
    expect(proposal?.summary).toContain('this pins its version');
    expect(proposal?.title).toBe('upgrades: n8n 1.123.4 → 1.124.0 for wayne (canary, minor)');
    expect(proposal?.trigger).toBe('n8n 1.124.0 is 5 days old (≥ 3); canary wave');
    expect(proposal?.labels).toEqual(['rp9-bot', 'bot:upgrades', 'risk:minor']);
  });

  it('general-wave proposals carry the canary gate as evidence', () => {
    // Act
    const [proposal] = decideUpgrades({
      tenants: [fleetMember('acme', { canary: true, version: '1.124.0', upgradedAt: hoursAgo(30) }), fleetMember('wayne', { version: '1.123.4' })],
      available: released,
    }, platform, now);

    // Assert
    expect(proposal?.evidence).toEqual([
      { metric: 'n8nVersion', value: '1.124.0', threshold: '1.123.4', comparator: '>', window: '', unit: '' },
      { metric: 'runningVersion', value: '1.123.4', threshold: '1.124.0', comparator: '!=', window: '', unit: '' },
      { metric: 'releaseAgeDays', value: 5, threshold: 3, comparator: '>=', window: '', unit: 'd' },
      { metric: 'canariesOnTarget', value: '1/1', threshold: '1/1', comparator: '==', window: '', unit: '' },
      { metric: 'canarySoakHours', value: 30, threshold: 24, comparator: '>=', window: '', unit: 'h' },
      { metric: 'canariesHealthy', value: '1/1', threshold: '1/1', comparator: '==', window: '', unit: '' },
      { metric: 'tenantHealthy', value: true, threshold: true, comparator: '==', window: '', unit: '' },
    ]);
    expect(proposal?.trigger).toBe('n8n 1.124.0 is 5 days old (≥ 3); general wave: all 1 canary tenants have run 1.124.0 for at least 24 h and are healthy');
  });

  it('orders canaries before the rest, then by name', () => {
    // Arrange: a canary declared behind in git but already running the target (upgraded by hand) opens the gate
    const tenants = [
      fleetMember('alpha'),
      fleetMember('zed', { canary: true, version: '1.123.4', running: '1.124.0', upgradedAt: daysAgo(2) }),
      fleetMember('bravo'),
    ];

    // Act
    const order = decideUpgrades({ tenants, available: released }, platform, now).map((p) => p.tenant);

    // Assert
    expect(order).toEqual(['zed', 'alpha', 'bravo']);
  });
});

import { describe, expect, it } from 'vitest';
import type { AvailableVersion } from './npm.js';
import { eligibleVersions, riskOf, targetVersion } from './step.js';

const now = new Date('2026-03-10T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const aged = (...versions: string[]): AvailableVersion[] => versions.map((version) => ({ version, publishedAt: daysAgo(10) }));
// Like the npm registry today: the fleet's 1.123 line, newer 1.x minors and the 2.x majors.
const registry = aged('1.122.0', '1.123.4', '1.123.5', '1.123.6', '1.124.0', '1.124.2', '2.0.0', '2.3.1');

describe('targetVersion: the smallest useful step first', () => {
  it.each<[string, string, AvailableVersion[], string | undefined]>([
    ['a patch alongside newer minors and majors: the newest patch of the current major.minor', '1.123.4', registry, '1.123.6 patch'],
    ['no newer patch: the newest release of the current major', '1.123.6', registry, '1.124.2 minor'],
    ['on the newest minor of its major: the newest major', '1.124.2', registry, '2.3.1 major'],
    ['only a major is newer: the major', '1.123.4', aged('1.123.4', '2.0.0'), '2.0.0 major'],
    ['already on the newest release: nothing', '2.3.1', registry, undefined],
    ['ahead of every release: nothing', '3.0.0', registry, undefined],
    ['older releases are never steps (no downgrades)', '1.124.2', aged('1.123.9', '1.124.0'), undefined],
    ['a too-young patch is passed over: the next eligible choice is the minor (it does not wait for the patch)', '1.123.4',
      [...aged('1.123.4', '1.124.0', '2.0.0'), { version: '1.123.5', publishedAt: daysAgo(1) }], '1.124.0 minor'],
    ['a too-young patch and minor: the major', '1.123.4',
      [...aged('1.123.4', '2.0.0'), { version: '1.123.5', publishedAt: daysAgo(1) }, { version: '1.124.0', publishedAt: daysAgo(2) }], '2.0.0 major'],
    ['the newest patch too young, an older one aged: the older patch', '1.123.4',
      [...aged('1.123.4', '1.123.5', '1.124.0'), { version: '1.123.6', publishedAt: daysAgo(1) }], '1.123.5 patch'],
    ['exactly 3 days old is old enough', '1.123.4', [{ version: '1.123.5', publishedAt: daysAgo(3) }], '1.123.5 patch'],
    ['one second younger than 3 days is too young', '1.123.4', [{ version: '1.123.5', publishedAt: new Date(daysAgo(3).getTime() + 1000) }], undefined],
    ['prereleases are never proposed, however old or close', '1.123.4', aged('1.123.5-rc.1', '1.124.0-beta.2', '2.0.0-rc.0'), undefined],
    ['a prerelease among releases is skipped for the next release of its kind', '1.123.4', aged('1.123.5-rc.1', '1.124.0'), '1.124.0 minor'],
    ['from a prerelease to its own release is a patch', '1.124.0-rc.1', aged('1.123.6', '1.124.0', '1.125.0'), '1.124.0 patch'],
    ['invalid versions in the registry are ignored', '1.123.4', aged('latest', '1.123.5'), '1.123.5 patch'],
    ['a non-semver current version gets no step', 'nightly', registry, undefined],
    ['order of the input does not matter', '1.123.4', [...registry].reverse(), '1.123.6 patch'],
    ['nothing available', '1.123.4', [], undefined],
  ])('%s', (_name, from, available, expected) => {
    // Act
    const step = targetVersion(from, available, 3, now);

    // Assert
    expect(step && `${step.version} ${step.riskClass}`).toBe(expected);
  });

  it('carries the publication date of the chosen release', () => {
    // Act
    const step = targetVersion('1.123.4', [{ version: '1.123.5', publishedAt: daysAgo(4) }], 3, now);

    // Assert
    expect(step).toEqual({ version: '1.123.5', publishedAt: daysAgo(4), riskClass: 'patch' });
  });
});

describe('eligibleVersions', () => {
  it('keeps stable, valid, old-enough releases, newest first', () => {
    // Arrange
    const available = [...aged('1.123.4', '2.0.0', '2.1.0-rc.1', 'latest', '1.124.0'), { version: '2.0.1', publishedAt: daysAgo(1) }];

    // Act
    const versions = eligibleVersions(available, 3, now).map((v) => v.version);

    // Assert
    expect(versions).toEqual(['2.0.0', '1.124.0', '1.123.4']);
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

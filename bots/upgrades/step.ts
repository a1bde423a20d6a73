// Which release a tenant steps to next, Renovate-like: the smallest useful
// step first. Among the stable releases at least minReleaseAgeDays old: the
// newest patch of the tenant's major.minor; else the newest release of its
// major (a minor); else the newest release of all (a major).
import semver from 'semver';
import type { UpgradesRisk } from '../core/types.js';
import type { AvailableVersion } from './npm.js';

const DAY = 86_400_000;

/** A release a tenant may step to: stable, valid and old enough; parsed once. */
export interface EligibleVersion extends AvailableVersion {
  parsed: semver.SemVer;
}

export interface UpgradeStep {
  version: string;
  publishedAt: Date;
  riskClass: UpgradesRisk;
}

/** Stable (no prerelease), valid releases at least minReleaseAgeDays old, newest first. */
export function eligibleVersions(available: readonly AvailableVersion[], minReleaseAgeDays: number, now: Date): EligibleVersion[] {
  const eligible: EligibleVersion[] = [];
  for (const candidate of available) {
    const parsed = semver.parse(candidate.version);
    if (!parsed || parsed.prerelease.length > 0) continue;
    const age = now.getTime() - candidate.publishedAt.getTime();
    if (!(age >= minReleaseAgeDays * DAY)) continue;
    eligible.push({ ...candidate, parsed });
  }
  return eligible.sort((a, b) => b.parsed.compare(a.parsed));
}

/** The next step from `from` among `eligible` (newest first, as eligibleVersions returns them); undefined when nothing is newer. */
export function nextStep(from: semver.SemVer, eligible: readonly EligibleVersion[]): UpgradeStep | undefined {
  let minor: EligibleVersion | undefined;
  let major: EligibleVersion | undefined;
  for (const candidate of eligible) {
    const { parsed } = candidate;
    if (parsed.compare(from) <= 0) break;
    if (parsed.major !== from.major) {
      major ??= candidate;
      continue;
    }
    if (parsed.minor === from.minor) return stepTo(candidate, 'patch');
    minor ??= candidate;
  }
  if (minor) return stepTo(minor, 'minor');
  return major && stepTo(major, 'major');
}

function stepTo(candidate: EligibleVersion, riskClass: UpgradesRisk): UpgradeStep {
  return { version: candidate.version, publishedAt: candidate.publishedAt, riskClass };
}

/** The step a tenant on `from` gets: undefined when `from` is not semver or no newer release is old enough. */
export function targetVersion(from: string, available: readonly AvailableVersion[], minReleaseAgeDays: number, now: Date): UpgradeStep | undefined {
  const parsed = semver.parse(from);
  return parsed ? nextStep(parsed, eligibleVersions(available, minReleaseAgeDays, now)) : undefined;
}

/** By the first of major, minor, patch that differs (a prerelease to its own release is a patch). */
export function riskOf(from: string, to: string): UpgradesRisk {
  const a = semver.parse(from);
  const b = semver.parse(to);
  if (!a || !b || a.major !== b.major) return 'major';
  if (a.minor !== b.minor) return 'minor';
  return 'patch';
}

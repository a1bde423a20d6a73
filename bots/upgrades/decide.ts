// The upgrades bot's decision: pin dedicated tenants to the newest n8n
// release that has aged minReleaseAgeDays, canary tenants first; everyone
// else only once every canary has run the target for soakHours and is healthy.
import semver from 'semver';
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../core/format.js';
import { proposalLabels, tenantFile, type Evidence, type ProposalOf, type UpgradesRisk } from '../core/types.js';
import type { AvailableVersion } from './npm.js';

export type { AvailableVersion } from './npm.js';

export interface UpgradeTenantInput {
  tenant: Tenant;
  /** The tenant's containers pass their health checks (from observed state). */
  healthy: boolean;
  /** The n8n version the tenant runs now (from observed state). */
  currentVersion: string;
  /** When the tenant started running currentVersion. */
  upgradedAt?: Date;
}

export interface UpgradesInputs {
  tenants: UpgradeTenantInput[];
  available: AvailableVersion[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The newest version that is stable (no prerelease) and at least minReleaseAgeDays old. */
export function targetVersion(available: readonly AvailableVersion[], minReleaseAgeDays: number, now: Date): AvailableVersion | undefined {
  let best: AvailableVersion | undefined;
  for (const candidate of available) {
    if (!semver.valid(candidate.version) || semver.prerelease(candidate.version) !== null) continue;
    const age = now.getTime() - candidate.publishedAt.getTime();
    if (!(age >= minReleaseAgeDays * DAY)) continue;
    if (!best || semver.gt(candidate.version, best.version)) best = candidate;
  }
  return best;
}

/** By the first of major, minor, patch that differs (a prerelease to its own release is a patch). */
export function riskOf(from: string, to: string): UpgradesRisk {
  return riskBetween(semver.parse(from), semver.parse(to));
}

function riskBetween(a: semver.SemVer | null, b: semver.SemVer | null): UpgradesRisk {
  if (!a || !b || a.major !== b.major) return 'major';
  if (a.minor !== b.minor) return 'minor';
  return 'patch';
}

/** The version git declares for the tenant: its pin, or the platform's dedicated default. */
function declaredVersion(tenant: Tenant, platform: Platform): string {
  return tenant.spec.n8n?.version ?? platform.spec.dedicated.n8nVersion;
}

interface Gate {
  open: boolean;
  evidence: Evidence[];
  text: string;
}

function canaryGate(canaries: UpgradeTenantInput[], target: string, soakHours: number, now: Date, parse: (version: string) => semver.SemVer | null): Gate {
  if (canaries.length === 0) {
    return { open: true, evidence: [{ metric: 'canaryTenants', value: 0, threshold: 0, comparator: '==', window: '', unit: '' }], text: 'no canary tenants are labelled, so there is a single wave' };
  }
  const soaks = canaries.map((c) => {
    const running = parse(c.currentVersion);
    return c.upgradedAt && running && running.compare(target) >= 0 ? (now.getTime() - c.upgradedAt.getTime()) / HOUR : Number.NaN;
  });
  const onTarget = soaks.filter((soak) => !Number.isNaN(soak)).length;
  const minSoak = Math.min(...soaks);
  const healthy = canaries.filter((c) => c.healthy).length;
  const open = onTarget === canaries.length && minSoak >= soakHours && healthy === canaries.length;
  return {
    open,
    evidence: [
      { metric: 'canariesOnTarget', value: `${onTarget}/${canaries.length}`, threshold: `${canaries.length}/${canaries.length}`, comparator: '==', window: '', unit: '' },
      { metric: 'canarySoakHours', value: Number.isNaN(minSoak) ? 'n/a' : round2(minSoak), threshold: soakHours, comparator: '>=', window: '', unit: 'h' },
      { metric: 'canariesHealthy', value: `${healthy}/${canaries.length}`, threshold: `${canaries.length}/${canaries.length}`, comparator: '==', window: '', unit: '' },
    ],
    text: `all ${canaries.length} canary tenants have run ${target} for at least ${soakHours} h and are healthy`,
  };
}

/** Parses each distinct version string once: fleets repeat the same few versions. */
function versionCache(): (version: string) => semver.SemVer | null {
  const cache = new Map<string, semver.SemVer | null>();
  return (version) => {
    let parsed = cache.get(version);
    if (parsed === undefined) {
      parsed = semver.parse(version);
      cache.set(version, parsed);
    }
    return parsed;
  };
}

export function decideUpgrades(inputs: UpgradesInputs, platform: Platform, now: Date): ProposalOf<'upgrades'>[] {
  const policy = platform.spec.policies.upgrades;
  const parse = versionCache();
  const target = targetVersion(inputs.available, policy.minReleaseAgeDays, now);
  if (!target) return [];

  const fleet = inputs.tenants.filter(({ tenant }) => tenant.spec.mode === 'dedicated' && !tenant.spec.suspended);
  const isCanary = (input: UpgradeTenantInput) => input.tenant.metadata.labels?.[policy.canaryLabel] === 'true';
  const gate = canaryGate(fleet.filter(isCanary), target.version, policy.soakHours, now, parse);
  const ageDays = round2((now.getTime() - target.publishedAt.getTime()) / DAY);
  const released: Evidence = { metric: 'releaseAgeDays', value: ageDays, threshold: policy.minReleaseAgeDays, comparator: '>=', window: '', unit: 'd' };

  const proposals: { proposal: ProposalOf<'upgrades'>; canary: boolean }[] = [];
  for (const input of fleet) {
    const declared = declaredVersion(input.tenant, platform);
    const parsed = parse(declared);
    if (!parsed || parsed.compare(target.version) >= 0 || !input.healthy) continue;
    const canary = isCanary(input);
    if (!canary && !gate.open) continue;

    const name = input.tenant.metadata.name;
    const riskClass = riskBetween(parsed, parse(target.version));
    const wave = canary ? 'canary wave' : 'general wave';
    const pinned = input.tenant.spec.n8n?.version !== undefined;
    proposals.push({
      canary,
      proposal: {
        bot: 'upgrades',
        tenant: name,
        file: tenantFile(name),
        edits: [{ path: ['spec', 'n8n', 'version'], value: target.version, previous: declared }],
        riskClass,
        trigger: `n8n ${target.version} is ${formatNumber(ageDays)} days old (≥ ${policy.minReleaseAgeDays}); ${wave}${canary ? '' : `: ${gate.text}`}`,
        evidence: [
          { metric: 'n8nVersion', value: target.version, threshold: declared, comparator: '>', window: '', unit: '' },
          { metric: 'runningVersion', value: input.currentVersion, threshold: target.version, comparator: '!=', window: '', unit: '' },
          released,
          ...(canary ? [] : gate.evidence),
          { metric: 'tenantHealthy', value: true, threshold: true, comparator: '==', window: '', unit: '' },
        ],
        summary:
          `Upgrades ${name} from n8n ${declared} to ${target.version} (a ${riskClass} upgrade), the newest stable release at least ${policy.minReleaseAgeDays} days old (\`policies.upgrades.minReleaseAgeDays\`). ` +
          (canary
            ? `${name} is a canary (\`${policy.canaryLabel}: "true"\`): the other tenants follow once every canary has run it for ${policy.soakHours} h (\`policies.upgrades.soakHours\`) and is healthy.`
            : `This is the general wave: ${gate.text}.`) +
          (pinned ? '' : ` The tenant followed the platform default (${platform.spec.dedicated.n8nVersion}); this pins its version.`),
        title: `upgrades: n8n ${declared} → ${target.version} for ${name} (${canary ? 'canary, ' : ''}${riskClass})`,
        labels: proposalLabels('upgrades', riskClass),
      },
    });
  }
  proposals.sort((a, b) => Number(b.canary) - Number(a.canary) || (a.proposal.tenant < b.proposal.tenant ? -1 : a.proposal.tenant > b.proposal.tenant ? 1 : 0));
  return proposals.map((entry) => entry.proposal);
}

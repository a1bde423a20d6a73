// The upgrades bot's decision: step each dedicated tenant to its next n8n
// release (the smallest useful step first, see step.ts), canary tenants first;
// everyone else only once every canary has run that same step's version (or
// newer) for soakHours and is healthy. A canary takes its next step only after
// it has soaked the current one, so the rest follow a version canaries ran.
import semver from 'semver';
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';
import { formatNumber } from '../core/format.js';
import { proposalLabels, tenantFile, type Evidence, type ProposalOf } from '../core/types.js';
import type { AvailableVersion } from './npm.js';
import { eligibleVersions, nextStep, type UpgradeStep } from './step.js';

export type { AvailableVersion } from './npm.js';
export { eligibleVersions, nextStep, riskOf, targetVersion, type EligibleVersion, type UpgradeStep } from './step.js';

export interface UpgradeTenantInput {
  tenant: Tenant;
  /** The tenant's containers pass their health checks (from observed state); a canary's comes from its upgrade in the journal (canary-health.ts). */
  healthy: boolean;
  /** Why it counts as healthy or not, when known (a canary's journal verdict): shown in the run output. */
  healthReason?: string;
  /** The n8n version the tenant runs now (from observed state). */
  currentVersion: string;
  /** When the tenant started running currentVersion. */
  upgradedAt?: Date;
}

export interface UpgradesInputs {
  tenants: UpgradeTenantInput[];
  available: AvailableVersion[];
}

/** Why a tenant with a next step gets (or does not get) a proposal this run. */
export type UpgradeStatus = 'proposed' | 'unhealthy' | 'soaking' | 'waiting-for-canaries' | 'major-held';

export interface CanaryGate {
  open: boolean;
  /** The canaries that hold the wave for their health, each with why (a rolled-back upgrade names its error). */
  unhealthy?: string[];
  evidence: Evidence[];
  text: string;
}

/** A dedicated, non-suspended tenant that has a next step. */
export interface TenantUpgrade {
  input: UpgradeTenantInput;
  canary: boolean;
  /** What git declares: the tenant's pin or the platform default. */
  declared: string;
  step: UpgradeStep;
  status: UpgradeStatus;
  /** The canary gate for step.version (general wave only). */
  gate?: CanaryGate;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The version git declares for the tenant: its pin, or the platform's dedicated default. */
function declaredVersion(tenant: Tenant, platform: Platform): string {
  return tenant.spec.n8n?.version ?? platform.spec.dedicated.n8nVersion;
}

function canaryGate(canaries: UpgradeTenantInput[], target: string, soakHours: number, now: Date, parse: (version: string) => semver.SemVer | null): CanaryGate {
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
  const unhealthy = canaries.filter((c) => !c.healthy).map((c) => `${c.tenant.metadata.name}: ${c.healthReason ?? 'not healthy'}`);
  return {
    open,
    ...(unhealthy.length > 0 ? { unhealthy } : {}),
    evidence: [
      { metric: 'canariesOnTarget', value: `${onTarget}/${canaries.length}`, threshold: `${canaries.length}/${canaries.length}`, comparator: '==', window: '', unit: '' },
      { metric: 'canarySoakHours', value: Number.isNaN(minSoak) ? 'n/a' : round2(minSoak), threshold: soakHours, comparator: '>=', window: '', unit: 'h' },
      { metric: 'canariesHealthy', value: `${healthy}/${canaries.length}`, threshold: `${canaries.length}/${canaries.length}`, comparator: '==', window: '', unit: '' },
    ],
    text: `all ${canaries.length} canary tenants have run ${target} for at least ${soakHours} h and are healthy`,
  };
}

/** Memoizes by key: fleets repeat the same few versions. */
function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

/** Every dedicated, non-suspended tenant with a next step, and whether it gets it now. */
export function upgradeSteps(inputs: UpgradesInputs, platform: Platform, now: Date): TenantUpgrade[] {
  const policy = platform.spec.policies.upgrades;
  const eligible = eligibleVersions(inputs.available, policy.minReleaseAgeDays, now);
  if (eligible.length === 0) return [];
  const parse = memo((version) => semver.parse(version));
  const stepFrom = memo((version) => {
    const parsed = parse(version);
    return parsed ? nextStep(parsed, eligible) : undefined;
  });
  const fleet = inputs.tenants.filter(({ tenant }) => tenant.spec.mode === 'dedicated' && !tenant.spec.suspended);
  const isCanary = (input: UpgradeTenantInput) => input.tenant.metadata.labels?.[policy.canaryLabel] === 'true';
  const canaries = fleet.filter(isCanary);
  const gateFor = memo((target) => canaryGate(canaries, target, policy.soakHours, now, parse));

  const upgrades: TenantUpgrade[] = [];
  for (const input of fleet) {
    const declared = declaredVersion(input.tenant, platform);
    const step = stepFrom(declared);
    if (!step) continue;
    // Never propose a version below the one the tenant runs (git rolled back, not yet applied): no downgrades.
    const running = parse(input.currentVersion);
    if (running && running.compare(step.version) > 0) continue;
    const canary = isCanary(input);
    if (step.riskClass === 'major' && policy.majors === 'hold') {
      upgrades.push({ input, canary, declared, step, status: 'major-held' });
      continue;
    }
    if (canary) {
      // Its last step must have soaked first: running what git declares, for soakHours (unknown upgradedAt: no recent change known).
      const rolledOut = running !== null && running.compare(declared) >= 0;
      const soaking = !rolledOut || (input.upgradedAt !== undefined && now.getTime() - input.upgradedAt.getTime() < policy.soakHours * HOUR);
      upgrades.push({ input, canary, declared, step, status: !input.healthy ? 'unhealthy' : soaking ? 'soaking' : 'proposed' });
      continue;
    }
    const gate = gateFor(step.version);
    upgrades.push({ input, canary, declared, step, gate, status: !input.healthy ? 'unhealthy' : gate.open ? 'proposed' : 'waiting-for-canaries' });
  }
  return upgrades;
}

/** Why this version, in words: the step rule that chose it. */
function stepReason(declared: string, step: UpgradeStep, minReleaseAgeDays: number): string {
  const from = semver.parse(declared);
  const aged = `at least ${minReleaseAgeDays} days old (\`policies.upgrades.minReleaseAgeDays\`)`;
  if (!from) return `the newest stable release ${aged}`;
  if (step.riskClass === 'patch') return `the newest patch of ${from.major}.${from.minor} ${aged}`;
  if (step.riskClass === 'minor') return `the newest ${from.major}.x release ${aged}; no newer ${from.major}.${from.minor} patch is`;
  return `the newest stable release ${aged}; no newer ${from.major}.x release is`;
}

function proposalOf(upgrade: TenantUpgrade, platform: Platform, now: Date): ProposalOf<'upgrades'> {
  const policy = platform.spec.policies.upgrades;
  const { input, canary, declared, step, gate } = upgrade;
  const { riskClass, version } = step;
  const name = input.tenant.metadata.name;
  const ageDays = round2((now.getTime() - step.publishedAt.getTime()) / DAY);
  const wave = canary ? 'canary wave' : 'general wave';
  const pinned = input.tenant.spec.n8n?.version !== undefined;
  return {
    bot: 'upgrades',
    tenant: name,
    file: tenantFile(name),
    edits: [{ path: ['spec', 'n8n', 'version'], value: version, previous: declared }],
    riskClass,
    trigger: `n8n ${version} is ${formatNumber(ageDays)} days old (≥ ${policy.minReleaseAgeDays}); ${wave}${gate ? `: ${gate.text}` : ''}`,
    evidence: [
      { metric: 'n8nVersion', value: version, threshold: declared, comparator: '>', window: '', unit: '' },
      { metric: 'runningVersion', value: input.currentVersion, threshold: version, comparator: '!=', window: '', unit: '' },
      { metric: 'releaseAgeDays', value: ageDays, threshold: policy.minReleaseAgeDays, comparator: '>=', window: '', unit: 'd' },
      ...(gate ? gate.evidence : []),
      { metric: 'tenantHealthy', value: true, threshold: true, comparator: '==', window: '', unit: '' },
    ],
    summary:
      `Upgrades ${name} from n8n ${declared} to ${version} (a ${riskClass} upgrade), ${stepReason(declared, step, policy.minReleaseAgeDays)}. ` +
      (canary
        ? `${name} is a canary (\`${policy.canaryLabel}: "true"\`): the other tenants follow once every canary has run it for ${policy.soakHours} h (\`policies.upgrades.soakHours\`) and is healthy.`
        : `This is the general wave: ${gate?.text ?? ''}.`) +
      (pinned ? '' : ` The tenant followed the platform default (${platform.spec.dedicated.n8nVersion}); this pins its version.`),
    title: `upgrades: n8n ${declared} → ${version} for ${name} (${canary ? 'canary, ' : ''}${riskClass})`,
    labels: proposalLabels('upgrades', riskClass),
  };
}

/** The proposals for the upgrades that go ahead now: canaries first, then by name. */
export function upgradeProposals(upgrades: readonly TenantUpgrade[], platform: Platform, now: Date): ProposalOf<'upgrades'>[] {
  const name = (u: TenantUpgrade) => u.input.tenant.metadata.name;
  return upgrades
    .filter((u) => u.status === 'proposed')
    .sort((a, b) => Number(b.canary) - Number(a.canary) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))
    .map((u) => proposalOf(u, platform, now));
}

export function decideUpgrades(inputs: UpgradesInputs, platform: Platform, now: Date): ProposalOf<'upgrades'>[] {
  return upgradeProposals(upgradeSteps(inputs, platform, now), platform, now);
}

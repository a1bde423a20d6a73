// The upgrades bot's inputs and decision: versions from the registry, health
// from the controller (rp9_tenant_ready), and for canaries the time their
// declared version landed on the base branch (the soak clock) and their
// health from the upgrade journal (canary-health.ts: the upgrade finished
// without rollback, its watch passed, its error rate did not rise). A ready tenant
// runs what git declares, so its current version is the declared one.
// Before a version is proposed, the installable source says whether its
// dependency tree resolves from the registry; one that does not is dropped
// and the steps are recomputed (a bounded number of rounds).
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import { eligibleVersions, upgradeProposals, upgradeSteps, type TenantUpgrade, type UpgradeTenantInput } from '../upgrades/decide.js';
import { canaryHealth, type UpgradeRecord } from '../upgrades/canary-health.js';
import { uncheckedTargets, uninstallable, withoutUninstallable } from '../upgrades/installable.js';
import type { AvailableVersion } from '../upgrades/npm.js';
import { tenantFile } from '../core/types.js';
import type { FieldHistory } from '../sources/types.js';
import type { Decision, Held } from './types.js';

const VERSION = ['spec', 'n8n', 'version'] as const;
const HOUR = 3_600_000;
/** Rounds of "check the step targets, drop what does not install, recompute": each round checks only new targets. */
const MAX_INSTALL_ROUNDS = 4;

export interface UpgradesSources {
  platform: Platform;
  tenants: Tenant[];
  versions: () => Promise<AvailableVersion[]>;
  /** Whether each version installs from the registry (its tree resolves); absent = not checked (noted). */
  installable?: (versions: string[]) => Promise<Map<string, boolean>>;
  health?: (now: Date) => Promise<Map<string, boolean>>;
  /** Each tenant's newest upgrade in the controller's journal (DATABASE_URL); absent = canaries' health falls back to readiness (noted). */
  upgradeJournal?: () => Promise<Map<string, UpgradeRecord>>;
  history?: FieldHistory;
  now: Date;
}

function declared(tenant: Tenant, platform: Platform): string {
  return tenant.spec.n8n?.version ?? platform.spec.dedicated.n8nVersion;
}

function heldOf(upgrade: TenantUpgrade, soakHours: number): Held[] {
  const tenant = upgrade.input.tenant.metadata.name;
  const to = `${upgrade.step.version} (${upgrade.step.riskClass})`;
  switch (upgrade.status) {
    case 'proposed':
      return [];
    case 'unhealthy':
      return [{ tenant, code: 'upgrades.unhealthy', reason: `${upgrade.input.healthReason ?? 'not ready (rp9_tenant_ready)'}: a human looks first; next step ${to}` }];
    case 'soaking':
      return [{ tenant, code: 'upgrades.soaking', reason: `canary still soaking ${upgrade.declared} (less than ${soakHours} h); next step ${to}` }];
    case 'major-held':
      return [{ tenant, code: 'upgrades.major-held', reason: `the next step ${to} is a new major: set policies.upgrades.majors: propose to get pull requests for majors` }];
    case 'waiting-for-canaries':
      return [{ tenant, code: 'upgrades.waiting-for-canaries', reason: `waits until every canary runs ${upgrade.step.version} for ${soakHours} h and is healthy${upgrade.gate?.unhealthy ? ` (held by ${upgrade.gate.unhealthy.join('; ')})` : ''}; next step ${to}` }];
  }
}

export async function decideUpgradesRun(sources: UpgradesSources): Promise<Decision> {
  const { platform, now } = sources;
  const policy = platform.spec.policies.upgrades;
  const notes: string[] = [];
  const available = await sources.versions();
  let health = new Map<string, boolean>();
  let unavailable: string | undefined;
  if (!sources.health) unavailable = 'no Prometheus configured';
  if (!sources.health) notes.push('tenant health unavailable (no Prometheus configured): every tenant counts as unhealthy, nothing is upgraded');
  else {
    try {
      health = await sources.health(now);
    } catch (error) {
      unavailable = (error as Error).message;
      notes.push(`tenant health unavailable (${(error as Error).message}): every tenant counts as unhealthy, nothing is upgraded`);
    }
  }

  const fleet = sources.tenants.filter((t) => t.spec.mode === 'dedicated' && !t.spec.suspended);
  const lookback = (policy.soakHours + 1) * HOUR;
  const since = new Date(now.getTime() - lookback);
  if (!sources.history) notes.push('git history unavailable: canaries count as soaked since their version landed more than soakHours ago');
  let journal: Map<string, UpgradeRecord> | undefined;
  if (!sources.upgradeJournal) notes.push('upgrade journal unavailable (no DATABASE_URL): canary health falls back to rp9_tenant_ready');
  else {
    try {
      journal = await sources.upgradeJournal();
    } catch (error) {
      notes.push(`upgrade journal unavailable (${(error as Error).message}): canary health falls back to rp9_tenant_ready`);
    }
  }
  const inputs: UpgradeTenantInput[] = [];
  for (const tenant of fleet) {
    const name = tenant.metadata.name;
    const input: UpgradeTenantInput = { tenant, healthy: health.get(name) === true, currentVersion: declared(tenant, platform) };
    if (tenant.metadata.labels?.[policy.canaryLabel] === 'true') {
      if (journal) {
        const verdict = canaryHealth(declared(tenant, platform), journal.get(name), input.healthy);
        input.healthy = verdict.healthy;
        input.healthReason = verdict.reason;
        if (verdict.source === 'journal' && !verdict.healthy) notes.push(`canary ${name} holds the wave: ${verdict.reason}`);
      }
      const landed = await sources.history?.lastChangeAt(tenantFile(name), VERSION, since);
      input.upgradedAt = landed ?? since;
    }
    inputs.push(input);
  }
  const verdicts = new Map<string, boolean>();
  let upgrades = upgradeSteps({ tenants: inputs, available }, platform, now);
  if (!sources.installable) notes.push('installability unchecked (no installable source): versions are proposed without resolving their dependency tree');
  else {
    for (let round = 0; round < MAX_INSTALL_ROUNDS; round++) {
      const unchecked = uncheckedTargets(upgrades.map((u) => u.step.version), verdicts);
      if (unchecked.length === 0) break;
      for (const [version, installs] of await sources.installable(unchecked)) verdicts.set(version, installs);
      upgrades = upgradeSteps({ tenants: inputs, available: withoutUninstallable(available, verdicts) }, platform, now);
    }
    const stillUnchecked = uncheckedTargets(upgrades.map((u) => u.step.version), verdicts);
    if (stillUnchecked.length > 0) {
      notes.push(`installability of ${stillUnchecked.join(', ')} not checked after ${MAX_INSTALL_ROUNDS} rounds: not proposed this run`);
      upgrades = upgrades.filter((u) => !stillUnchecked.includes(u.step.version));
    }
    const skipped = uninstallable(verdicts);
    if (skipped.length > 0) notes.push(`not installable from the registry (dependency tree does not resolve), so not candidates: n8n ${skipped.join(', ')}`);
  }
  const proposals = upgradeProposals(upgrades, platform, now);
  if (eligibleVersions(available, policy.minReleaseAgeDays, now).length === 0) notes.push(`no version of at least ${policy.minReleaseAgeDays} days old is available`);
  const held = upgrades.flatMap((u) => heldOf(u, policy.soakHours));
  // A held major is not wanted: an open PR for it (majors switched to hold) is closed.
  const wanted = new Set(upgrades.filter((u) => u.status !== 'major-held').map((u) => u.input.tenant.metadata.name));
  return { proposals, wanted, held, notes, ...(unavailable !== undefined ? { metricsUnavailable: unavailable } : {}) };
}

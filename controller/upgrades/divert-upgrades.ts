// The reconcile hook of blue/green upgrades, pure: a dedicated tenant whose
// running main would be recreated on another n8n version is not recreated.
// Its container actions leave the plan and the plan carries an `upgrade`
// operation instead, which the pass starts (one operation per tenant). While
// an upgrade runs, the tenant's containers belong to it: the plan holds them.
import type { Action, Plan, PlannedOperation, TenantPlan } from '../model.js';
import { summarize } from '../plan/plan.js';
import type { HeldTenant } from '../reconcile/gate.js';

export interface UpgradeToStart {
  tenant: string;
  fromVersion: string;
  toVersion: string;
  /** The containers serving the tenant now (green): stopped at the swap, started on rollback, removed at cleanup. */
  greenContainers: string[];
}

export interface DivertedPlan {
  plan: Plan;
  start: UpgradeToStart[];
  /** Tenants whose upgrade to the version git asks for failed: stalled (UpgradeFailed) until git changes the version. */
  held: HeldTenant[];
}

/** Upgrades in the journal, per tenant: under way, or the newest one failed. */
export interface UpgradeJournal {
  running: ReadonlyMap<string, { from: string; to: string }>;
  failed: ReadonlyMap<string, { to: string; message: string }>;
}

export const UPGRADE_FAILED = 'upgrade.upgrade-failed';

/** The tag of `image:tag` (the n8n version rp9 images carry). */
export function imageVersion(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

/** The version change of a tenant's running main, when its plan would recreate it on another image. */
export function versionChange(tenant: TenantPlan): { from: string; to: string } | undefined {
  for (const action of tenant.actions) {
    if (action.op !== 'recreate' || action.kind !== 'container') continue;
    const { desired, observed } = action;
    if (desired?.kind !== 'container' || observed?.kind !== 'container' || desired.role !== 'main') continue;
    if (observed.state !== 'running' || !desired.running) continue;
    const from = imageVersion(observed.image);
    const to = imageVersion(desired.image);
    if (from !== to) return { from, to };
  }
  return undefined;
}

function withOperation(tenant: TenantPlan, operation: PlannedOperation, keep: (a: Action) => boolean): TenantPlan {
  const actions = tenant.actions.filter(keep);
  const change = tenant.change === 'noop' ? 'update' : tenant.change;
  return { ...tenant, change, actions, operation };
}

/**
 * `upgrading`: tenants with an unfinished upgrade (their container and route
 * actions are held: the operation owns both stacks and the route).
 */
export function divertUpgrades(plan: Plan, journal: UpgradeJournal): DivertedPlan {
  const start: UpgradeToStart[] = [];
  const held: HeldTenant[] = [];
  let diverted = false;
  const tenants = plan.tenants.map((tenant) => {
    const running = journal.running.get(tenant.tenant);
    if (running) {
      diverted = true;
      const operation: PlannedOperation = { kind: 'upgrade', status: 'running', from: running.from, to: running.to, reason: 'an upgrade is under way' };
      return withOperation(tenant, operation, (a) => a.kind === 'database' || a.kind === 'volume');
    }
    if (tenant.change !== 'update') return tenant;
    const change = versionChange(tenant);
    if (!change) return tenant;
    diverted = true;
    const failed = journal.failed.get(tenant.tenant);
    if (failed?.to === change.to) {
      // Not again: the failed upgrade opened a PR that sets the version back; a human decides.
      held.push({ tenant: tenant.tenant, code: UPGRADE_FAILED, message: `upgrade to n8n ${change.to} failed and was rolled back: ${failed.message}`, transient: false });
      return withOperation(tenant, { kind: 'upgrade', status: 'failed', from: change.from, to: change.to, reason: failed.message }, () => false);
    }
    const greenContainers = tenant.actions.flatMap((a) => (a.observed?.kind === 'container' ? [a.observed.name] : []));
    start.push({ tenant: tenant.tenant, fromVersion: change.from, toVersion: change.to, greenContainers });
    const operation: PlannedOperation = { kind: 'upgrade', status: 'start', from: change.from, to: change.to, reason: `n8n ${change.from} → ${change.to}` };
    // The new colour's containers and the route move are the operation's; the rest (database, volume) applies now.
    return withOperation(tenant, operation, (a) => a.kind === 'database' || a.kind === 'volume');
  });
  if (!diverted) return { plan, start, held };
  // summarize adds noop actions to the unchanged count it is given: take them out first.
  const unchanged = plan.summary.unchanged - plan.tenants.reduce((n, t) => n + t.actions.filter((a) => a.op === 'noop').length, 0);
  return { plan: { ...plan, tenants, summary: summarize(tenants, unchanged) }, start, held };
}

// The reconcile loop's side of blue/green upgrades, kept out of the
// reconciler: read the journal once per pass (live colours, upgrades under
// way or failed), divert the plan (divert-upgrades.ts), and start the
// upgrades the plan asks for on the operation engine.
import { backupInput } from '../backups/naming.js';
import { otherColour, type Colour } from '../compile/names.js';
import type { Plan } from '../model.js';
import type { OperationsApi } from '../store/operations-repo.js';
import type { UpgradeStart } from '../operations/upgrade.js';
import { divertUpgrades, type DivertedPlan, type UpgradeJournal, type UpgradeToStart } from './divert-upgrades.js';
import { liveColours, upgradeInput, UPGRADE_KIND } from './live-colour.js';

export interface UpgradeView extends UpgradeJournal {
  colours: Map<string, Colour>;
}

export interface UpgradeHook {
  view(): Promise<UpgradeView>;
  divert(plan: Plan, view: UpgradeView): DivertedPlan;
  /** Starts each upgrade; a tenant with another operation under way waits for a later pass. Returns the operation ids started. */
  start(upgrades: readonly UpgradeToStart[], view: UpgradeView): Promise<string[]>;
}

export interface UpgradeHookOptions {
  operations: Pick<OperationsApi, 'latestByKind'>;
  startOperation(kind: string, tenant: string, state: Record<string, unknown>): Promise<{ id: string }>;
  now?(): Date;
}

export function upgradeJournal(latest: Parameters<typeof liveColours>[0]): UpgradeView {
  const running = new Map<string, { from: string; to: string }>();
  const failed = new Map<string, { to: string; message: string }>();
  for (const op of latest) {
    if (op.kind !== UPGRADE_KIND) continue;
    const input = upgradeInput(op);
    if (op.finishedAt === null) running.set(op.tenant, { from: input.fromVersion, to: input.toVersion });
    else if (op.status !== 'done') failed.set(op.tenant, { to: input.toVersion, message: op.error ?? op.status });
  }
  return { colours: liveColours(latest), running, failed };
}

export function createUpgradeHook(options: UpgradeHookOptions): UpgradeHook {
  return {
    async view() {
      return upgradeJournal(await options.operations.latestByKind(UPGRADE_KIND));
    },
    divert: divertUpgrades,
    async start(upgrades, view) {
      const ids: string[] = [];
      for (const u of upgrades) {
        const fromColour = view.colours.get(u.tenant) ?? 'green';
        const state: UpgradeStart = {
          fromVersion: u.fromVersion,
          toVersion: u.toVersion,
          fromColour,
          toColour: otherColour(fromColour),
          greenContainers: u.greenContainers,
          backup: { ...backupInput(u.tenant, 'pre-upgrade', options.now?.() ?? new Date(), { mode: 'dedicated', n8nVersion: u.fromVersion }) },
        };
        try {
          ids.push((await options.startOperation(UPGRADE_KIND, u.tenant, state as unknown as Record<string, unknown>)).id);
        } catch (error) {
          if ((error as { code?: string }).code !== 'store.operation-in-progress') throw error;
        }
      }
      return ids;
    },
  };
}

// What `rp9 tenant rollback` (and the API's blue-green `rollback`) does with a
// tenant's newest upgrade, decided from the journal alone. Pure.
//   before the swap     cancel: the upgrade fails at its step, blue is discarded
//                       (green never stopped serving)
//   swap or watch       roll back to green: the swap is undone (green starts
//                       again on its untouched database, the route returns),
//                       blue is discarded; what blue wrote since the swap is lost
//   cleanup, green kept (keepGreenHours, at least KEEP_MARGIN_SECONDS left)
//                       roll back to green as in the watch
//   cleanup running     refused: green is being removed; wait for the end
//   done (cleaned up)   restore the pre-upgrade backup in place, only when confirmed
//   already rolling back, rolled back or given up: refused, nothing to do
import type { Operation } from '../store/types.js';
import { upgradeInput } from './live-colour.js';

/** Steps before the swap: a request cancels the upgrade there. */
export const BEFORE_SWAP_STEPS = ['backup', 'copy-database', 'blue-up', 'gate'] as const;
/** Steps where a request rolls back to green. */
export const ROLLBACK_STEPS = ['swap', 'watch'] as const;
/** While green is kept, a rollback is taken only this long before it is removed (the cleanup step's timeout and then some), so it never meets a removal under way. */
export const KEEP_MARGIN_SECONDS = 15 * 60;

export type RollbackDecision =
  | { action: 'cancel'; operationId: string; step: string; atSteps: readonly string[] }
  | { action: 'roll-back'; operationId: string; step: string; atSteps: readonly string[] }
  | { action: 'restore'; operationId: string; backupId: string }
  | { action: 'refuse'; code: RollbackRefusal; message: string };

export type RollbackRefusal =
  | 'upgrade.none'
  | 'upgrade.cleanup-running'
  | 'upgrade.rolling-back'
  | 'upgrade.not-upgraded'
  | 'upgrade.no-backup'
  | 'upgrade.confirm-required';

/** `newest` is the tenant's newest upgrade operation (undefined: none); `confirmed` is --confirm <tenant> (or the API's confirm). */
export function rollbackDecision(tenant: string, newest: Operation | undefined, confirmed: boolean, now: Date): RollbackDecision {
  if (!newest) return { action: 'refuse', code: 'upgrade.none', message: `tenant ${tenant} has no upgrade in the journal: nothing to roll back (rp9 restore --in-place restores any backup)` };
  const { fromVersion, toVersion } = upgradeInput(newest);
  const what = `upgrade ${newest.id} (n8n ${fromVersion} → ${toVersion})`;
  if (newest.finishedAt === null && newest.status === 'failed') {
    return { action: 'refuse', code: 'upgrade.rolling-back', message: `${what} failed and is rolling back to green already (${newest.error ?? 'no error recorded'}); follow it with rp9 tenant upgrade-status ${tenant}` };
  }
  if (newest.finishedAt !== null && newest.status !== 'done') {
    return { action: 'refuse', code: 'upgrade.not-upgraded', message: `${what} ended ${newest.status}: ${tenant} runs n8n ${fromVersion} on green already; nothing to roll back` };
  }
  if (newest.status === 'done') {
    const backupId = typeof newest.state.backupId === 'string' ? newest.state.backupId : undefined;
    if (!backupId) return { action: 'refuse', code: 'upgrade.no-backup', message: `${what} finished but journals no pre-upgrade backup; pick a backup with rp9 backup list ${tenant}` };
    if (!confirmed) {
      return { action: 'refuse', code: 'upgrade.confirm-required', message: `${what} finished and green is gone: the way back is an in-place restore of the pre-upgrade backup ${backupId}, which replaces ${tenant}'s data with what it held before the upgrade (everything written since is lost); repeat the tenant name with --confirm ${tenant}` };
    }
    return { action: 'restore', operationId: newest.id, backupId };
  }
  const step = newest.steps[newest.currentStep]?.name ?? '';
  if ((BEFORE_SWAP_STEPS as readonly string[]).includes(step)) return { action: 'cancel', operationId: newest.id, step, atSteps: BEFORE_SWAP_STEPS };
  if ((ROLLBACK_STEPS as readonly string[]).includes(step)) return { action: 'roll-back', operationId: newest.id, step, atSteps: ROLLBACK_STEPS };
  const keptUntil = typeof newest.state.greenKeptUntil === 'string' ? Date.parse(newest.state.greenKeptUntil) : Number.NaN;
  if (step === 'cleanup' && keptUntil - now.getTime() >= KEEP_MARGIN_SECONDS * 1000) return { action: 'roll-back', operationId: newest.id, step, atSteps: [...ROLLBACK_STEPS, 'cleanup'] };
  return { action: 'refuse', code: 'upgrade.cleanup-running', message: `${what} is at step ${step}: the watch passed and green is being removed; once it is done, roll back with --confirm ${tenant} (an in-place restore of the pre-upgrade backup)` };
}

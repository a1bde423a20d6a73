// A rollback (or, before the swap, a cancel) asked for from outside the
// runner, by `rp9 tenant rollback` or the API: it is journaled as a failure of
// the upgrade's current step, in one transaction that checks the step is still
// one where that is allowed. The leader's operations loop then takes the
// engine's one failure path: undo the swap (green back on its untouched
// database, the route back to green), discard blue, record UpgradeFailed with
// what blue wrote since the swap. Nothing here touches Docker or a database.
import type { OperationsApi } from '../store/operations-repo.js';
import type { Operation } from '../store/types.js';
import type { RollbackDecision } from './rollback-decision.js';

export const ROLLBACK_REQUESTED = 'upgrade.rollback-requested';
export const CANCEL_REQUESTED = 'upgrade.cancel-requested';

export interface RollbackRequest {
  /** Who asked: `cli:<user>`, `api:<subject>`. */
  by: string;
  reason?: string;
  at: Date;
}

/** Journals the request of a `cancel` or `roll-back` decision; store.conflict when the upgrade moved on meanwhile. */
export async function journalRollback(operations: OperationsApi, decision: Extract<RollbackDecision, { action: 'cancel' | 'roll-back' }>, request: RollbackRequest): Promise<Operation> {
  const code = decision.action === 'roll-back' ? ROLLBACK_REQUESTED : CANCEL_REQUESTED;
  const what = decision.action === 'roll-back' ? 'rollback to green' : 'cancel of the upgrade (blue is discarded)';
  const message = `[${code}] ${what} requested by ${request.by} at step ${decision.step}${request.reason ? `: ${request.reason}` : ''}`;
  const state = { errorCode: code, rollbackRequest: { by: request.by, at: request.at.toISOString(), reason: request.reason ?? null, step: decision.step } };
  return operations.fail(decision.operationId, message, state, { atSteps: decision.atSteps });
}

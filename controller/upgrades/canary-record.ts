// The upgrades bot's view of the journal (bots/upgrades/canary-health.ts):
// each tenant's newest upgrade operation as an UpgradeRecord. Pure mapping;
// upgradeJournal() reads the store.
import type { UpgradeRecord } from '../../bots/upgrades/canary-health.js';
import type { OperationsApi } from '../store/operations-repo.js';
import type { Operation } from '../store/types.js';
import { UPGRADE_KIND, upgradeInput } from './live-colour.js';

export function upgradeRecord(op: Operation): UpgradeRecord {
  const verdict = (op.state.errorRate as { verdict?: unknown } | undefined)?.verdict;
  return {
    operationId: op.id,
    toVersion: upgradeInput(op).toVersion,
    status: op.status,
    finished: op.finishedAt !== null,
    step: op.finishedAt === null ? (op.steps[op.currentStep]?.name ?? null) : null,
    watchPassed: op.steps.some((s) => s.name === 'watch' && s.status === 'done'),
    errorRateRose: verdict === 'rose' ? true : verdict === 'steady' ? false : null,
    error: op.error,
  };
}

/** Each tenant's newest upgrade, by tenant. */
export async function upgradeJournal(operations: Pick<OperationsApi, 'latestByKind'>): Promise<Map<string, UpgradeRecord>> {
  return new Map((await operations.latestByKind(UPGRADE_KIND)).map((op) => [op.tenant, upgradeRecord(op)]));
}

// The operations loop's part of the shared n8n's cleanup: each pass, start the
// cleanups that are due (cleanup-due.ts decides), one operation per tenant; a
// tenant with another operation running waits for the next pass.
import type { Logger } from '../../kernel/log/logger.js';
import type { OperationEngine } from '../operations/engine.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import { CLEANUP_KIND, dueCleanups, MOVES_BACK } from './cleanup-due.js';

export async function startDueCleanups(engine: OperationEngine, store: Store, good: GoodConfig, now: Date, logger: Logger): Promise<string[]> {
  const kinds = ['promotion', CLEANUP_KIND, ...MOVES_BACK];
  const ops = (await Promise.all(kinds.map((kind) => store.operations.listByKind(kind, 1000)))).flat().sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const tenants = good.config.tenants.map(({ name, tenant }) => ({ name, mode: tenant.spec.mode }));
  const started: string[] = [];
  for (const due of dueCleanups(tenants, ops, now)) {
    try {
      const op = await engine.start(CLEANUP_KIND, due.tenant, { promotionId: due.promotionId });
      started.push(op.id);
      logger.info('shared cleanup started: the grace period after the promotion has passed', { tenant: due.tenant, operation_id: op.id, promotion_id: due.promotionId });
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Another operation of the tenant is running (next pass), or this controller cannot reach the shared n8n (promotion.not-configured says so).
      if (code === 'store.operation-in-progress' || code === 'operations.unknown-kind') continue;
      throw error;
    }
  }
  return started;
}

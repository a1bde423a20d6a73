// The operations loop's part of promotions: each pass, start the promotions
// that are due (controller/promotion/views.ts decides which), one operation
// per tenant; a tenant with another operation running waits for the next pass.
import type { Logger } from '../../kernel/log/logger.js';
import type { OperationEngine } from '../operations/engine.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import { duePromotions, promotionViews } from './views.js';

export async function startDuePromotions(engine: OperationEngine, store: Store, good: GoodConfig, now: Date, logger: Logger): Promise<string[]> {
  const views = promotionViews(await store.operations.listByKind('promotion', 1000), now);
  const started: string[] = [];
  for (const due of duePromotions(good.config.tenants, views, now, good.commit)) {
    try {
      const op = await engine.start('promotion', due.tenant, { ...due.input });
      started.push(op.id);
      logger.info('promotion started', { tenant: due.tenant, operation_id: op.id, window: due.input.window, ttl_minutes: due.input.ttlMinutes });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'store.operation-in-progress') continue;
      if (code === 'operations.unknown-kind') {
        logger.warn('promotion due but this controller cannot run promotions (shared n8n settings missing)', { tenant: due.tenant, code: 'promotion.not-configured' });
        continue;
      }
      throw error;
    }
  }
  return started;
}

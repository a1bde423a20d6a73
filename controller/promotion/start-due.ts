// The operations loop's part of promotions: each pass, start the promotions
// that are due (controller/promotion/views.ts decides which), one operation
// per tenant; a tenant with another operation running waits for the next pass.
import type { Logger } from '../../kernel/log/logger.js';
import type { OperationEngine } from '../operations/engine.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import { notOnSwarm } from '../swarm/not-on-swarm.js';
import { duePromotions, promotionViews } from './views.js';

/**
 * `notConfigured`: the tenant/generation pairs already warned about (promotion.not-configured), kept by the
 * caller across passes so that a due promotion this controller cannot run is logged once, not every pass.
 */
export async function startDuePromotions(engine: OperationEngine, store: Store, good: GoodConfig, now: Date, logger: Logger, notConfigured: Set<string> = new Set()): Promise<string[]> {
  const views = promotionViews(await store.operations.listByKind('promotion', 1000), now);
  const started: string[] = [];
  // On a swarm no promotion starts: the tenant stays on the shared route (its dedicated services may run, unused).
  const refusal = notOnSwarm(good.platform, 'promotions');
  for (const due of duePromotions(good.config.tenants, views, now, good.commit)) {
    if (refusal) {
      const key = `${due.tenant}@${due.input.generation}`;
      if (!notConfigured.has(key)) {
        notConfigured.add(key);
        logger.warn('promotion due but not started: the tenant stays on the shared route (logged once per tenant and generation)', { tenant: due.tenant, code: refusal.code, error: refusal.message, window: due.input.window });
      }
      continue;
    }
    try {
      const op = await engine.start('promotion', due.tenant, { ...due.input });
      started.push(op.id);
      logger.info('promotion started', { tenant: due.tenant, operation_id: op.id, window: due.input.window, ttl_minutes: due.input.ttlMinutes });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'store.operation-in-progress') continue;
      if (code === 'operations.unknown-kind') {
        const key = `${due.tenant}@${due.input.generation}`;
        if (notConfigured.has(key)) continue;
        notConfigured.add(key);
        logger.warn('promotion due but this controller cannot run promotions (shared n8n settings missing); the tenant stays on the shared route until they are set and the controller restarts (logged once per tenant and generation)', { tenant: due.tenant, code: 'promotion.not-configured', window: due.input.window });
        continue;
      }
      throw error;
    }
  }
  return started;
}

// The operations loop's part of demotions: each pass, start the demotions
// that are due (controller/demotion/views.ts decides which), one operation per
// tenant; a tenant with another operation running waits for the next pass.
// The dedicated stacks come from the Docker engine (their main containers).
import type Docker from 'dockerode';
import type { Logger } from '../../kernel/log/logger.js';
import { LABEL, MANAGED_BY } from '../model.js';
import type { OperationEngine } from '../operations/engine.js';
import { promotionViews } from '../promotion/views.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import { dedicatedStacksOf, DEMOTION_KIND, demotionViews, dueDemotions, type DedicatedStack } from './views.js';

/** Default freeze budget of a demotion: the promotion policy's ttlMinutes, else 10. */
function ttlMinutesOf(good: GoodConfig): number {
  const policy = (good.platform.spec.policies as { promotion?: { ttlMinutes?: number } } | undefined)?.promotion;
  return policy?.ttlMinutes ?? 10;
}

/** The environment's dedicated stacks on the engine, by their main containers' owner labels. */
export async function dedicatedStacksOnEngine(docker: Docker, environment: string): Promise<Map<string, DedicatedStack>> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.environment}=${environment}`, `${LABEL.role}=main`] } });
  return dedicatedStacksOf(listed.map((c) => ({ tenant: c.Labels[LABEL.tenant] ?? '', role: c.Labels[LABEL.role] ?? '', image: c.Image })).filter((c) => c.tenant !== ''));
}

/** `notConfigured`: tenant/generation pairs already warned about (demotion.not-configured), kept across passes. */
export async function startDueDemotions(engine: OperationEngine, store: Store, good: GoodConfig, stacks: ReadonlyMap<string, DedicatedStack>, now: Date, logger: Logger, notConfigured: Set<string> = new Set()): Promise<string[]> {
  const facts = {
    promotions: promotionViews(await store.operations.listByKind('promotion', 1000), now),
    demotions: demotionViews(await store.operations.listByKind(DEMOTION_KIND, 1000), now),
    stacks,
  };
  const started: string[] = [];
  for (const due of dueDemotions(good.config.tenants, facts, good.commit, ttlMinutesOf(good))) {
    try {
      const op = await engine.start(DEMOTION_KIND, due.tenant, { ...due.input });
      started.push(op.id);
      logger.info('demotion started', { tenant: due.tenant, operation_id: op.id, ttl_minutes: due.input.ttlMinutes });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'store.operation-in-progress') continue;
      if (code === 'operations.unknown-kind') {
        const key = `${due.tenant}@${due.input.generation}`;
        if (notConfigured.has(key)) continue;
        notConfigured.add(key);
        logger.warn('demotion due but this controller cannot run demotions (shared n8n settings missing): the route moves to the shared n8n without the data and the dedicated containers are removed (logged once per tenant and generation)', { tenant: due.tenant, code: 'demotion.not-configured' });
        continue;
      }
      throw error;
    }
  }
  return started;
}

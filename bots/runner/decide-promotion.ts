// The promotion bot's inputs and decision. Trigger A needs Prometheus; when
// it is unavailable the run still scores Trigger B (compliance, from the
// config alone) and says so.
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import { decidePromotion, type PromotionMetrics } from '../promotion/decide.js';
import type { BotMetrics, WindowFigures } from '../sources/types.js';
import type { Decision } from './types.js';

export interface PromotionSources {
  platform: Platform;
  tenants: Tenant[];
  metrics?: BotMetrics;
  window: string;
  now: Date;
}

function promotionMetrics(figures: WindowFigures, window: string): PromotionMetrics {
  return {
    queueWaitP95Seconds: figures.queueWaitP95Seconds ?? Number.NaN,
    executionsMonth: figures.executionsMonth ?? Number.NaN,
    concurrentExecutions: figures.concurrentExecutions ?? Number.NaN,
    window,
  };
}

export async function decidePromotionRun(sources: PromotionSources): Promise<Decision> {
  const notes: string[] = [];
  let figures: Map<string, WindowFigures> | undefined;
  let unavailable: string | undefined;
  if (!sources.metrics) {
    unavailable = 'no Prometheus configured';
    notes.push('metrics unavailable (no Prometheus configured): Trigger A (performance) not evaluated; Trigger B (compliance) candidates only');
  } else {
    try {
      figures = await sources.metrics.window(sources.window, sources.now);
    } catch (error) {
      unavailable = (error as Error).message;
      notes.push(`metrics unavailable (${(error as Error).message}): Trigger A (performance) not evaluated; Trigger B (compliance) candidates only`);
    }
  }
  const inputs = sources.tenants.map((tenant) => {
    const found = figures?.get(tenant.metadata.name);
    return found ? { tenant, metrics: promotionMetrics(found, sources.window) } : { tenant };
  });
  const decision = decidePromotion({ tenants: inputs }, sources.platform, sources.now);
  return {
    proposals: decision.proposals,
    // Without Trigger A a candidate may be missing only for lack of data: close nothing then.
    wanted: figures ? new Set(decision.candidates.map((c) => c.tenant)) : undefined,
    held: [],
    candidates: decision.candidates,
    notes,
    ...(unavailable !== undefined ? { metricsUnavailable: unavailable } : {}),
  };
}

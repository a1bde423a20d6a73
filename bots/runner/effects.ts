// Carries out the enforcement bot's effects after its pull requests: each
// notice (sent once by its key: the sink keeps the record) and each overage
// meter event (Stripe dedupes by its identifier). A failure is reported and
// left for the next hourly run, which computes the same keys, so nothing is
// lost and nothing is sent or billed twice.
import type { Logger } from '../../kernel/log/logger.js';
import type { MeterEvent, Notice } from '../enforcement/decide.js';
import type { EffectResult, EnforcementEffects } from './types.js';

export interface EffectsInput {
  notices: readonly Notice[];
  meterEvents: readonly MeterEvent[];
}

/** What a dry run (or a run without sinks) would do. */
export function plannedEffects(input: EffectsInput, outcome: 'planned' | 'skipped' = 'planned', detail?: string): EffectResult[] {
  const extra = detail ? { detail } : {};
  return [
    ...input.notices.map((n): EffectResult => ({ kind: 'notice', key: n.key, tenant: n.tenant, outcome, ...extra })),
    ...input.meterEvents.map((e): EffectResult => ({ kind: 'meter-event', key: e.identifier, tenant: e.tenant, outcome: e.customer ? outcome : 'skipped', ...(e.customer ? extra : { detail: 'no spec.billing.stripeCustomerId' }) })),
  ];
}

export async function executeEffects(effects: EnforcementEffects, input: EffectsInput, logger: Logger): Promise<EffectResult[]> {
  const results: EffectResult[] = [];
  for (const notice of input.notices) {
    try {
      const outcome = await effects.notify(notice);
      results.push({ kind: 'notice', key: notice.key, tenant: notice.tenant, outcome });
    } catch (error) {
      logger.warn('notice not delivered; the next run retries it', { tenant: notice.tenant, key: notice.key, error: (error as Error).message });
      results.push({ kind: 'notice', key: notice.key, tenant: notice.tenant, outcome: 'failed', detail: (error as Error).message });
    }
  }
  for (const event of input.meterEvents) {
    if (!event.customer) {
      results.push({ kind: 'meter-event', key: event.identifier, tenant: event.tenant, outcome: 'skipped', detail: 'no spec.billing.stripeCustomerId' });
      continue;
    }
    try {
      await effects.meter(event);
      results.push({ kind: 'meter-event', key: event.identifier, tenant: event.tenant, outcome: 'sent' });
    } catch (error) {
      logger.warn('meter event not reported; the next run retries it with the same identifier', { tenant: event.tenant, key: event.identifier, error: (error as Error).message });
      results.push({ kind: 'meter-event', key: event.identifier, tenant: event.tenant, outcome: 'failed', detail: (error as Error).message });
    }
  }
  return results;
}

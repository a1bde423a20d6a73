// What the journal says about each tenant's promotion, for the reconcile loop
// (which route compile gives it, whether its dedicated stack stays stopped),
// `rp9 status` (phase migrating, step, elapsed freeze) and the operations
// loop (which promotions are due). Pure: the operations come in, newest first.
import type { LoadedTenant } from '../../config/types.js';
import type { PromotionRoute } from '../model.js';
import type { HeldTenant } from '../reconcile/gate.js';
import type { PromotionInput } from '../operations/promotion.js';
import { DEFAULT_GRACE_DAYS } from '../operations/promotion.js';
import type { Operation } from '../store/types.js';
import { freezeState } from './content.js';

export interface PromotionView extends PromotionRoute {
  operationId: string;
  startedAt: Date;
  phase: 'migrating' | 'promoted' | 'failed';
  /** The step running (or being undone) while migrating. */
  step: string | null;
  freezeSeconds: number;
  /** The tenant's generation the promotion started from (a failed one is retried only once git changes). */
  generation: string | null;
  error: string | null;
}

function stepStatus(op: Operation, name: string): string | undefined {
  return op.steps.find((s) => s.name === name)?.status;
}

/** The route a promotion's journal implies: moved once `switch` is done, frozen from `freeze` on until it is undone. */
export function routeOf(op: Operation): PromotionRoute['route'] {
  if (op.status === 'done' || stepStatus(op, 'switch') === 'done') return 'dedicated';
  const freeze = stepStatus(op, 'freeze');
  return freeze === 'running' || freeze === 'done' || freeze === 'failed' ? 'frozen' : 'shared';
}

export function promotionView(op: Operation, now: Date): PromotionView {
  const finished = op.finishedAt !== null;
  const phase = op.status === 'done' ? 'promoted' : finished ? 'failed' : 'migrating';
  const switched = typeof op.state.switchedAt === 'string';
  return {
    operationId: op.id,
    startedAt: op.startedAt,
    phase,
    route: phase === 'failed' ? 'shared' : routeOf(op),
    stopped: phase === 'failed',
    step: finished ? null : (op.steps[op.currentStep]?.name ?? null),
    freezeSeconds: typeof op.state.freezeSeconds === 'number' ? op.state.freezeSeconds : switched || finished ? 0 : freezeState(op.state.frozenAt as string | undefined, Number(op.state.ttlMinutes), now).seconds,
    generation: typeof op.state.generation === 'string' ? op.state.generation : null,
    error: op.error,
  };
}

/** Each tenant's latest promotion (operations newest first). */
export function promotionViews(ops: readonly Operation[], now: Date): Map<string, PromotionView> {
  const views = new Map<string, PromotionView>();
  for (const op of ops) if (op.kind === 'promotion' && !views.has(op.tenant)) views.set(op.tenant, promotionView(op, now));
  return views;
}

export interface DuePromotion {
  tenant: string;
  input: PromotionInput & { generation: string };
}

/**
 * Promotions to start: git says `mode: dedicated` with a `spec.promotion`
 * window at or before now, and the journal does not say the data moved, is
 * moving, or failed at this same generation (git must change first).
 */
export function duePromotions(tenants: readonly LoadedTenant[], views: ReadonlyMap<string, PromotionView>, now: Date, commit: string): DuePromotion[] {
  const due: DuePromotion[] = [];
  for (const { name, tenant, generation } of tenants) {
    const { spec } = tenant;
    if (spec.mode !== 'dedicated' || !spec.promotion || spec.suspended) continue;
    if (Date.parse(spec.promotion.window) > now.getTime()) continue;
    const view = views.get(name);
    if (view?.phase === 'promoted' || view?.phase === 'migrating') continue;
    if (view?.phase === 'failed' && view.generation === generation) continue;
    due.push({ tenant: name, input: { ttlMinutes: spec.promotion.ttlMinutes ?? 10, window: spec.promotion.window, commit, graceDays: DEFAULT_GRACE_DAYS, generation } });
  }
  return due;
}

/** The compile input: each promoting tenant's route and whether its stack stays stopped. */
export function promotionRoutes(views: ReadonlyMap<string, PromotionView>): Map<string, PromotionRoute> {
  return new Map([...views].map(([tenant, v]) => [tenant, { route: v.route, stopped: v.stopped }]));
}

export const PROMOTION_FAILED = 'promotion.promotion-failed';

/**
 * Tenants whose latest promotion failed at the generation git still has:
 * the reconcile pass reports them Stalled (PromotionFailed) instead of Ready,
 * until git changes (the rollback PR merged, or a new window).
 */
export function failedPromotions(tenants: readonly LoadedTenant[], views: ReadonlyMap<string, PromotionView>): HeldTenant[] {
  const held: HeldTenant[] = [];
  for (const { name, generation } of tenants) {
    const view = views.get(name);
    if (view?.phase !== 'failed' || view.generation !== generation) continue;
    held.push({ tenant: name, code: PROMOTION_FAILED, message: `promotion ${view.operationId} rolled back: ${view.error ?? 'failed'}; served by the shared n8n, its dedicated stack stopped, until git changes`, transient: false });
  }
  return held;
}

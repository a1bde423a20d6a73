// What the journal says about each tenant's demotion (dedicated → shared),
// and the pure decisions around it: where a tenant's data lives, which
// demotions start, what compile keeps of a demoting tenant's dedicated stack,
// and which tenants stall after a failed one. Operations come in newest first.
import type { LoadedTenant } from '../../config/types.js';
import type { PromotionRoute } from '../model.js';
import type { HeldTenant } from '../reconcile/gate.js';
import type { Operation } from '../store/types.js';
import { freezeState } from '../promotion/content.js';
import type { PromotionView } from '../promotion/views.js';

export const DEMOTION_KIND = 'demotion';
export const DEMOTION_FAILED = 'demotion.demotion-failed';
export const DEFAULT_DEMOTION_GRACE_DAYS = 7;

export interface DemotionView {
  operationId: string;
  startedAt: Date;
  phase: 'migrating' | 'demoted' | 'failed';
  /** The step running (or being undone) while migrating. */
  step: string | null;
  /** Where the tenant's route points by the journal: dedicated until the freeze, frozen, shared once switched. */
  route: PromotionRoute['route'];
  freezeSeconds: number;
  generation: string | null;
  /** Once demoted: until when the stopped dedicated stack is kept (then only its database and volume are). */
  keepStackUntil: string | null;
  error: string | null;
}

/** A dedicated stack that exists on the engine (its main container), with the n8n version it runs. */
export interface DedicatedStack {
  n8nVersion: string | null;
}

function stepStatus(op: Operation, name: string): string | undefined {
  return op.steps.find((s) => s.name === name)?.status;
}

/** The route a demotion's journal implies: shared once `switch` is done, frozen from `freeze` on until it is undone, else dedicated. */
export function demotionRouteOf(op: Operation): PromotionRoute['route'] {
  if (op.status === 'done' || stepStatus(op, 'switch') === 'done') return 'shared';
  const freeze = stepStatus(op, 'freeze');
  return freeze === 'running' || freeze === 'done' || freeze === 'failed' ? 'frozen' : 'dedicated';
}

export function demotionView(op: Operation, now: Date): DemotionView {
  const finished = op.finishedAt !== null;
  const phase = op.status === 'done' ? 'demoted' : finished ? 'failed' : 'migrating';
  const switched = typeof op.state.switchedAt === 'string';
  return {
    operationId: op.id,
    startedAt: op.startedAt,
    phase,
    // A failed demotion is rolled back to its dedicated n8n (an undo that failed leaves it frozen: a person decides).
    route: phase === 'failed' ? (op.status === 'rolled-back' ? 'dedicated' : demotionRouteOf(op)) : demotionRouteOf(op),
    step: finished ? null : (op.steps[op.currentStep]?.name ?? null),
    freezeSeconds: typeof op.state.freezeSeconds === 'number' ? op.state.freezeSeconds : switched || finished ? 0 : freezeState(op.state.frozenAt as string | undefined, Number(op.state.ttlMinutes), now).seconds,
    generation: typeof op.state.generation === 'string' ? op.state.generation : null,
    keepStackUntil: typeof op.state.keepStackUntil === 'string' ? op.state.keepStackUntil : null,
    error: op.error,
  };
}

/** Each tenant's latest demotion (operations newest first). */
export function demotionViews(ops: readonly Operation[], now: Date): Map<string, DemotionView> {
  const views = new Map<string, DemotionView>();
  for (const op of ops) if (op.kind === DEMOTION_KIND && !views.has(op.tenant)) views.set(op.tenant, demotionView(op, now));
  return views;
}

/**
 * Whether a tenant's workflows and credentials live on its dedicated n8n. The newer of its latest
 * promotion and demotion decides: a finished demotion put them on shared, any other demotion (moving,
 * rolled back) left them on dedicated; a promotion that finished moved them there, one that failed or
 * still runs did not. With neither in the journal (a tenant created dedicated), an existing dedicated
 * stack holds them.
 */
export function dataOnDedicated(promotion: Pick<PromotionView, 'phase' | 'startedAt'> | undefined, demotion: Pick<DemotionView, 'phase' | 'startedAt'> | undefined, stackExists: boolean): boolean {
  const demotionIsNewer = demotion !== undefined && (promotion === undefined || demotion.startedAt.getTime() > promotion.startedAt.getTime());
  if (demotionIsNewer) return demotion.phase !== 'demoted';
  if (promotion) return promotion.phase === 'promoted';
  return stackExists;
}

export interface DemotionInput {
  ttlMinutes: number;
  commit: string;
  generation: string;
  graceDays: number;
  /** The dedicated stack's n8n version when it started (compile keeps that image while the stack is kept). */
  n8nVersion: string | null;
}

export interface DueDemotion {
  tenant: string;
  input: DemotionInput;
}

export interface DemotionFacts {
  promotions: ReadonlyMap<string, Pick<PromotionView, 'phase' | 'startedAt'>>;
  demotions: ReadonlyMap<string, DemotionView>;
  stacks: ReadonlyMap<string, DedicatedStack>;
}

/**
 * Demotions to start: git says `mode: shared` (not suspended), the data is on the dedicated n8n, and
 * no demotion of the tenant is moving or failed at this same generation (git must change first: the
 * rollback PR sets it back to dedicated, or a new failover edit).
 */
export function dueDemotions(tenants: readonly LoadedTenant[], facts: DemotionFacts, commit: string, ttlMinutes: number): DueDemotion[] {
  const due: DueDemotion[] = [];
  for (const { name, tenant, generation } of tenants) {
    if (tenant.spec.mode !== 'shared' || tenant.spec.suspended) continue;
    const demotion = facts.demotions.get(name);
    const stack = facts.stacks.get(name);
    if (!dataOnDedicated(facts.promotions.get(name), demotion, stack !== undefined)) continue;
    if (demotion?.phase === 'migrating') continue;
    if (demotion?.phase === 'failed' && demotion.generation === generation) continue;
    due.push({ tenant: name, input: { ttlMinutes, commit, generation, graceDays: DEFAULT_DEMOTION_GRACE_DAYS, n8nVersion: stack?.n8nVersion ?? null } });
  }
  return due;
}

/** What compile keeps for a shared tenant whose data is (or was until lately) on its dedicated stack. */
export interface DemotionHold extends PromotionRoute {
  n8nVersion: string | null;
}

/**
 * The compile input for shared tenants: while the data is on dedicated (before the demotion, during it,
 * after a rollback) the stack runs and the route points where the journal says; once demoted the stack
 * is kept stopped until `keepStackUntil`, then nothing is held (its containers go, database and volume stay).
 */
export function demotionHolds(tenants: readonly LoadedTenant[], facts: DemotionFacts, now: Date): Map<string, DemotionHold> {
  const holds = new Map<string, DemotionHold>();
  for (const { name, tenant } of tenants) {
    if (tenant.spec.mode !== 'shared') continue;
    const demotion = facts.demotions.get(name);
    const stack = facts.stacks.get(name);
    const n8nVersion = stack?.n8nVersion ?? null;
    if (dataOnDedicated(facts.promotions.get(name), demotion, stack !== undefined)) {
      holds.set(name, { route: demotion?.phase === 'migrating' || demotion?.phase === 'failed' ? demotion.route : 'dedicated', stopped: false, n8nVersion });
      continue;
    }
    if (demotion?.phase !== 'demoted' || !stack) continue;
    const newerPromotion = facts.promotions.get(name);
    if (newerPromotion && newerPromotion.startedAt.getTime() > demotion.startedAt.getTime()) continue;
    if (demotion.keepStackUntil && Date.parse(demotion.keepStackUntil) <= now.getTime()) continue;
    holds.set(name, { route: 'shared', stopped: true, n8nVersion });
  }
  return holds;
}

/**
 * Tenants whose latest demotion failed at the generation git still has: Stalled (DemotionFailed) and
 * served by their dedicated n8n until git changes.
 */
export function failedDemotions(tenants: readonly LoadedTenant[], views: ReadonlyMap<string, DemotionView>): HeldTenant[] {
  const held: HeldTenant[] = [];
  for (const { name, generation, tenant } of tenants) {
    const view = views.get(name);
    if (tenant.spec.mode !== 'shared' || view?.phase !== 'failed' || view.generation !== generation) continue;
    held.push({ tenant: name, code: DEMOTION_FAILED, message: `demotion ${view.operationId} rolled back: ${view.error ?? 'failed'}; served by its dedicated n8n, until git changes`, transient: false });
  }
  return held;
}

/**
 * The one journal-derived compile input: a dedicated tenant's promotion route, a shared tenant's demotion
 * hold (a shared tenant's promotion entry, from a rolled-back promotion, means nothing to compile).
 */
export function journalRoutes(tenants: readonly LoadedTenant[], promotions: ReadonlyMap<string, PromotionRoute>, holds: ReadonlyMap<string, DemotionHold>): Map<string, PromotionRoute> {
  const routes = new Map<string, PromotionRoute>();
  for (const { name, tenant } of tenants) {
    const entry = tenant.spec.mode === 'shared' ? holds.get(name) : promotions.get(name);
    if (entry) routes.set(name, entry);
  }
  return routes;
}

/** The dedicated stacks on the engine, by their main containers (owner labels) and the n8n version their image names. */
export function dedicatedStacksOf(containers: readonly { tenant: string; role: string; image: string }[]): Map<string, DedicatedStack> {
  const stacks = new Map<string, DedicatedStack>();
  for (const c of containers) {
    if (c.role !== 'main' || stacks.has(c.tenant)) continue;
    const tag = /:([^:/]+)$/.exec(c.image)?.[1];
    stacks.set(c.tenant, { n8nVersion: tag && /^\d+\.\d+\.\d+/.test(tag) ? tag : null });
  }
  return stacks;
}

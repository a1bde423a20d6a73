// Which autoscale events an applied tenant plan makes: a change of a dedicated
// tenant's cpu or memory limits (whoever made it: the autoscale bot's merged
// PR, a hand edit, or the controller restoring limits changed outside git).
// Pure: the direction comes from the plan's own change values (from → to),
// success from what apply carried out. rp9_autoscale_events_total counts them.
import type { Action, FieldChange, TenantPlan } from '../model.js';

export type ScaleAction = 'scale_up' | 'scale_down';

/** The container fields whose change is scaling. Worker count is not among them: see docs/observability.md. */
export const SCALED_FIELDS: readonly string[] = ['cpu', 'memoryMb'];

export interface AutoscaleEvent {
  tenant: string;
  action: ScaleAction;
  /** Every action of the tenant's plan that changes resources in this direction was carried out. */
  success: boolean;
}

/** The direction of one field change, or none when it is not a scaling change with two positive numbers. */
export function scaleDirection(change: FieldChange): ScaleAction | undefined {
  if (!SCALED_FIELDS.includes(change.field)) return undefined;
  const { from, to } = change;
  // 0 is Docker's "no limit": from or to it is not a step up or down.
  if (typeof from !== 'number' || typeof to !== 'number' || !(from > 0) || !(to > 0) || !Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  if (to > from) return 'scale_up';
  if (to < from) return 'scale_down';
  return undefined;
}

/** The directions one action scales in (a container update or recreate that changes cpu or memory). */
export function actionDirections(action: Action): ScaleAction[] {
  if (action.kind !== 'container' || (action.op !== 'update' && action.op !== 'recreate')) return [];
  const directions = new Set<ScaleAction>();
  for (const change of action.changes) {
    const direction = scaleDirection(change);
    if (direction) directions.add(direction);
  }
  return [...directions];
}

const ORDER: readonly ScaleAction[] = ['scale_up', 'scale_down'];

function keyOf(action: Action): string {
  return `${action.op} ${action.kind} ${action.name}`;
}

/**
 * At most one event per direction for the tenant, however many containers
 * (main, workers) and fields (cpu, memory) the change touches. Only a tenant
 * that exists and changes (plan `update`) scales: creating or deleting one
 * does not. `done` holds the actions apply carried out: an event succeeds
 * when all of its direction's actions are among them.
 */
export function autoscaleEvents(tenantPlan: TenantPlan, done: readonly Action[]): AutoscaleEvent[] {
  if (tenantPlan.change !== 'update') return [];
  const carried = new Set(done.map(keyOf));
  const byDirection = new Map<ScaleAction, boolean>();
  for (const action of tenantPlan.actions) {
    for (const direction of actionDirections(action)) {
      byDirection.set(direction, (byDirection.get(direction) ?? true) && carried.has(keyOf(action)));
    }
  }
  return ORDER.filter((action) => byDirection.has(action)).map((action) => ({ tenant: tenantPlan.tenant, action, success: byDirection.get(action) as boolean }));
}

// The actions for one tenant: what it wants (desired) against what exists (observed).
import type { Action, DesiredResource, DesiredRoute, DesiredTenant, FieldChange, ObservedResource, ObservedRoute, TenantPlan } from '../model.js';
import { diffContainer } from './diff-container.js';
import { orderActions } from './order.js';

/** Where retained data waits; deleting it is a separate, explicit purge. */
export const RETAIN_REASON = 'retained until explicit purge';

function key(kind: string, name: string): string {
  return `${kind}\u0000${name}`;
}

export interface DesiredTenantPlan {
  plan: TenantPlan;
  /** Desired resources that already match. */
  unchanged: number;
}

export function planDesiredTenant(desired: DesiredTenant, observed: readonly ObservedResource[]): DesiredTenantPlan {
  const isNew = observed.length === 0;
  const byKey = new Map<string, ObservedResource>();
  for (const resource of observed) byKey.set(key(resource.kind, resource.name), resource);

  const actions: Action[] = [];
  let unchanged = 0;
  for (const resource of desired.resources) {
    const found = byKey.get(key(resource.kind, resource.name));
    byKey.delete(key(resource.kind, resource.name));
    const planned = planResource(resource, found, isNew);
    if (planned.length === 0) unchanged++;
    for (const item of planned) actions.push({ ...item, tenant: desired.name });
  }
  for (const leftover of byKey.values()) actions.push(leftoverAction(leftover, desired));

  const changing = actions.some((a) => a.op !== 'retain' && a.op !== 'noop');
  const plan: TenantPlan = {
    tenant: desired.name,
    change: isNew ? 'create' : changing ? 'update' : 'noop',
    specHash: desired.specHash,
    generation: desired.generation,
    actions: orderActions(actions),
  };
  return { plan, unchanged };
}

/** A tenant that left the config: take down what serves it, keep its data. */
export function planRemovedTenant(tenant: string, observed: readonly ObservedResource[]): TenantPlan {
  const actions = observed.map((resource): Action => {
    if (resource.kind === 'database' || resource.kind === 'volume') {
      return { op: 'retain', kind: resource.kind, name: resource.name, tenant, reason: RETAIN_REASON, changes: [], downtime: false, observed: resource };
    }
    return { op: 'delete', kind: resource.kind, name: resource.name, tenant, reason: 'tenant removed from the config', changes: [], downtime: false, observed: resource };
  });
  return { tenant, change: actions.some((a) => a.op === 'delete') ? 'delete' : 'noop', actions: orderActions(actions) };
}

type PlannedAction = Omit<Action, 'tenant'>;

function planResource(desired: DesiredResource, observed: ObservedResource | undefined, isNew: boolean): PlannedAction[] {
  if (!observed) {
    const reason = isNew ? 'new tenant' : `${desired.kind} does not exist`;
    return [{ op: 'create', kind: desired.kind, name: desired.name, reason, changes: [], downtime: false, desired }];
  }
  if (desired.kind === 'container' && observed.kind === 'container') return diffContainer(desired, observed);
  if (desired.kind === 'route' && observed.kind === 'route') return diffRoute(desired, observed);
  // Databases and volumes are only ever created; nothing about them changes in place.
  return [];
}

function diffRoute(desired: DesiredRoute, observed: ObservedRoute): PlannedAction[] {
  if (observed.hash === desired.hash) return [];
  const changes: FieldChange[] = [];
  const hostsChanged = observed.hosts.join('\n') !== desired.hosts.join('\n');
  if (hostsChanged) changes.push({ field: 'hosts', from: observed.hosts, to: desired.hosts });
  else changes.push({ field: 'config', from: observed.hash || '(edited by hand)', to: desired.hash });
  const reason = hostsChanged ? 'hosts changed' : `routes to ${desired.target.type}: ${desired.target.url}`;
  return [{ op: 'update', kind: 'route', name: desired.name, reason, changes, downtime: false, desired, observed }];
}

/** Something of a desired tenant that it no longer wants: extra workers, containers after a switch to shared. */
function leftoverAction(resource: ObservedResource, desired: DesiredTenant): Action {
  const base = { kind: resource.kind, name: resource.name, tenant: desired.name, changes: [], downtime: false, observed: resource };
  if (resource.kind === 'database' || resource.kind === 'volume') {
    return { ...base, op: 'retain', reason: RETAIN_REASON };
  }
  return { ...base, op: 'delete', reason: leftoverReason(resource, desired) };
}

function leftoverReason(resource: ObservedResource, desired: DesiredTenant): string {
  if (resource.kind !== 'container') return 'no longer wanted';
  if (desired.mode === 'shared') return 'tenant is shared now';
  if (resource.role === 'worker') {
    const workers = desired.resources.filter((r) => r.kind === 'container' && r.role === 'worker').length;
    return `workers reduced to ${workers}`;
  }
  return 'no longer wanted';
}

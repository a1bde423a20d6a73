// The actions for one tenant: what it wants (desired) against what exists (observed).
import type { Action, DesiredResource, DesiredRoute, DesiredTenant, FieldChange, ObservedResource, ObservedRoute, TenantPlan } from '../model.js';
import { diffContainer } from './diff-container.js';
import { diffService } from './diff-service.js';
import { orderActions } from './order.js';

/** Where retained data waits; deleting it is a separate, explicit purge. */
export const RETAIN_REASON = 'retained until explicit purge';

export interface DesiredTenantPlan {
  plan: TenantPlan;
  /** Desired resources that already match. */
  unchanged: number;
}

export function planDesiredTenant(desired: DesiredTenant, observed: readonly ObservedResource[]): DesiredTenantPlan {
  const isNew = observed.length === 0;
  // A tenant has a handful of resources: a linear scan beats building a map.
  const matched = new Array<boolean>(observed.length).fill(false);
  const actions: Action[] = [];
  let unchanged = 0;
  for (const resource of desired.resources) {
    let found: ObservedResource | undefined;
    for (let i = 0; i < observed.length; i++) {
      const candidate = observed[i] as ObservedResource;
      if (!matched[i] && candidate.kind === resource.kind && candidate.name === resource.name) {
        matched[i] = true;
        found = candidate;
        break;
      }
    }
    const before = actions.length;
    planResource(desired.name, resource, found, isNew ? 'new tenant' : missingReason(resource, desired, observed), actions);
    if (actions.length === before) unchanged++;
  }
  for (let i = 0; i < observed.length; i++) {
    if (!matched[i]) actions.push(leftoverAction(observed[i] as ObservedResource, desired, workerCount(observed)));
  }

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

/** Worker containers, or the replicas of a worker service (runtime: swarm). */
function workerCount(resources: readonly (DesiredResource | ObservedResource)[]): number {
  let count = 0;
  for (const r of resources) {
    if (r.kind === 'container' && r.role === 'worker') count++;
    if (r.kind === 'service' && r.role === 'worker') count += r.replicas;
  }
  return count;
}

/** Why a resource of an existing tenant is created: a scale-up reads like the scale-down, `workers 2 → 3`. */
function missingReason(resource: DesiredResource, desired: DesiredTenant, observed: readonly ObservedResource[]): string {
  if ((resource.kind === 'container' || resource.kind === 'service') && resource.role === 'worker') {
    const before = workerCount(observed);
    const after = workerCount(desired.resources);
    if (before < after) return `workers ${before} → ${after}`;
  }
  return `${resource.kind} does not exist`;
}

function planResource(tenant: string, desired: DesiredResource, observed: ObservedResource | undefined, reason: string, out: Action[]): void {
  if (!observed) {
    out.push({ op: 'create', kind: desired.kind, name: desired.name, tenant, reason, changes: [], downtime: false, desired });
    return;
  }
  if (desired.kind === 'container' && observed.kind === 'container') diffContainer(desired, observed, out);
  else if (desired.kind === 'service' && observed.kind === 'service') diffService(desired, observed, out);
  else if (desired.kind === 'route' && observed.kind === 'route') diffRoute(tenant, desired, observed, out);
  // Databases and volumes are only ever created; nothing about them changes in place.
}

function diffRoute(tenant: string, desired: DesiredRoute, observed: ObservedRoute, out: Action[]): void {
  if (observed.hash === desired.hash) return;
  const changes: FieldChange[] = [];
  const hostsChanged = observed.hosts.join('\n') !== desired.hosts.join('\n');
  if (hostsChanged) changes.push({ field: 'hosts', from: observed.hosts, to: desired.hosts });
  else changes.push({ field: 'config', from: observed.hash || '(edited by hand)', to: desired.hash });
  const reason = hostsChanged ? 'hosts changed' : `routes to ${desired.target.type}: ${desired.target.url}`;
  out.push({ op: 'update', kind: 'route', name: desired.name, tenant, reason, changes, downtime: false, desired, observed });
}

/** Something of a desired tenant that it no longer wants: extra workers, containers after a switch to shared. */
function leftoverAction(resource: ObservedResource, desired: DesiredTenant, observedWorkers: number): Action {
  const base = { kind: resource.kind, name: resource.name, tenant: desired.name, changes: [], downtime: false, observed: resource };
  if (resource.kind === 'database' || resource.kind === 'volume') {
    return { ...base, op: 'retain', reason: RETAIN_REASON };
  }
  return { ...base, op: 'delete', reason: leftoverReason(resource, desired, observedWorkers) };
}

function leftoverReason(resource: ObservedResource, desired: DesiredTenant, observedWorkers: number): string {
  if (resource.kind !== 'container' && resource.kind !== 'service') return 'no longer wanted';
  if (desired.mode === 'shared') return 'tenant is shared now';
  if (resource.role === 'worker') {
    return `workers ${observedWorkers} → ${workerCount(desired.resources)}`;
  }
  return 'no longer wanted';
}

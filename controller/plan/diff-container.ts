// What to do with one container rp9 wants, given the one that exists.
import type { Action, DesiredContainer, FieldChange, ObservedContainer } from '../model.js';
import { specFieldChanges } from './spec-changes.js';

function isRunning(container: ObservedContainer): boolean {
  return container.state === 'running' || container.state === 'restarting';
}

/**
 * A container recreate. `force` replaces the container even when it already
 * carries the desired spec hash and image: set when the reason is its state
 * (dead, being removed), which no spec comparison at apply time can see.
 */
export type RecreateAction = Action & { op: 'recreate'; kind: 'container'; force: boolean };

/** Whether `action` is a recreate the plan wants carried out regardless of the container's spec. */
export function isForcedRecreate(action: Action): boolean {
  return action.op === 'recreate' && 'force' in action && action.force === true;
}

function action(op: Action['op'], desired: DesiredContainer, observed: ObservedContainer, reason: string, changes: FieldChange[], downtime: boolean): Action {
  return { op, kind: 'container', name: desired.name, tenant: desired.tenant, reason, changes, downtime, desired, observed };
}

/** Fields that differ and need a new container; falls back to the configuration hash when nothing visible differs. */
function recreateChanges(desired: DesiredContainer, observed: ObservedContainer): FieldChange[] {
  return specFieldChanges(desired, observed);
}

function resourceChanges(desired: DesiredContainer, observed: ObservedContainer): FieldChange[] {
  const changes: FieldChange[] = [];
  if (observed.cpu !== desired.cpu) changes.push({ field: 'cpu', from: observed.cpu, to: desired.cpu });
  if (observed.memoryMb !== desired.memoryMb) changes.push({ field: 'memoryMb', from: observed.memoryMb, to: desired.memoryMb });
  return changes;
}

/**
 * recreate when the hash or image differs (or the container is dead or being
 * removed: then a forced one): downtime for a running main.
 * Otherwise update cpu/memory in place, then start or stop to match `running`.
 * Appends nothing when the container matches.
 */
export function diffContainer(desired: DesiredContainer, observed: ObservedContainer, out: Action[]): void {
  const main = desired.role === 'main';
  const running = isRunning(observed);
  const broken = observed.state === 'dead' || observed.state === 'removing';
  if (broken || observed.hash !== desired.hash || observed.image !== desired.image) {
    const drifted = observed.hash !== desired.hash || observed.image !== desired.image;
    const changes = drifted ? recreateChanges(desired, observed) : [{ field: 'state', from: observed.state, to: desired.running ? 'running' : 'stopped' }];
    if (drifted && desired.running !== running) changes.push({ field: 'state', from: observed.state, to: desired.running ? 'running' : 'stopped' });
    changes.push(...resourceChanges(desired, observed));
    const reason = broken ? `container is ${observed.state}` : 'configuration changed';
    const recreate: RecreateAction = { ...action('recreate', desired, observed, reason, changes, main && running), op: 'recreate', kind: 'container', force: broken };
    out.push(recreate);
    return;
  }
  const resources = resourceChanges(desired, observed);
  if (resources.length > 0) out.push(action('update', desired, observed, 'resources change in place', resources, false));
  if (desired.running && !running) {
    out.push(action('start', desired, observed, `container is ${observed.state}`, [{ field: 'state', from: observed.state, to: 'running' }], false));
  }
  if (!desired.running && running) {
    out.push(action('stop', desired, observed, 'tenant is suspended', [{ field: 'state', from: observed.state, to: 'stopped' }], main));
  }
}

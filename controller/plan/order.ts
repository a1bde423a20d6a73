// Apply order of a tenant's actions. Creates and in-place changes follow the
// dependency order (database, volume, main, workers, route) so a route only
// points at something that exists; stops and deletes run afterwards and tear
// down from the front: route, workers, main. Containers that end up stopped
// (stop, or recreate of a suspended tenant) go after the route moved to the
// suspended page. Retained data is listed last.
import type { Action } from '../model.js';
import { workerIndex } from '../compile/names.js';

const PHASE_BUILD = 0;
const PHASE_STOP = 1;
const PHASE_DELETE = 2;
const PHASE_RETAIN = 3;

function phase(action: Action): number {
  switch (action.op) {
    case 'stop':
      return PHASE_STOP;
    case 'recreate':
      // A container recreated stopped (suspended tenant) is taken down after its route moved away.
      return action.desired?.kind === 'container' && !action.desired.running ? PHASE_STOP : PHASE_BUILD;
    case 'update':
      // A service scaled to nothing (suspended tenant) stops after its route moved away.
      return action.desired?.kind === 'service' && action.desired.replicas === 0 ? PHASE_STOP : PHASE_BUILD;
    case 'delete':
      return PHASE_DELETE;
    case 'retain':
      return PHASE_RETAIN;
    default:
      return PHASE_BUILD;
  }
}

/** Position inside the build phase: database, volume, main, workers by index, route. */
function buildRank(action: Action): number {
  switch (action.kind) {
    case 'database':
      return 0;
    case 'volume':
      return 1;
    case 'container':
    case 'service':
      return isMain(action) ? 2 : 3 + (workerIndex(action.name) ?? 0);
    case 'route':
      return Number.MAX_SAFE_INTEGER;
  }
}

/** Position for tear-down: route, workers from the highest index down, main, then data. */
function teardownRank(action: Action): number {
  switch (action.kind) {
    case 'route':
      return 0;
    case 'container':
    case 'service':
      return isMain(action) ? Number.MAX_SAFE_INTEGER - 2 : 1_000_000 - (workerIndex(action.name) ?? 0);
    case 'database':
      return Number.MAX_SAFE_INTEGER - 1;
    case 'volume':
      return Number.MAX_SAFE_INTEGER;
  }
}

function isMain(action: Action): boolean {
  const desired = action.desired?.kind === 'container' || action.desired?.kind === 'service' ? action.desired : undefined;
  const observed = action.observed?.kind === 'container' || action.observed?.kind === 'service' ? action.observed : undefined;
  const role = desired?.role ?? observed?.role;
  return role === 'main';
}

export function orderActions(actions: Action[]): Action[] {
  if (actions.length < 2) return actions;
  const keyed = actions.map((action, position) => {
    const p = phase(action);
    return { action, p, rank: p === PHASE_BUILD ? buildRank(action) : teardownRank(action), position };
  });
  keyed.sort((a, b) => a.p - b.p || a.rank - b.rank || a.position - b.position);
  return keyed.map((entry) => entry.action);
}

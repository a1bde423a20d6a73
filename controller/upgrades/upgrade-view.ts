// A blue/green upgrade operation as people and the API see it: versions,
// colours, the live colour, the step it is at, the pre-upgrade backup, the
// swap's hold and the watch, and each step (`rp9 tenant upgrade-status`,
// GET /tenants/:id/blue-green/status).
import type { Operation } from '../store/types.js';
import { routedColour, upgradeInput } from './live-colour.js';

/** What `rp9 tenant upgrade-status -o json` prints and the API answers. */
export function upgradeView(op: Operation) {
  const input = upgradeInput(op);
  const current = op.steps[op.currentStep];
  return {
    id: op.id,
    from: input.fromVersion,
    to: input.toVersion,
    fromColour: input.fromColour,
    toColour: input.toColour,
    liveColour: routedColour(op),
    status: op.status,
    step: op.finishedAt ? null : (current?.name ?? null),
    error: op.error,
    backupId: typeof op.state.backupId === 'string' ? op.state.backupId : null,
    holdSeconds: typeof op.state.holdSeconds === 'number' ? op.state.holdSeconds : null,
    swappedAt: typeof op.state.swappedAt === 'string' ? op.state.swappedAt : null,
    watchedSeconds: typeof op.state.watchedSeconds === 'number' ? op.state.watchedSeconds : null,
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
    steps: op.steps.map((s) => ({ name: s.name, status: s.status, error: s.error })),
  };
}


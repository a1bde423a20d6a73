// A blue/green upgrade operation as people and the API see it: versions,
// colours, the live colour, the step it is at, the pre-upgrade backup, the
// swap's hold and the watch, and each step (`rp9 tenant upgrade-status`,
// GET /tenants/:id/blue-green/status).
import type { Operation } from '../store/types.js';
import { routedColour, upgradeInput } from './live-colour.js';

export interface CatchUpView {
  workflows: number;
  credentials: number;
  deleted: number;
  executions: number | null;
  replacedExecutions?: number | null;
  skippedExecutions?: number | null;
  alreadyOnBlueExecutions?: number | null;
  restartedBlueMain?: boolean;
  seconds: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line for the swap's catch-up: `2 workflows, 1 credential, 0 deleted, 31 executions (1 skipped) in 4.2 s; drain 1.3 s`. Pure. */
export function describeCatchUp(catchUp: CatchUpView, drain: { seconds: number; unfinished: number } | null): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const executions = catchUp.executions === null ? 'executions not copied (no mark at the copy)' : `${n(catchUp.executions, 'execution')}${catchUp.alreadyOnBlueExecutions ? ` (${catchUp.alreadyOnBlueExecutions} already on blue)` : ''}${catchUp.skippedExecutions ? ` (${catchUp.skippedExecutions} skipped)` : ''}`;
  const restarted = catchUp.restartedBlueMain ? '; blue\'s main restarted' : '';
  const drained = drain ? `; drain ${drain.seconds.toFixed(1)} s${drain.unfinished > 0 ? `, ${drain.unfinished} still unfinished` : ''}` : '';
  return `${n(catchUp.workflows, 'workflow')}, ${n(catchUp.credentials, 'credential')}, ${catchUp.deleted} deleted, ${executions} in ${catchUp.seconds.toFixed(1)} s${restarted}${drained}`;
}

export interface PreSyncView {
  workflows: number;
  credentials: number;
  deleted: number;
  restartedBlueMain?: boolean;
  seconds: number;
}

/** One line for the swap's pre-sync: `1 workflow, 0 credentials, 0 deleted in 38.2 s`. Pure. */
export function describePreSync(preSync: PreSyncView): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(preSync.workflows, 'workflow')}, ${n(preSync.credentials, 'credential')}, ${preSync.deleted} deleted in ${preSync.seconds.toFixed(1)} s${preSync.restartedBlueMain ? '; blue\'s main restarted' : ''}`;
}

export interface BlueActivationView {
  activated: string[];
  seconds: number;
}

/** One line for a quiet blue: `2 of 5 active workflows kept quiet until the swap; 2 activated 4.1 s after the route moved`. Pure. */
export function describeQuiet(quiet: { active: string[]; quiet: string[] }, activation: BlueActivationView | null): string {
  const head = `${quiet.quiet.length} of ${quiet.active.length} active workflow${quiet.active.length === 1 ? '' : 's'} kept quiet on blue until the swap (they fire by themselves)`;
  if (!activation) return head;
  return `${head}; ${activation.activated.length} activated in ${activation.seconds.toFixed(1)} s after the route moved`;
}

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
    /** What the swap carried from green to blue before the hold, while green served (null when nothing had changed since the copy). */
    preSync: isRecord(op.state.preSync) ? (op.state.preSync as unknown as PreSyncView) : null,
    /** What the swap carried from green to blue under the hold (null before the swap, or for an upgrade swapped without it). */
    catchUp: isRecord(op.state.catchUp) ? (op.state.catchUp as unknown as CatchUpView) : null,
    drain: isRecord(op.state.drain) ? (op.state.drain as unknown as { seconds: number; unfinished: number }) : null,
    /** A 2.x blue's quiet set (journaled by copy-database; null for a 1.x blue) and its activation after the route moved. */
    quiet: isRecord(op.state.quiet) && op.state.quiet.mode === 'quiet' ? (op.state.quiet as unknown as { active: string[]; quiet: string[] }) : null,
    blueActivation: isRecord(op.state.blueActivation) ? (op.state.blueActivation as unknown as BlueActivationView) : null,
    swappedAt: typeof op.state.swappedAt === 'string' ? op.state.swappedAt : null,
    watchedSeconds: typeof op.state.watchedSeconds === 'number' ? op.state.watchedSeconds : null,
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
    steps: op.steps.map((s) => ({ name: s.name, status: s.status, error: s.error })),
  };
}


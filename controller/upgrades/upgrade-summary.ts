// One line for a tenant's newest upgrade, as `rp9 status` and the status page
// show it: the step a running upgrade is at (and the live colour), a rollback
// under way, or the last result with its age. Pure.
import type { Operation } from '../store/types.js';
import { routedColour, upgradeInput } from './live-colour.js';

function age(from: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** `upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue`, `rolled back 1.123.81 → 2.41.1 (2h ago): [upgrade.watch-failed] …`. */
export function upgradeSummary(op: Operation, now: Date): string {
  const { fromVersion, toVersion } = upgradeInput(op);
  const versions = `${fromVersion} → ${toVersion}`;
  if (op.finishedAt === null && op.status === 'running') {
    const step = op.steps[op.currentStep];
    return `upgrading ${versions}: step ${op.currentStep + 1}/${op.steps.length} ${step?.name ?? '-'}, live ${routedColour(op)}`;
  }
  if (op.finishedAt === null) return `rolling back ${versions} to green: ${op.error ?? 'failed'}`;
  const when = age(op.finishedAt, now);
  if (op.status === 'done') return `upgraded ${versions} (${when})${typeof op.state.watchedSeconds === 'number' ? `, watch passed after ${op.state.watchedSeconds} s` : ''}`;
  if (op.status === 'rolled-back') return `rolled back ${versions} (${when}): ${op.error ?? 'no error recorded'}`;
  return `upgrade ${versions} given up (${when}), needs a human: ${String(op.state.undoError ?? op.error ?? 'no error recorded')}`;
}

// How `rp9 purge` shows a purge plan (before) and its outcome (after), as text
// or JSON. Names only: nothing here ever carries a secret's value.
import type { PurgeOutcome } from './apply-purge.js';
import type { PurgePlan, PurgeStep } from './plan-purge.js';

function rows(steps: readonly PurgeStep[], status?: (step: PurgeStep) => string): string[] {
  const width = Math.max(...steps.map((s) => s.kind.length));
  return steps.map((s) => `  ${status ? `${status(s)}  ` : '- '}${s.kind.padEnd(width)}  ${s.name}`);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderPurgeText(plan: PurgePlan): string {
  if (plan.refused) return `Purge of tenant ${plan.tenant} refused [${plan.refused.code}]: ${plan.refused.message}\n`;
  const notes = plan.notes.map((n) => `note: ${n}`);
  if (plan.steps.length === 0) return [`Nothing to purge for tenant ${plan.tenant} (environment ${plan.environment}).`, ...notes, ''].join('\n');
  return [
    `Purge of removed tenant ${plan.tenant} (environment ${plan.environment}) would delete:`,
    ...rows(plan.steps),
    ...notes,
    '',
    `${plural(plan.steps.length, 'object')} would be deleted; this cannot be undone.`,
    `Run again with --confirm ${plan.tenant} to delete them.`,
    '',
  ].join('\n');
}

export function renderOutcomeText(plan: PurgePlan, outcome: PurgeOutcome): string {
  const state = new Map<PurgeStep, string>();
  for (const s of outcome.deleted) state.set(s, 'deleted ');
  for (const s of outcome.absent) state.set(s, 'absent  ');
  if (outcome.failed) for (const s of plan.steps) if (s.kind === outcome.failed.kind && s.name === outcome.failed.name) state.set(s, 'FAILED  ');
  const summary = outcome.failed
    ? `Purge of tenant ${plan.tenant} stopped at ${outcome.failed.kind} ${outcome.failed.name}: ${outcome.failed.message}\nRun the same command again to finish (every step is idempotent).`
    : `Purged tenant ${plan.tenant}: ${outcome.deleted.length} deleted, ${outcome.absent.length} already gone.`;
  return [...rows(plan.steps, (s) => state.get(s) ?? 'not done'), summary, ''].join('\n');
}

export function renderPurgeJson(plan: PurgePlan, outcome?: PurgeOutcome): string {
  const value = {
    tenant: plan.tenant,
    environment: plan.environment,
    ...(plan.refused ? { refused: plan.refused } : {}),
    steps: plan.steps,
    notes: plan.notes,
    ...(outcome ? { applied: outcome } : {}),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

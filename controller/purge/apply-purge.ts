// Carries out a purge plan, step by step in plan order, through one port per
// kind of object. Every port is idempotent (false: it was already gone), so a
// purge that stopped half-way is finished by running it again. The first
// failure stops the purge: later steps (the secrets last of all) stay, so the
// next plan still sees what is left.
import type { EventInput } from '../store/types.js';
import type { PurgeKind, PurgePlan, PurgeStep } from './plan-purge.js';

/** Deletes one object by name; resolves false when it did not exist. */
export type PurgePorts = Record<PurgeKind, (name: string) => Promise<boolean>>;

export interface PurgeOutcome {
  deleted: PurgeStep[];
  /** Already gone when the step ran. */
  absent: PurgeStep[];
  failed?: PurgeStep & { code?: string; message: string };
  /** Not attempted because an earlier step failed. */
  notDone: PurgeStep[];
}

export async function applyPurge(plan: PurgePlan, ports: PurgePorts): Promise<PurgeOutcome> {
  if (plan.refused) throw new Error(`a refused purge plan cannot be applied (${plan.refused.code})`);
  const outcome: PurgeOutcome = { deleted: [], absent: [], notDone: [] };
  for (const [index, step] of plan.steps.entries()) {
    try {
      const existed = await ports[step.kind](step.name);
      (existed ? outcome.deleted : outcome.absent).push(step);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      outcome.failed = { ...step, message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) };
      outcome.notDone = plan.steps.slice(index + 1);
      break;
    }
  }
  return outcome;
}

function label(step: PurgeStep): string {
  return `${step.kind} ${step.name}`;
}

/** The audit event of a purge: who, which tenant, what was deleted (names only; never a secret's value). */
export function purgeEvent(plan: PurgePlan, outcome: PurgeOutcome, actor: string): EventInput {
  const data = {
    environment: plan.environment,
    deleted: outcome.deleted.map(label),
    absent: outcome.absent.map(label),
    ...(outcome.failed ? { failed: label(outcome.failed), error: outcome.failed.message, notDone: outcome.notDone.map(label) } : {}),
  };
  const deleted = outcome.deleted.length > 0 ? outcome.deleted.map(label).join(', ') : 'nothing (already gone)';
  if (outcome.failed) {
    return {
      tenant: plan.tenant, type: 'Warning', reason: 'PurgeFailed', actor, data,
      message: `Purge of removed tenant stopped at ${label(outcome.failed)}: ${outcome.failed.message}; deleted so far: ${deleted}. Run rp9 purge again to finish.`,
    };
  }
  return { tenant: plan.tenant, type: 'Normal', reason: 'Purged', actor, data, message: `Purged removed tenant: deleted ${deleted}` };
}

// Shared pieces of the plan renderers: symbols, values, change lists, the summary line.
import { pendingText } from '../maintenance/windows.js';
import type { PlannedOperation, Action, ActionOp, FieldChange, Plan, TenantPlan } from '../model.js';

export const SYMBOL: Record<ActionOp, string> = {
  create: '+',
  update: '~',
  start: '~',
  stop: '~',
  recreate: '-/+',
  delete: '-',
  retain: '=',
  noop: ' ',
};

export const TENANT_SYMBOL: Record<TenantPlan['change'], string> = { create: '+', update: '~', delete: '-', noop: ' ' };

function isSecretRef(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'secret';
}

/** A deep copy with every SecretRef replaced by '(secret)' and object keys sorted. */
export function redact(value: unknown): unknown {
  if (isSecretRef(value)) return '(secret)';
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = redact(item);
    }
    return out;
  }
  return value;
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (isSecretRef(value)) return '(secret)';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object') return JSON.stringify(redact(value));
  return String(value);
}

/** Changes an operator can read; the configuration hash is left to the reason. */
export function visibleChanges(changes: readonly FieldChange[]): FieldChange[] {
  return changes.filter((change) => change.field !== 'config');
}

export function formatChanges(changes: readonly FieldChange[]): string {
  return changes.map((change) => `${change.field}: ${formatValue(change.from)} → ${formatValue(change.to)}`).join(', ');
}

/** What goes in parentheses after an action: why, and whether it interrupts the tenant. */
export function actionTags(action: Action, tenantChange: TenantPlan['change']): string[] {
  const shown = visibleChanges(action.changes).length > 0;
  const tags: string[] = [];
  switch (action.op) {
    case 'create':
      tags.push(action.reason);
      break;
    case 'update':
      if (!shown) tags.push(action.reason);
      break;
    case 'recreate':
      tags.push(shown ? 'recreate' : `recreate: ${action.reason}`);
      break;
    case 'start':
    case 'stop':
      tags.push(action.op);
      break;
    case 'delete':
      if (tenantChange !== 'delete') tags.push(action.reason);
      break;
    case 'retain':
      tags.push('retained');
      break;
    case 'noop':
      break;
  }
  if (action.downtime) tags.push('downtime');
  if (action.at) tags.push(action.at === 'window' ? 'at window' : 'now');
  return tags;
}

/** `Pending (window opens 2026-12-12 22:00 UTC)` for a tenant whose downtime change waits for its maintenance window. */
export function windowLine(tenant: TenantPlan): string | undefined {
  return tenant.windowOpensAt ? pendingText(new Date(tenant.windowOpensAt)) : undefined;
}

export function hasChanges(summary: Plan['summary']): boolean {
  return summary.create + summary.update + summary.recreate + summary.delete > 0;
}

export const NO_CHANGES = 'No changes. The platform matches the config.';

export function summaryLine(summary: Plan['summary']): string {
  if (!hasChanges(summary)) return NO_CHANGES;
  const counts = `${summary.create} to create, ${summary.update} to update, ${summary.recreate} to recreate, ${summary.delete} to delete, ${summary.retain} retained`;
  const downtime =
    summary.downtime === 0 ? 'no action causes downtime' : summary.downtime === 1 ? '1 action causes downtime' : `${summary.downtime} actions cause downtime`;
  return `Plan: ${counts}; ${downtime}.`;
}

/** Shown after "No changes" when data of removed tenants or former dedicated tenants is kept. */
export function retainedNote(summary: Plan['summary']): string | undefined {
  if (summary.retain === 0) return undefined;
  return `${summary.retain} ${summary.retain === 1 ? 'resource is' : 'resources are'} retained until explicit purge.`;
}

export function refusalLine(plan: Plan): string | undefined {
  return plan.refused ? `Plan refused (${plan.refused.code}): ${plan.refused.message}` : undefined;
}

/** Says which override lets removals through the mass-deletion rail, so a reviewer sees it was declared. */
export function overrideLine(plan: Plan): string | undefined {
  const override = plan.deletionOverride;
  if (!override) return undefined;
  const what = override.by === 'safety.allowDeletion' ? 'spec.safety.allowDeletion in platform.yaml' : `the controller flag ${override.by}`;
  return `Removal of ${override.tenants.join(', ')} allowed by ${what}: ${override.reason}`;
}

/** `upgrade 1.123.81 → 2.41.1 (blue/green, no downtime)`; `(running)` while one is under way. */
export function operationLine(operation: PlannedOperation): string {
  const status = operation.status === 'running' ? 'running' : operation.status === 'failed' ? `failed, held: ${operation.reason}` : 'blue/green, no downtime';
  const at = operation.at === 'window' ? ', at window' : operation.at === 'now' ? ', now' : '';
  return `${operation.kind} ${operation.from} → ${operation.to} (${status}${at})`;
}

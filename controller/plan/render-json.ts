// The plan as JSON for machines: fixed key order, sorted resource keys, SecretRefs as "(secret)".
import type { Action, Plan, TenantPlan } from '../model.js';
import { redact } from './format.js';

export function renderPlanJson(plan: Plan): string {
  const value = {
    apiVersion: 'rp9.io/v1',
    kind: 'Plan',
    environment: plan.environment,
    commit: plan.commit ?? null,
    refused: plan.refused ? { code: plan.refused.code, message: plan.refused.message } : null,
    deletionOverride: plan.deletionOverride ? { by: plan.deletionOverride.by, tenants: [...plan.deletionOverride.tenants], reason: plan.deletionOverride.reason } : null,
    summary: {
      create: plan.summary.create,
      update: plan.summary.update,
      recreate: plan.summary.recreate,
      delete: plan.summary.delete,
      retain: plan.summary.retain,
      unchanged: plan.summary.unchanged,
      downtime: plan.summary.downtime,
    },
    tenants: plan.tenants.map(tenantJson),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

function tenantJson(tenant: TenantPlan) {
  return {
    tenant: tenant.tenant,
    change: tenant.change,
    specHash: tenant.specHash ?? null,
    generation: tenant.generation ?? null,
    operation: tenant.operation ? { ...tenant.operation } : null,
    windowOpensAt: tenant.windowOpensAt ?? null,
    actions: tenant.actions.map(actionJson),
  };
}

function actionJson(action: Action) {
  return {
    op: action.op,
    kind: action.kind,
    name: action.name,
    reason: action.reason,
    downtime: action.downtime,
    at: action.at ?? 'now',
    changes: action.changes.map((change) => ({ field: change.field, from: redact(change.from) ?? null, to: redact(change.to) ?? null })),
    desired: action.desired ? redact(action.desired) : null,
    observed: action.observed ? redact(action.observed) : null,
  };
}

// The plan as Markdown for pull-request comments: one table per changing tenant.
import type { Action, Plan, TenantPlan } from '../model.js';
import { actionTags, operationLine, windowLine, formatChanges, hasChanges, overrideLine, refusalLine, retainedNote, summaryLine, SYMBOL, TENANT_SYMBOL, visibleChanges } from './format.js';

/** Text safe inside a table cell: no pipes, newlines or HTML. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${cell(text.replace(/`/g, "'"))}\``;
}

export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push(`### rp9 plan for ${code(plan.environment)}${plan.commit ? ` at ${code(plan.commit)}` : ''}`, '');
  const refusal = refusalLine(plan);
  if (refusal) out.push(`> **${cell(refusal)}**`, '> Nothing will be applied.', '');
  const override = overrideLine(plan);
  if (override) out.push(`> ${cell(override)}`, '');
  out.push(`**${summaryLine(plan.summary)}**`, '');
  const note = retainedNote(plan.summary);
  if (note && !hasChanges(plan.summary)) out.push(note, '');

  for (const tenant of plan.tenants) {
    if (tenant.change === 'noop') continue;
    const downtime = tenant.actions.some((a) => a.downtime);
    out.push(`#### ${TENANT_SYMBOL[tenant.change]} ${code(tenant.tenant)}: ${tenant.change}${downtime ? ' (downtime)' : ''}`, '');
    const pending = windowLine(tenant);
    if (pending) out.push(`⏳ **${cell(pending)}**: the downtime change waits for the tenant's maintenance window (label \`rp9.io/maintenance-override\` applies it at once).`, '');
    if (tenant.operation) out.push(`» operation ${cell(operationLine(tenant.operation))}`, '');
    out.push('| | Action | Resource | Details | Downtime |', '|---|---|---|---|---|');
    for (const action of tenant.actions) out.push(row(action, tenant.change));
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function row(action: Action, tenantChange: TenantPlan['change']): string {
  const tags = actionTags(action, tenantChange).filter((tag) => tag !== 'downtime' && tag !== action.op);
  const details = [formatChanges(visibleChanges(action.changes)), ...tags].filter((part) => part !== '');
  if (details.length === 0) details.push(action.reason);
  return `| ${cell(SYMBOL[action.op])} | ${action.op} | ${action.kind} ${code(action.name)} | ${cell(details.join('; '))} | ${action.downtime ? '**yes**' : 'no'} |`;
}

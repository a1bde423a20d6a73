// `terraform plan`-style text of a plan, for terminals and logs.
import type { Action, ActionOp, Plan, TenantPlan } from '../model.js';
import { actionTags, operationLine, windowLine, formatChanges, hasChanges, overrideLine, refusalLine, retainedNote, summaryLine, SYMBOL, TENANT_SYMBOL, visibleChanges } from './format.js';

export interface TextOptions {
  color: boolean;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', magenta: '\u001b[35m', cyan: '\u001b[36m' };

const OP_COLOR: Record<ActionOp, string> = {
  create: ANSI.green,
  update: ANSI.yellow,
  start: ANSI.yellow,
  stop: ANSI.yellow,
  recreate: ANSI.magenta,
  delete: ANSI.red,
  retain: ANSI.cyan,
  noop: '',
};
const TENANT_COLOR: Record<TenantPlan['change'], string> = { create: ANSI.green, update: ANSI.yellow, delete: ANSI.red, noop: '' };

export function renderPlanText(plan: Plan, options: TextOptions = { color: false }): string {
  const paint = (code: string, text: string) => (options.color && code !== '' ? `${code}${text}${ANSI.reset}` : text);
  const out: string[] = [];
  const refusal = refusalLine(plan);
  if (refusal) out.push(paint(ANSI.bold + ANSI.red, refusal), '');
  const override = overrideLine(plan);
  if (override) out.push(paint(ANSI.yellow, override), '');

  for (const tenant of plan.tenants) {
    if (tenant.change === 'noop') continue;
    const pending = windowLine(tenant);
    out.push(paint(TENANT_COLOR[tenant.change], `${TENANT_SYMBOL[tenant.change]} tenant ${tenant.tenant} (${tenant.change})${pending ? `: ${pending}` : ''}`));
    if (tenant.operation) out.push(paint(ANSI.cyan, `  » operation ${operationLine(tenant.operation)}`));
    for (const action of tenant.actions) out.push(actionLine(action, tenant.change, paint));
    out.push('');
  }

  out.push(paint(ANSI.bold, summaryLine(plan.summary)));
  const note = retainedNote(plan.summary);
  if (note && !hasChanges(plan.summary)) out.push(note);
  if (plan.refused) out.push(paint(ANSI.red, 'Nothing will be applied.'));
  return `${out.join('\n')}\n`;
}

function actionLine(action: Action, tenantChange: TenantPlan['change'], paint: (code: string, text: string) => string): string {
  const changes = visibleChanges(action.changes);
  const tags = actionTags(action, tenantChange);
  let line = `  ${paint(OP_COLOR[action.op], SYMBOL[action.op])} ${action.kind} ${action.name}`;
  if (changes.length > 0) line += `  ${formatChanges(changes)}`;
  if (tags.length > 0) {
    const rendered = tags.map((tag) => (tag === 'downtime' ? paint(ANSI.bold + ANSI.red, tag) : tag)).join(', ');
    line += `${changes.length > 0 || action.op === 'retain' ? ' ' : '  '}(${rendered})`;
  }
  return line;
}

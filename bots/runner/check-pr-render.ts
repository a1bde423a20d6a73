// `rp9 check-pr` output: Markdown (the sticky PR comment), text, JSON and
// GitHub workflow commands.
import { countBySeverity } from '../../config/diagnostic.js';
import { escapeData, escapeProperty, formatGithub, formatText } from '../../config/format/index.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../controller/plan/index.js';
import type { CheckPrResult, OwnershipProblem } from './check-pr.js';

export const CHECK_PR_COMMENT_KEY = 'rp9-check-pr';
const MAX_ROWS = 50;

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function validationLine(result: CheckPrResult): string {
  const { errors, warnings } = countBySeverity(result.head.diagnostics);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (errors === 0) return `✓ ${plural(result.head.tenants.length, 'tenant')} and platform.yaml valid${warnings > 0 ? ` (${plural(warnings, 'warning')})` : ''}`;
  return `✗ ${plural(errors, 'error')}${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}`;
}

function ownershipLine(result: CheckPrResult): string | undefined {
  if (!result.bot) return undefined;
  const { bot, tenant } = result.bot;
  if (result.ownership.length === 0) return `✓ the ${bot} bot changes only fields it owns in tenants/${tenant}.yaml`;
  return `✗ the ${bot} bot changes ${result.ownership.length} thing${result.ownership.length === 1 ? '' : 's'} it does not own`;
}

function where(problem: OwnershipProblem): string {
  return problem.field ? `${problem.file} ${problem.field}` : problem.file;
}

/** Exit 1 when head fails validation or a bot PR crosses its ownership. */
export function checkFailed(result: CheckPrResult): boolean {
  return result.errors > 0 || result.ownership.length > 0;
}

export function renderCheckMarkdown(result: CheckPrResult): string {
  const out = ['## rp9 check-pr', '', `**Validation:** ${validationLine(result)}`, ''];
  const problems = result.head.diagnostics.slice(0, MAX_ROWS);
  if (problems.length > 0) {
    out.push('| Severity | File | Field | Code | Message |', '|---|---|---|---|---|');
    for (const d of problems) out.push(`| ${d.severity} | \`${cell(`${d.file}:${d.line}:${d.column}`)}\` | ${cell(d.path || '—')} | \`${cell(d.code)}\` | ${cell(d.message)} |`);
    if (result.head.diagnostics.length > MAX_ROWS) out.push('', `…and ${result.head.diagnostics.length - MAX_ROWS} more (run \`rp9 validate\`).`);
    out.push('');
  }
  const ownership = ownershipLine(result);
  if (ownership) {
    out.push(`**Bot ownership:** ${ownership}`, '');
    for (const problem of result.ownership) out.push(`- \`${cell(problem.code)}\` ${cell(where(problem))}: ${cell(problem.message)}`);
    if (result.ownership.length > 0) out.push('');
  }
  if (result.plan) out.push(renderPlanMarkdown(result.plan).trimEnd());
  else if (result.planNote) out.push(`### Plan`, '', result.planNote);
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderCheckText(result: CheckPrResult, color: boolean): string {
  const out: string[] = [];
  const body = formatText(result.head.diagnostics, { color });
  if (body !== '') out.push(body);
  out.push(validationLine(result));
  const ownership = ownershipLine(result);
  if (ownership) {
    out.push(ownership);
    for (const problem of result.ownership) out.push(`  ${problem.code} ${where(problem)}: ${problem.message}`);
  }
  out.push('');
  out.push(result.plan ? renderPlanText(result.plan, { color }).trimEnd() : result.planNote ?? '');
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderCheckJson(result: CheckPrResult): string {
  const { errors, warnings } = countBySeverity(result.head.diagnostics);
  return `${JSON.stringify({
    ok: !checkFailed(result),
    errors,
    warnings,
    diagnostics: result.head.diagnostics,
    ...(result.bot ? { bot: result.bot } : {}),
    ownership: result.ownership,
    plan: result.plan ? JSON.parse(renderPlanJson(result.plan)) : null,
    ...(result.planNote ? { planNote: result.planNote } : {}),
  }, null, 2)}\n`;
}

export function renderCheckGithub(result: CheckPrResult): string {
  const lines = [formatGithub(result.head.diagnostics).trimEnd()];
  for (const problem of result.ownership) {
    lines.push(`::error file=${escapeProperty(problem.file)},line=${problem.line},col=${problem.column},title=${escapeProperty(problem.code)}::${escapeData(`${problem.field ? `${problem.field}: ` : ''}${problem.message}`)}`);
  }
  lines.push(validationLine(result));
  const ownership = ownershipLine(result);
  if (ownership) lines.push(ownership);
  if (result.plan) lines.push(renderPlanText(result.plan, { color: false }).trimEnd());
  else if (result.planNote) lines.push(result.planNote);
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

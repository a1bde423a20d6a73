// A run report as text for a terminal (`rp9 bots run`) or JSON for tools.
import { renderCandidateTable } from '../promotion/table.js';
import type { ForgeOperation, OperationResult, RunReport } from './types.js';

function table(headers: readonly string[], rows: readonly string[][]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

function describeOperation(op: ForgeOperation): string {
  if (op.kind === 'close') return `close #${op.number} (${op.tenant}): ${op.comment}`;
  const merge = op.merge === 'review' ? 'human review' : op.merge === 'enabled' ? 'auto-merge already on' : 'auto-merge';
  const pr = op.existing ? `update #${op.existing}` : 'open a pull request';
  return `${op.tenant}: commit ${op.file} on ${op.branch}, ${pr} "${op.title}" [${op.labels.join(', ')}], ${merge}`;
}

function describeResult(result: OperationResult): string {
  switch (result.kind) {
    case 'propose':
      return `${result.tenant}: #${result.number} ${result.pullRequest}${result.commitChanged ? '' : ' (branch unchanged)'}, ${result.merge}: ${result.detail}`;
    case 'close':
      return `${result.tenant}: closed #${result.number}`;
    case 'failed':
      return `${result.tenant}: ${result.operation} failed [${result.code}] ${result.message}`;
  }
}

export function renderReportText(report: RunReport): string {
  const at = report.base.sha ? `${report.base.branch}@${report.base.sha.slice(0, 7)}` : `${report.base.branch} (local directory)`;
  const out = [`${report.bot} bot at ${report.at} on ${at}${report.dryRun ? ' (dry run: nothing is written)' : ''}`];
  for (const note of report.notes) out.push(`note: ${note}`);
  out.push('');
  if (report.candidates) out.push(renderCandidateTable(report.candidates).trimEnd(), '');
  if (report.proposals.length === 0) out.push('No proposals.');
  else {
    const rows = report.proposals.map((p) => [
      p.tenant,
      p.riskClass,
      p.autoMerge.autoMerge ? 'auto-merge' : 'review',
      p.outcome,
      [p.changes.join(', '), p.reason ? `(${p.code}: ${p.reason})` : ''].filter(Boolean).join(' '),
    ]);
    out.push(...table(['TENANT', 'RISK', 'MERGE', 'OUTCOME', 'CHANGES'], rows));
  }
  if (report.held.length > 0) {
    out.push('', 'Held back:');
    for (const held of report.held) out.push(`  ${held.tenant}: ${held.code}: ${held.reason}`);
  }
  out.push('', report.dryRun ? 'Would do:' : 'Operations:');
  if (report.operations.length === 0) out.push('  nothing');
  for (const op of report.operations) {
    out.push(`  ${describeOperation(op)}`);
    // The file edit, like `terraform plan` shows a change.
    if (op.kind === 'propose' && op.diff) out.push(...op.diff.trimEnd().split('\n').map((line) => `    ${line}`));
  }
  if (!report.dryRun && report.results.length > 0) {
    out.push('', 'Results:');
    for (const result of report.results) out.push(`  ${describeResult(result)}`);
  }
  if (report.effects && report.effects.length > 0) {
    out.push('', 'Notices and meter events:');
    for (const effect of report.effects) out.push(`  ${effect.tenant}: ${effect.kind} ${effect.key}: ${effect.outcome}${effect.detail ? ` (${effect.detail})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderReportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** True when an operation failed: the CLI exits 1. */
export function hasFailures(report: RunReport): boolean {
  return report.results.some((r) => r.kind === 'failed') || (report.effects ?? []).some((e) => e.outcome === 'failed');
}

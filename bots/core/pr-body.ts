// The pull-request body of a proposal: why (trigger and evidence), what (the
// field changes) and whether it merges by itself (and by which setting).
// Deterministic: the same proposal renders the same bytes, so the forge's body
// hash only changes when the proposal does. The forge appends its own hidden
// markers; none are written here.
import { code, formatEdit, formatThreshold, formatValue, tableCell } from './format.js';
import type { AutoMergeDecision, Proposal } from './types.js';

export interface RenderPrBodyOptions {
  /** When given, the evaluation time is written into the body (and so into its hash). */
  now?: Date;
}

function evidenceTable(proposal: Proposal): string[] {
  if (proposal.evidence.length === 0) return ['No measurements: this change follows from the configuration alone.'];
  const rows = proposal.evidence.map((row) =>
    `| ${[code(row.metric), formatValue(row.value, row.unit), formatThreshold(row), row.window === '' ? '—' : row.window].map(tableCell).join(' | ')} |`,
  );
  return ['| Metric | Value | Threshold | Window |', '| --- | --- | --- | --- |', ...rows];
}

export function renderPrBody(proposal: Proposal, decision: AutoMergeDecision, options: RenderPrBodyOptions = {}): string {
  const lines = [
    `## ${proposal.title}`,
    '',
    proposal.summary,
    '',
    `**Trigger:** ${proposal.trigger}`,
    '',
    '### Evidence',
    '',
    ...evidenceTable(proposal),
    '',
    '### Proposed change',
    '',
    `In ${code(proposal.file)}:`,
    '',
    ...proposal.edits.map((edit) => `- ${formatEdit(edit)}`),
    '',
    '### Auto-merge',
    '',
    decision.autoMerge
      ? `This PR merges automatically once checks pass (risk class ${code(proposal.riskClass)}): ${code(decision.rule)}.`
      : `This PR waits for a human review (risk class ${code(proposal.riskClass)}): ${code(decision.rule)}.`,
    '',
    '---',
    `Opened by the rp9 ${code(proposal.bot)} bot for tenant ${code(proposal.tenant)}. Bots only propose: merging this PR is what changes the platform.${
      options.now ? ` Evaluated at ${options.now.toISOString()}.` : ''
    }`,
  ];
  return `${lines.join('\n')}\n`;
}

// How `rp9 tenant promote|failover` print the pull request they ensured.
import { formatText } from '../../config/format/index.js';
import type { TenantPrOutcome } from './open-tenant-pr.js';

const ACTION_TEXT = { created: 'opened', updated: 'updated in place', unchanged: 'already open, unchanged' } as const;

export function renderOutcomeText(outcome: TenantPrOutcome, what: string): string {
  if (outcome.kind === 'refused') {
    const details = outcome.diagnostics.length > 0 ? `${formatText(outcome.diagnostics, { color: false }).trimEnd()}\n` : '';
    return `${details}Refused [${outcome.code}]: ${outcome.message}\nNo pull request was opened or changed.\n`;
  }
  if (outcome.kind === 'no-change') return `${outcome.file} on the base branch already reads as asked: no pull request needed.\n`;
  const lines = [
    `${what} pull request #${outcome.number} ${ACTION_TEXT[outcome.action]}: ${outcome.url}`,
    `  branch ${outcome.branch}, file ${outcome.file}`,
    '',
    ...outcome.diff.trimEnd().split('\n').map((l) => `  ${l}`),
  ];
  for (const other of outcome.others) lines.push('', `Note: another open rp9 pull request for this tenant: #${other.number} (${other.bot}) ${other.title} ${other.url}`);
  return `${lines.join('\n')}\n`;
}

export function outcomeJson(outcome: TenantPrOutcome): Record<string, unknown> {
  if (outcome.kind === 'refused') return { refused: { code: outcome.code, message: outcome.message, diagnostics: outcome.diagnostics } };
  if (outcome.kind === 'no-change') return { noChange: { file: outcome.file } };
  return { pullRequest: { number: outcome.number, url: outcome.url, branch: outcome.branch, action: outcome.action, file: outcome.file, diff: outcome.diff }, otherOpenPullRequests: outcome.others };
}

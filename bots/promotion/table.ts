// The candidate table `rp9 bots run promotion --dry-run` prints.
import type { Candidate } from './score.js';

const HEADERS = ['TENANT', 'PLAN', 'SCORE', 'PRIORITY', 'REASONS'] as const;

export function renderCandidateTable(candidates: readonly Candidate[]): string {
  if (candidates.length === 0) return 'No promotion candidates.\n';
  const rows = candidates.map((c) => [c.tenant, c.plan, String(c.score), c.priority, c.reasons.join('; ')]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(HEADERS), ...rows.map(line)].join('\n')}\n`;
}

// Deterministic text formatting shared by PR bodies and tables.
import { dottedPath } from './paths.js';
import type { Evidence } from './types.js';
import { renderFlow } from './yaml-render.js';

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(value: number): string {
  return NUMBER.format(value);
}

export function formatValue(value: number | string | boolean, unit = ''): string {
  if (typeof value === 'number') return `${formatNumber(value)}${unit === '' ? '' : unit === '%' || unit.startsWith('/') ? unit : ` ${unit}`}`;
  return `${String(value)}${unit === '' ? '' : ` ${unit}`}`;
}

export function formatThreshold(evidence: Evidence): string {
  return `${evidence.comparator} ${formatValue(evidence.threshold, evidence.unit)}`;
}

/** A Markdown code span that survives backticks in the content. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ` ${text} ` : text}${fence}`;
}

export function tableCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

/** A field value as it reads in YAML, `(unset)` / `(removed)` for absence. */
export function formatFieldValue(value: unknown, absent: string): string {
  if (value === undefined) return absent;
  try {
    return renderFlow(value);
  } catch {
    return JSON.stringify(value) ?? String(value);
  }
}

export function formatEdit(edit: { path: string[]; value: unknown; previous?: unknown }): string {
  return `${code(dottedPath(edit.path))}: ${code(formatFieldValue(edit.previous, '(unset)'))} → ${code(formatFieldValue(edit.value, '(removed)'))}`;
}

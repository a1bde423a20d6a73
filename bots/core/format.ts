// Deterministic text formatting shared by PR bodies and tables.
import { dottedPath } from './paths.js';
import type { Evidence } from './types.js';
import { renderFlow } from './yaml-render.js';

/** At most two decimals, thousands grouped with commas: 8500 → `8,500`, 6.2 → `6.2` (like en-US, without Intl's cost). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // Whole numbers without a thousands group (most resource figures) read as they are; -0 reads 0.
  if (Number.isInteger(value) && value > -1000 && value < 1000) return value === 0 ? '0' : String(value);
  const fixed = Math.abs(value).toFixed(2);
  const dot = fixed.indexOf('.');
  const whole = fixed.slice(0, dot).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = fixed.slice(dot + 1).replace(/0+$/, '');
  const sign = value < 0 && fixed !== '0.00' ? '-' : '';
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
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

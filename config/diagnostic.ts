// Small helpers shared by every stage that produces diagnostics.
import type { Diagnostic, Severity } from './types.js';

/** One step of a field path: a mapping key or a sequence index. */
export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['spec', 'customDomains', 1]` → `spec.customDomains[1]`; odd keys are quoted: `metadata.labels["rp9.io/canary"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function makeDiagnostic(
  code: string,
  file: string,
  at: Position,
  path: readonly PathSegment[] | string,
  message: string,
  severity: Severity = 'error',
): Diagnostic {
  return {
    code,
    severity,
    file,
    line: at.line,
    column: at.column,
    path: typeof path === 'string' ? path : formatPath(path),
    message,
  };
}

export const FILE_START: Position = { line: 1, column: 1 };

function fileRank(file: string): number {
  return file === 'platform.yaml' ? 0 : 1;
}

/** Deterministic order: platform.yaml first, then by file, line, column, code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    fileRank(a.file) - fileRank(b.file) ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(compareDiagnostics);
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const d of diagnostics) if (d.severity === 'error') errors += 1;
  return { errors, warnings: diagnostics.length - errors };
}

/** A value quoted for a message, shortened so a hostile 200 KiB string stays readable. */
export function quote(value: unknown, max = 60): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Machine output: one JSON document with counts and every diagnostic.
import { compareDiagnostics, countBySeverity } from '../diagnostic.js';
import type { Diagnostic } from '../types.js';

export function formatJson(diagnostics: readonly Diagnostic[], extra: Record<string, unknown> = {}): string {
  const { errors, warnings } = countBySeverity(diagnostics);
  const sorted = [...diagnostics].sort(compareDiagnostics);
  return `${JSON.stringify({ ok: errors === 0, errors, warnings, ...extra, diagnostics: sorted }, null, 2)}\n`;
}

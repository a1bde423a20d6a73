// Human output: diagnostics grouped by file, in line order.
//
//   tenants/acme.yaml
//     17:15  error  unknown field "cpuu" in spec.resources; allowed: ...  schema.unknown-field
import { compareDiagnostics } from '../diagnostic.js';
import type { Diagnostic } from '../types.js';

export interface TextOptions {
  color: boolean;
}

const STYLE = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], underline: [4, 24] } as const;
export type Style = keyof typeof STYLE;

export function paint(text: string, style: Style, color: boolean): string {
  if (!color) return text;
  const [open, close] = STYLE[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Control characters from hostile input are shown escaped, never sent to the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, '\\n');
}

export function formatText(diagnostics: readonly Diagnostic[], options: TextOptions): string {
  const { color } = options;
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const lines: string[] = [];
  let file: string | undefined;
  const width = Math.max(0, ...sorted.map((d) => `${d.line}:${d.column}`.length));
  for (const d of sorted) {
    if (d.file !== file) {
      if (file !== undefined) lines.push('');
      file = d.file;
      lines.push(paint(printable(d.file), 'underline', color));
    }
    const where = `${d.line}:${d.column}`.padEnd(width);
    const severity = d.severity === 'error' ? paint('error  ', 'red', color) : paint('warning', 'yellow', color);
    lines.push(`  ${paint(where, 'dim', color)}  ${severity}  ${printable(d.message)}  ${paint(d.code, 'dim', color)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

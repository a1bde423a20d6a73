// GitHub Actions workflow commands, one per diagnostic, so problems show up as
// annotations on the pull request's files:
//   ::error file=tenants/acme.yaml,line=17,col=15,title=schema.unknown-field::unknown field "cpuu" ...
// Escaping follows the runner (actions/toolkit command.ts): in data `%`, CR, LF;
// in property values also `:` and `,`.
import { compareDiagnostics } from '../diagnostic.js';
import type { Diagnostic } from '../types.js';

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithubLine(d: Diagnostic): string {
  const properties = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`, `title=${escapeProperty(d.code)}`].join(',');
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${properties}::${escapeData(d.message)}`;
}

export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  return sorted.map((d) => `${formatGithubLine(d)}\n`).join('');
}

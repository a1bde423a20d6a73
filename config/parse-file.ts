// One file → schema-valid value (with defaults) or diagnostics. Pure: the
// result depends only on the file's path and bytes, which is what lets the
// ParseCache reuse it.
import { FILE_START, makeDiagnostic, sortDiagnostics } from './diagnostic.js';
import { MAX_DIAGNOSTICS_PER_FILE } from './limits.js';
import { createLocator, type Locator } from './locator.js';
import { schemaDiagnostics } from './schema-errors.js';
import { validateAgainstSchema, type SchemaKind } from './schema-validate.js';
import type { Diagnostic, Platform, SourceFile, Tenant } from './types.js';
import { parseYamlFile } from './yaml-parse.js';

/**
 * `ok: true`: the document is schema-valid; `value` has schema defaults
 * applied, `diagnostics` holds warnings only. `ok: false`: `diagnostics`
 * says why (at least one error). Treat `value` as read-only: cached results
 * are shared between loads.
 */
export type ParseResult<T> =
  | { ok: true; value: T; locator: Locator; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export function parseTenantFile(file: SourceFile): ParseResult<Tenant> {
  return parseFile<Tenant>('tenant', file);
}

export function parsePlatformFile(file: SourceFile): ParseResult<Platform> {
  return parseFile<Platform>('platform', file);
}

function parseFile<T>(kind: SchemaKind, file: SourceFile): ParseResult<T> {
  try {
    const parsed = parseYamlFile(file);
    if (!parsed.ok) return { ok: false, diagnostics: capPerFile(file.path, parsed.diagnostics) };
    const errors = validateAgainstSchema(kind, parsed.value);
    if (errors.length === 0) {
      return { ok: true, value: parsed.value as T, locator: createLocator(parsed.text), diagnostics: parsed.warnings };
    }
    const locator = createLocator(parsed.text, parsed.doc, parsed.lineOf);
    const diagnostics = schemaDiagnostics(kind, file.path, parsed.value, errors, locator);
    return { ok: false, diagnostics: capPerFile(file.path, [...parsed.warnings, ...diagnostics]) };
  } catch (error) {
    // Nothing above should throw; if something does, the file is still reported, not the process.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, diagnostics: [makeDiagnostic('file.unreadable', file.path, FILE_START, '', `file could not be checked: ${message}`)] };
  }
}

function capPerFile(file: string, diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE) return diagnostics;
  const sorted = sortDiagnostics([...diagnostics]);
  const kept = sorted.slice(0, MAX_DIAGNOSTICS_PER_FILE);
  const firstDropped = sorted[MAX_DIAGNOSTICS_PER_FILE]!;
  kept.push(
    makeDiagnostic('file.too-many-problems', file, firstDropped, '', `${diagnostics.length - MAX_DIAGNOSTICS_PER_FILE} more problems from here on are not shown; fix the ones above first`, 'warning'),
  );
  return kept;
}

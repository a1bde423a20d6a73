// One config file's bytes → a plain JS mapping, or diagnostics saying why not.
// Never throws: every failure of the YAML layer becomes a `file.*`/`yaml.*` diagnostic.
// Plain files take the fast path (fast-yaml.ts); everything else, and every
// error, goes through the `yaml` package.
import type { Document, YAMLError } from 'yaml';
import { FILE_START, makeDiagnostic, quote, type PathSegment, type Position } from './diagnostic.js';
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES, MAX_NESTING_DEPTH } from './limits.js';
import { parseSimpleYaml } from './fast-yaml.js';
import { findExcessiveNesting } from './nesting-depth.js';
import { createLineIndex, decodeUtf8 } from './source-text.js';
import type { Diagnostic, SourceFile } from './types.js';
import { yamlLib } from './yaml-lib.js';

export type YamlParse =
  | {
      ok: true;
      text: string;
      /** Undefined when the fast path parsed the file; locators re-parse on demand. */
      doc: Document.Parsed | undefined;
      value: Record<string, unknown>;
      lineOf: (offset: number) => Position;
      warnings: Diagnostic[];
    }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * The parser options used everywhere, so positions found later match the first
 * parse. `uniqueKeys` is off because the package checks it in quadratic time
 * (a minute for a 256 KiB file of short keys); duplicateKeys() does it in one pass.
 */
export const PARSE_OPTIONS = {
  prettyErrors: false,
  logLevel: 'error',
  uniqueKeys: false,
  merge: false,
  version: '1.2',
  schema: 'core',
  keepSourceTokens: false,
} as const;

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'yaml.duplicate-key',
  MULTIPLE_DOCS: 'yaml.multiple-documents',
  TAB_AS_INDENT: 'yaml.tab-indent',
  RESOURCE_EXHAUSTION: 'yaml.too-deep',
};

export function parseYamlFile(file: SourceFile): YamlParse {
  const fail = (code: string, at: Position, message: string): YamlParse => ({
    ok: false,
    diagnostics: [makeDiagnostic(code, file.path, at, '', message)],
  });
  if (file.bytes.length > MAX_FILE_BYTES) {
    return fail('file.too-large', FILE_START, `file is ${file.bytes.length} bytes; the limit is ${MAX_FILE_BYTES} bytes (256 KiB)`);
  }
  const decoded = decodeUtf8(file.bytes);
  if (!decoded.ok) {
    return fail('file.not-utf8', decoded.at, `file is not valid UTF-8 (first bad byte at line ${decoded.at.line}, column ${decoded.at.column}); save it as UTF-8`);
  }
  const text = decoded.text;
  const lineOf = createLineIndex(text);
  const simple = parseSimpleYaml(text);
  if (simple) return { ok: true, text, doc: undefined, value: simple, lineOf, warnings: [] };

  const deep = findExcessiveNesting(text, MAX_NESTING_DEPTH);
  if (deep !== -1) {
    return fail('yaml.too-deep', lineOf(deep), `nesting is deeper than ${MAX_NESTING_DEPTH} levels; config files are never nested this deep`);
  }

  let doc: Document.Parsed;
  try {
    doc = yamlLib().parseDocument(text, PARSE_OPTIONS);
  } catch (error) {
    return fail('yaml.syntax', FILE_START, `YAML could not be parsed: ${(error as Error).message}`);
  }
  if (doc.errors.length > 0) {
    return { ok: false, diagnostics: yamlErrors(file.path, text, doc, lineOf) };
  }
  const duplicates = duplicateKeys(file.path, doc, lineOf);
  if (duplicates.length > 0) return { ok: false, diagnostics: duplicates };
  const warnings = doc.warnings.map((warning) => yamlWarning(file.path, warning, lineOf));
  const contents = doc.contents;
  if (contents === null || (yamlLib().isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1])) {
    return fail('file.empty', FILE_START, 'file is empty (or only comments); it must hold one YAML mapping');
  }
  if (!yamlLib().isMap(contents)) {
    const kind = yamlLib().isSeq(contents) ? 'a list' : yamlLib().isAlias(contents) ? 'an alias' : 'a single value';
    return fail('yaml.not-a-mapping', lineOf(contents.range[0]), `the document is ${kind}; it must be a mapping (key: value lines) starting with apiVersion`);
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, diagnostics: [aliasProblem(file.path, doc, error, lineOf)] };
  }
  return { ok: true, text, doc, value: value as Record<string, unknown>, lineOf, warnings };
}

/**
 * The first error, plus later duplicate keys and tab indents (each precise on
 * its own). Other later errors are usually the parser losing its footing
 * after the first one, so they are dropped rather than shown as noise.
 */
function yamlErrors(file: string, text: string, doc: Document.Parsed, lineOf: (offset: number) => Position): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of doc.errors) {
    const at = lineOf(out.length === 0 ? unterminatedStart(doc, error) : error.pos[0]);
    let code = YAML_CODES[error.code] ?? 'yaml.syntax';
    if (code === 'yaml.syntax' && leadingWhitespaceHasTab(text, error.pos[0])) code = 'yaml.tab-indent';
    if (out.length > 0 && code !== 'yaml.duplicate-key' && code !== 'yaml.tab-indent') continue;
    const key = `${at.line}:${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(makeDiagnostic(code, file, at, '', yamlMessage(code, error, text)));
  }
  return out;
}

/**
 * An unclosed quote or bracket is noticed where the file ends; the place to
 * fix is where it was opened: the last quoted scalar or flow collection that
 * starts before the error.
 */
function unterminatedStart(doc: Document.Parsed, error: YAMLError): number {
  const quote = error.code === 'MISSING_CHAR' && /quote/i.test(error.message);
  const flow = /flow (sequence|mapping|collection)|end with a [\]}]/i.test(error.message);
  if (!quote && !flow) return error.pos[0];
  const yaml = yamlLib();
  let start = -1;
  const consider = (node: { range?: [number, number, number] | null }) => {
    const at = node.range?.[0];
    if (at !== undefined && at < error.pos[0] && at > start) start = at;
  };
  yaml.visit(doc, {
    Scalar(_key, node) {
      if (quote && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) consider(node);
    },
    Map(_key, node) {
      if (flow && node.flow) consider(node);
    },
    Seq(_key, node) {
      if (flow && node.flow) consider(node);
    },
  });
  return start === -1 ? error.pos[0] : start;
}

function yamlMessage(code: string, error: YAMLError, text: string): string {
  const first = error.message.split('\n')[0] ?? error.message;
  switch (code) {
    case 'yaml.duplicate-key': {
      const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(error.pos[0], error.pos[0] + 200))?.[0].trim() ?? '';
      return `duplicate key ${quote(key.replace(/^["']|["']$/g, ''))}: a key may appear only once in a mapping`;
    }
    case 'yaml.multiple-documents':
      return 'file holds more than one YAML document (a "---" separator); it must hold exactly one';
    case 'yaml.tab-indent':
      return 'tab used for indentation; YAML indentation must use spaces';
    case 'yaml.too-deep':
      return `nesting is too deep to parse (${first})`;
    default:
      if (error.code === 'MISSING_CHAR' && /quote/i.test(first)) return 'YAML syntax error: this quoted string is never closed (missing closing quote)';
      if (/end with a [\]}]/.test(first)) return `YAML syntax error: this flow collection is never closed (${first})`;
      return `YAML syntax error: ${first}`;
  }
}

/** True when the line holding `offset` has a tab in its indentation. */
function leadingWhitespaceHasTab(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\t') return true;
    if (c !== ' ' && c !== '-' && c !== '?' && c !== ':') return false;
  }
  return false;
}

function yamlWarning(file: string, warning: YAMLError, lineOf: (offset: number) => Position): Diagnostic {
  const first = warning.message.split('\n')[0] ?? warning.message;
  const code = warning.code === 'TAG_RESOLVE_FAILED' ? 'yaml.unknown-tag' : 'yaml.warning';
  return makeDiagnostic(code, file, lineOf(warning.pos[0]), '', first, 'warning');
}

function aliasProblem(file: string, doc: Document.Parsed, error: unknown, lineOf: (offset: number) => Position): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  // One pass in document order: anchors seen so far, the first alias, the first alias to an unknown anchor.
  const anchors = new Set<string>();
  let first: Position | undefined;
  let unresolved: Position | undefined;
  yamlLib().visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (yamlLib().isAlias(node)) {
      const at = node.range ? lineOf(node.range[0]) : FILE_START;
      first ??= at;
      if (!unresolved && !anchors.has(node.source)) unresolved = at;
    } else if (anchor) {
      anchors.add(anchor);
    }
  });
  if (/excessive alias count/i.test(message)) {
    return makeDiagnostic('yaml.alias-limit', file, first ?? FILE_START, '', `aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a "billion laughs" shape); write the values out instead`);
  }
  if (unresolved) return makeDiagnostic('yaml.syntax', file, unresolved, '', `YAML syntax error: ${message}`);
  return makeDiagnostic('yaml.syntax', file, first ?? FILE_START, '', `YAML could not be converted: ${message}`);
}

/** The key a mapping entry gets in the JS value (null becomes ""), or undefined for collection keys. */
function jsKey(key: unknown): string | undefined {
  if (!yamlLib().isScalar(key)) return undefined;
  return key.value === null ? '' : String(key.value);
}

/**
 * The field path of a node from the visitor's ancestors: each Pair adds its
 * key, each sequence the index of the item on the way down.
 */
function pathOf(ancestors: readonly unknown[], leaf: string): PathSegment[] {
  const yaml = yamlLib();
  const out: PathSegment[] = [];
  for (let i = 0; i < ancestors.length; i += 1) {
    const node = ancestors[i];
    if (yaml.isPair(node)) {
      const key = jsKey(node.key);
      if (key === undefined) return [...out, leaf];
      out.push(key);
    } else if (yaml.isSeq(node)) {
      const index = node.items.indexOf(ancestors[i + 1] as never);
      if (index >= 0) out.push(index);
    }
  }
  return [...out, leaf];
}

/** Keys repeated within one mapping, in one pass over the document. */
function duplicateKeys(file: string, doc: Document.Parsed, lineOf: (offset: number) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  yamlLib().visit(doc, {
    Map(_key, map, ancestors) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = jsKey(pair.key);
        if (key === undefined) continue;
        if (seen.has(key)) {
          const range = (pair.key as { range?: [number, number, number] }).range;
          out.push(makeDiagnostic('yaml.duplicate-key', file, range ? lineOf(range[0]) : FILE_START, pathOf([...ancestors, map], key), `duplicate key ${quote(key)}: a key may appear only once in a mapping`));
        }
        seen.add(key);
      }
    },
  });
  return out;
}

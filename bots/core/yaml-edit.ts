// applyEdits: field edits on a tenant file that keep everything else as it
// was, so a bot's PR diff shows only the fields it changed. The yaml Document
// API (setIn/deleteIn) defines what the result must mean; the surgical text
// edits produce it with minimal change and are checked against that meaning.
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { BotError } from './errors.js';
import { dottedPath } from './paths.js';
import type { FieldEdit } from './types.js';
import { checkValue } from './yaml-render.js';
import { surgicalDelete, surgicalSet } from './yaml-surgery.js';

export interface ApplyEditsOptions {
  /** Named in error messages; default `<yaml>`. */
  file?: string;
}

/** Parses YAML or throws `bots.yaml-invalid` naming file, line and column. */
export function parseYamlStrict(text: string, file: string): Document {
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos?.[0];
    throw new BotError('bots.yaml-invalid', `${file}:${where ? `${where.line}:${where.col}` : '1:1'}: ${error.message.split('\n')[0]}`);
  }
  return doc;
}

function lineOf(doc: Document, text: string, path: string[]): number {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0] ?? 0;
  return text.slice(0, offset).split('\n').length;
}

function checkEdit(doc: Document, text: string, edit: FieldEdit, file: string): void {
  const where = `${file}: ${dottedPath(edit.path)}`;
  if (!Array.isArray(edit.path) || edit.path.length === 0 || edit.path.some((key) => typeof key !== 'string' || key === '')) {
    throw new BotError('bots.edit-invalid', `${file}: edit path must be non-empty keys (got ${JSON.stringify(edit.path)})`);
  }
  if (edit.value !== undefined) checkValue(edit.value, where);
  for (let depth = 1; depth < edit.path.length; depth += 1) {
    const prefix = edit.path.slice(0, depth);
    const node = doc.getIn(prefix, true);
    if (node === undefined || isMap(node)) continue;
    if (edit.value === undefined) return;
    const kind = isScalar(node) ? `the scalar ${JSON.stringify(node.value)}` : 'a sequence';
    throw new BotError('bots.edit-path-invalid', `${file}:${lineOf(doc, text, prefix)}: ${dottedPath(prefix)} is ${kind}, not a map; cannot set ${dottedPath(edit.path)}`);
  }
}

/** The meaning of an edit, through the Document API: what the surgical result must parse to. */
function applySemantic(doc: Document, edit: FieldEdit): void {
  if (edit.value !== undefined) {
    doc.setIn(edit.path, doc.createNode(edit.value));
    return;
  }
  if (!doc.hasIn(edit.path)) return;
  doc.deleteIn(edit.path);
  for (let parent = edit.path.slice(0, -1); parent.length >= 2; parent = parent.slice(0, -1)) {
    const node = doc.getIn(parent, true);
    if (!isMap(node) || node.items.length > 0) break;
    doc.deleteIn(parent);
  }
}

/**
 * Applies field edits (set, or delete when `value` is undefined) to YAML text.
 * Only the edited fields change in the text; a map left empty by a delete is
 * removed (except top-level sections). Pure: throws BotError on bad input and
 * never returns a half-applied result.
 */
export function applyEdits(yamlText: string, edits: FieldEdit[], options: ApplyEditsOptions = {}): string {
  const file = options.file ?? '<yaml>';
  const expected = parseYamlStrict(yamlText, file);
  if (!isMap(expected.contents)) throw new BotError('bots.yaml-invalid', `${file}:1:1: the document is not a map`);
  for (const edit of edits) {
    checkEdit(expected, yamlText, edit, file);
    applySemantic(expected, edit);
  }
  let text: string | undefined = yamlText;
  for (const edit of edits) {
    if (text === undefined) break;
    text = edit.value === undefined ? surgicalDelete(text, edit.path) : surgicalSet(text, edit.path, edit.value);
  }
  if (text !== undefined) {
    const result = parseDocument(text);
    if (result.errors.length === 0 && isDeepStrictEqual(result.toJS(), expected.toJS())) return text;
  }
  return expected.toString({ flowCollectionPadding: true });
}

// Surgical text edits on a YAML source: one field at a time, touching only the
// characters of that field so comments, key order, quoting and flow/block
// style of everything else stay byte-identical. Returns undefined for a shape
// it doesn't handle (block scalars, block sequences, ...); the caller then
// falls back to the yaml Document API's rendering.
import { isMap, isPair, isScalar, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { isPlainObject, nest, renderBlockEntry, renderFlow, renderScalar, renderString } from './yaml-render.js';

type AnyPair = Pair<unknown, unknown>;

function splice(text: string, start: number, end: number, insert: string): string {
  return `${text.slice(0, start)}${insert}${text.slice(end)}`;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Position of the line break (`\n`, or the `\r` of `\r\n`) ending the line that contains `pos` (or that `pos` just passed), or the text length. */
function lineEnd(text: string, pos: number): number {
  let found = pos > 0 && text[pos - 1] === '\n' ? pos - 1 : text.indexOf('\n', pos);
  if (found === -1) return text.length;
  if (found > 0 && text[found - 1] === '\r') found -= 1;
  return found;
}

/** Start of the line after the one that contains `pos`, or the text length. */
function nextLineStart(text: string, pos: number): number {
  const end = lineEnd(text, pos);
  if (end === text.length) return end;
  return text[end] === '\r' ? end + 2 : end + 1;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function rangeOf(node: unknown): [number, number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ?? undefined;
}

/** Where the last character of a node's own content is (block collections: their last entry). */
function contentEnd(node: unknown): number | undefined {
  if (isBlockCollection(node)) {
    const items = (node as { items: unknown[] }).items;
    const last = items[items.length - 1];
    if (last === undefined) return undefined;
    if (isPair(last)) return contentEnd(last.value) ?? rangeOf(last.key)?.[1];
    return contentEnd(last);
  }
  return rangeOf(node)?.[1];
}

function findPair(map: YAMLMap, key: string): AnyPair | undefined {
  return (map.items as AnyPair[]).find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

function isBlockCollection(node: unknown): boolean {
  return !!node && typeof node === 'object' && 'items' in node && !(node as { flow?: boolean }).flow;
}

function insertIntoMap(text: string, map: YAMLMap, key: string, value: unknown, viaIntermediates: boolean): string | undefined {
  const range = rangeOf(map);
  if (!range) return undefined;
  if (map.flow) {
    const entry = `${renderString(key)}: ${renderFlow(value)}`;
    if (map.items.length === 0) return splice(text, range[0], range[1], `{ ${entry} }`);
    const end = contentEnd((map.items[map.items.length - 1] as AnyPair).value);
    return end === undefined ? undefined : splice(text, end, end, `, ${entry}`);
  }
  const first = map.items[0] as AnyPair | undefined;
  const firstKeyStart = rangeOf(first?.key)?.[0];
  const end = contentEnd(map);
  if (firstKeyStart === undefined || end === undefined) return undefined;
  const indent = firstKeyStart - lineStart(text, firstKeyStart);
  const eol = eolOf(text);
  const entry = viaIntermediates || !isPlainObject(value) ? `${' '.repeat(indent)}${renderString(key)}: ${renderFlow(value)}` : renderBlockEntry(key, value, indent, eol);
  const at = lineEnd(text, end);
  return splice(text, at, at, `${eol}${entry}`);
}

function replaceValue(text: string, pair: AnyPair, value: unknown): string | undefined {
  const node = pair.value;
  const range = rangeOf(node);
  if (!range || isBlockCollection(node)) return undefined;
  if (isScalar(node) && (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL')) return undefined;
  if (text.slice(range[0], range[1]).includes('\n')) return undefined;
  const rendered = isScalar(node) && !Array.isArray(value) && !isPlainObject(value) ? renderScalar(value, node.type) : renderFlow(value);
  const needsSpace = range[0] === range[1] && text[range[0] - 1] === ':';
  return splice(text, range[0], range[1], needsSpace ? ` ${rendered}` : rendered);
}

function removePair(text: string, doc: Document, map: YAMLMap, pair: AnyPair): string | undefined {
  const index = map.items.indexOf(pair);
  const keyRange = rangeOf(pair.key);
  if (!keyRange) return undefined;
  if (map.flow) {
    const valueEnd = contentEnd(pair.value) ?? keyRange[1];
    if (index > 0) {
      const previousEnd = contentEnd((map.items[index - 1] as AnyPair).value) ?? rangeOf((map.items[index - 1] as AnyPair).key)?.[1];
      return previousEnd === undefined ? undefined : splice(text, previousEnd, valueEnd, '');
    }
    const nextStart = rangeOf((map.items[1] as AnyPair | undefined)?.key)?.[0];
    return nextStart === undefined ? undefined : splice(text, keyRange[0], nextStart, '');
  }
  const end = contentEnd(pair.value) ?? keyRange[1];
  let start = lineStart(text, keyRange[0]);
  const indent = keyRange[0] - start;
  const isDocumentHeader = map === doc.contents && index === 0;
  while (!isDocumentHeader && start > 0) {
    const above = lineStart(text, start - 1);
    const line = text.slice(above, start - 1);
    if (!(line.slice(0, indent).trim() === '' && line.slice(indent).startsWith('#'))) break;
    start = above;
  }
  return splice(text, start, nextLineStart(text, end), '');
}

/** Sets `path` to `value` in the source text, or undefined when the shape needs the fallback. */
export function surgicalSet(text: string, path: string[], value: unknown): string | undefined {
  const doc = parseDocument(text);
  let map: unknown = doc.contents;
  for (let depth = 0; depth < path.length; depth += 1) {
    if (!isMap(map)) return undefined;
    const key = path[depth] as string;
    const pair = findPair(map, key);
    const rest = path.slice(depth + 1);
    if (!pair) return insertIntoMap(text, map, key, nest(rest, value), rest.length > 0);
    if (rest.length === 0) {
      if (isMap(pair.value) && isPlainObject(value)) return setObject(text, path, pair.value, value);
      return replaceValue(text, pair, value);
    }
    map = pair.value;
  }
  return undefined;
}

/** Replacing a map by an object: only the leaves that differ change. */
function setObject(text: string, path: string[], existing: YAMLMap, value: Record<string, unknown>): string | undefined {
  let out: string | undefined = text;
  for (const pair of existing.items as AnyPair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) return undefined;
    if (!(key in value)) out = out === undefined ? undefined : surgicalDelete(out, [...path, key], { prune: false });
  }
  for (const [key, item] of Object.entries(value)) {
    if (out === undefined) return undefined;
    out = surgicalSet(out, [...path, key], item);
  }
  return out;
}

/**
 * Deletes `path`; a map left empty by the delete is removed too (except
 * top-level sections such as `spec`). A missing path changes nothing.
 */
export function surgicalDelete(text: string, path: string[], options: { prune: boolean } = { prune: true }): string | undefined {
  const doc = parseDocument(text);
  let target = path;
  if (options.prune) {
    while (target.length > 2) {
      const parent = doc.getIn(target.slice(0, -1), true);
      if (!isMap(parent) || parent.items.length !== 1 || !findPair(parent, target[target.length - 1] as string)) break;
      target = target.slice(0, -1);
    }
  }
  const parent = target.length === 1 ? doc.contents : doc.getIn(target.slice(0, -1), true);
  if (!isMap(parent)) return text;
  const pair = findPair(parent, target[target.length - 1] as string);
  if (!pair) return text;
  return removePair(text, doc, parent, pair);
}

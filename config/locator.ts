// Field path → position in the YAML source. Built from the parsed Document when
// one is at hand; otherwise the text is re-parsed on first use, so valid files
// need not keep their Document in memory.
import type { Document, Node, Pair } from 'yaml';
import { FILE_START, type PathSegment, type Position } from './diagnostic.js';
import { createLineIndex } from './source-text.js';
import { PARSE_OPTIONS } from './yaml-parse.js';
import { yamlLib } from './yaml-lib.js';

/**
 * `key`: the key of the last segment (unknown fields, bad label names);
 * `value`: the value at the path (falls back to its key when the value is empty).
 * A path that does not exist resolves to its deepest existing ancestor.
 */
export type LocateTarget = 'key' | 'value';

export interface Locator {
  locate(path: readonly PathSegment[], target?: LocateTarget): Position;
}

export function createLocator(text: string, doc?: Document.Parsed, lineOf?: (offset: number) => Position): Locator {
  let parsed = doc;
  let lines = lineOf;
  return {
    locate(path, target = 'value') {
      parsed ??= yamlLib().parseDocument(text, PARSE_OPTIONS);
      lines ??= createLineIndex(text);
      const offset = findOffset(parsed, path, target);
      return offset === undefined ? FILE_START : lines(offset);
    },
  };
}

/** The key as it appears in the JS value (see yaml-parse.ts jsKey). */
function keyText(key: unknown): string | undefined {
  if (!yamlLib().isScalar(key)) return undefined;
  return key.value === null ? '' : String(key.value);
}

function start(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

function isEmptyScalar(node: unknown): boolean {
  return yamlLib().isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

function findOffset(doc: Document.Parsed, path: readonly PathSegment[], target: LocateTarget): number | undefined {
  let node: unknown = doc.contents;
  let best = start(node);
  for (let i = 0; i < path.length; i += 1) {
    const segment = path[i]!;
    if (yamlLib().isAlias(node)) node = node.resolve(doc);
    if (yamlLib().isMap(node)) {
      const pair = (node.items as Pair<unknown, unknown>[]).find((item) => keyText(item.key) === String(segment));
      if (!pair) return best;
      node = pair.value;
      const keyStart = start(pair.key);
      const valueStart = isEmptyScalar(pair.value) ? undefined : start(pair.value);
      const isLast = i === path.length - 1;
      best = isLast && target === 'key' ? keyStart ?? valueStart : valueStart ?? keyStart ?? best;
    } else if (yamlLib().isSeq(node) && Number.isInteger(Number(segment))) {
      const item = (node.items as Node[])[Number(segment)];
      if (item === undefined) return best;
      node = item;
      best = start(item) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

// Where a field sits in a YAML file (1-based line and column of its key), for
// annotations that point at it. A field that no longer exists is placed at its
// nearest existing parent; the document start when nothing matches. Pure.
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/** Position of `dotted` (`spec.resources.cpu`) in `text`. */
export function fieldPosition(text: string, dotted: string): Position {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  let node: unknown = doc.contents;
  let found: Position = { line: 1, column: 1 };
  if (dotted === '') return found;
  for (const key of dotted.split('.')) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (!pair) break;
    const range = (pair.key as Node).range;
    if (range) {
      const at = counter.linePos(range[0]);
      found = { line: at.line, column: at.col };
    }
    node = pair.value;
  }
  return found;
}

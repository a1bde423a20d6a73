// A cheap scan run before the YAML parser: very deep nesting makes the
// parser recurse until the stack runs out, and near that point V8 can abort
// the whole process instead of throwing. Files nested deeper than any real
// config are rejected here. The scan over-approximates (it does not fully
// tokenize YAML), which only matters for files far outside normal shapes.

/** Offset of the first place nested deeper than `limit`, or -1. */
export function findExcessiveNesting(text: string, limit: number): number {
  const flow = flowDepthOverflow(text, limit);
  if (flow !== -1) return flow;
  return blockDepthOverflow(text, limit);
}

function flowDepthOverflow(text: string, limit: number): number {
  let depth = 0;
  let quote: '' | '"' | "'" = '';
  let previous = '\n';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quote === '"') {
      if (c === '\\') i += 1;
      else if (c === '"') quote = '';
    } else if (quote === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") i += 1;
        else quote = '';
      }
    } else if (c === '#' && (previous === ' ' || previous === '\t' || previous === '\n')) {
      const end = text.indexOf('\n', i);
      if (end === -1) return -1;
      i = end - 1;
    } else if (c === '"') {
      quote = '"';
    } else if (c === "'" && /[\s[{,:]/.test(previous)) {
      quote = "'";
    } else if (c === '[' || c === '{') {
      depth += 1;
      if (depth > limit) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth -= 1;
    }
    previous = c;
  }
  return -1;
}

function blockDepthOverflow(text: string, limit: number): number {
  const indents: number[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end === -1) end = text.length;
    let i = lineStart;
    while (i < end && text[i] === ' ') i += 1;
    if (i < end && text[i] !== '#' && text[i] !== '\r') {
      const indent = i - lineStart;
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
      let dashes = 0;
      while (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
        dashes += 1;
        i += 2;
        while (text[i] === ' ') i += 1;
      }
      if (indents.length + dashes > limit) return lineStart;
    }
    lineStart = end + 1;
  }
  return -1;
}

// A unified diff of two texts (`diff -u` style, 3 lines of context), for the
// dry run's "what the PR would change". Line-based LCS: tenant files are a
// few dozen lines, so the quadratic table is small. Pure.

interface Op {
  kind: ' ' | '-' | '+';
  line: string;
  /** 1-based line numbers in the old and new text at this op. */
  a: number;
  b: number;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function diffOps(before: string[], after: string[]): Op[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j] = length of the LCS of before[i..] and after[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ kind: ' ', line: before[i]!, a: i + 1, b: j + 1 });
      i += 1;
      j += 1;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ kind: '+', line: after[j]!, a: i + 1, b: j + 1 });
      j += 1;
    } else {
      ops.push({ kind: '-', line: before[i]!, a: i + 1, b: j + 1 });
      i += 1;
    }
  }
  // Within a change, show removals before additions, as diff -u does.
  return ops;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** `--- a/<file>`, `+++ b/<file>` and the hunks; '' when the texts are equal. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffOps(lines(before), lines(after));
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length - 1, index + context);
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else hunks.push([start, end]);
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const [start, end] of hunks) {
    const slice = ops.slice(start, end + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const first = slice[0]!;
    out.push(`@@ -${range(first.a, oldCount)} +${range(first.b, newCount)} @@`);
    // Removals of a run first, then its additions.
    let k = 0;
    while (k < slice.length) {
      if (slice[k]!.kind === ' ') {
        out.push(` ${slice[k]!.line}`);
        k += 1;
        continue;
      }
      const run: Op[] = [];
      while (k < slice.length && slice[k]!.kind !== ' ') run.push(slice[k++]!);
      for (const op of run) if (op.kind === '-') out.push(`-${op.line}`);
      for (const op of run) if (op.kind === '+') out.push(`+${op.line}`);
    }
  }
  if (!after.endsWith('\n') && after !== '') out.push('\\ No newline at end of file');
  return `${out.join('\n')}\n`;
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff.js';

/** What `diff -u` (GNU diffutils) prints for the same texts, headers renamed. */
function gnuDiff(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rp9-diff-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    let out = '';
    try {
      execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')]);
    } catch (error) {
      out = String((error as { stdout: Buffer }).stdout);
    }
    return out.replace(/^--- .*\n\+\+\+ .*\n/, '--- a/t.yaml\n+++ b/t.yaml\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const file = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('unifiedDiff', () => {
  it.each([
    ['one changed line in the middle', file.replace('line 10\n', 'line ten\n')],
    ['a line added at the end', `${file}line 21\n`],
    ['a line removed at the start', file.replace('line 1\n', '')],
    ['two changes far apart: two hunks', file.replace('line 2\n', 'two\n').replace('line 18\n', 'eighteen\n')],
    ['two changes close together: one hunk', file.replace('line 5\n', 'five\n').replace('line 9\n', 'nine\n')],
    ['a block map added', file.replace('line 12\n', 'line 12\n  promotion:\n    window: x\n    ttlMinutes: 10\n')],
  ])('prints what diff -u prints: %s', (_name, after) => {
    expect(unifiedDiff('t.yaml', file, after)).toBe(gnuDiff(file, after));
  });

  it('is empty for equal texts', () => {
    expect(unifiedDiff('t.yaml', file, file)).toBe('');
  });
});

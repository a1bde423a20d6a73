// The order of a whole run: the files that start real n8n go last, so the
// rest of the suite runs while `npm test` builds the n8n images in the
// background (scripts/test.sh). Within each part, vitest's own order holds
// (failed first, then longest first, from its cache).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** True when a test file's source starts real n8n (it imports the n8n image harness). */
export function startsRealN8n(source: string): boolean {
  return /\bensureN8nImage\b/.test(source);
}

/** `items` with those that `isLast` keeps, moved to the end; order within each part kept. */
export function moveLast<T>(items: readonly T[], isLast: (item: T) => boolean): T[] {
  const first: T[] = [];
  const last: T[] = [];
  for (const item of items) (isLast(item) ? last : first).push(item);
  return [...first, ...last];
}

/** The repository files a source imports by relative path (`./x.js` → `./x.ts`). */
export function relativeImports(source: string, from: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g)) found.push(resolve(dirname(from), `${match[1]}.ts`));
  return found;
}

const seen = new Map<string, boolean>();

/** Whether a file, or a file it imports from the repository (a support module), starts real n8n. */
export function readsRealN8n(path: string, depth = 3): boolean {
  const known = seen.get(path);
  if (known !== undefined) return known;
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  // The harness module itself defines ensureN8nImage; what counts is calling it.
  const starts = !path.endsWith('n8n-image.ts') && (startsRealN8n(source) || (depth > 0 && relativeImports(source, path).some((p) => readsRealN8n(p, depth - 1))));
  seen.set(path, starts);
  return starts;
}

export class N8nLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return moveLast(await super.sort(files), (spec) => readsRealN8n(spec.moduleId));
  }
}

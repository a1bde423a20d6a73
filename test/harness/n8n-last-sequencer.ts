// The order of a whole run: the files that start real n8n go last, so the
// rest of the suite runs while `npm test` builds the n8n images in the
// background (scripts/test.sh). Within each part, vitest's own order holds
// (failed first, then longest first, from its cache).
import { readFileSync } from 'node:fs';
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

function readsRealN8n(spec: TestSpecification): boolean {
  try {
    return startsRealN8n(readFileSync(spec.moduleId, 'utf8'));
  } catch {
    return false;
  }
}

export class N8nLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return moveLast(await super.sort(files), readsRealN8n);
  }
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { moveLast, readsRealN8n, startsRealN8n } from './n8n-last-sequencer.js';

describe('moveLast', () => {
  it.each([
    { items: [], last: [], expected: [] },
    { items: [1, 2, 3], last: [], expected: [1, 2, 3] },
    { items: [1, 2, 3, 4], last: [1, 3], expected: [2, 4, 1, 3] },
    { items: [4, 3, 2, 1], last: [4, 3, 2, 1], expected: [4, 3, 2, 1] },
  ])('$items with $last last → $expected', ({ items, last, expected }) => {
    expect(moveLast(items, (item) => last.includes(item))).toEqual(expected);
  });
});

describe('startsRealN8n', () => {
  it('knows the real-n8n files by their ensureN8nImage call, and not the others', () => {
    const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
    expect(startsRealN8n(read('../e2e/n8n-real.test.ts'))).toBe(true);
    expect(startsRealN8n(read('../../deploy/compose.test.ts'))).toBe(true);
    expect(startsRealN8n(read('../e2e/controller-lifecycle.test.ts'))).toBe(false);
    expect(startsRealN8n(read('./wait.test.ts'))).toBe(false);
  });
});

describe('readsRealN8n', () => {
  const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  it('follows the imports of support modules: a file whose helper starts n8n counts', () => {
    expect(startsRealN8n(readFileSync(path('../e2e/promotion-real.test.ts'), 'utf8'))).toBe(false);
    expect(readsRealN8n(path('../e2e/promotion-real.test.ts'))).toBe(true);
    expect(readsRealN8n(path('../e2e/demotion-real.test.ts'))).toBe(true);
    expect(readsRealN8n(path('../e2e/n8n-real.test.ts'))).toBe(true);
  });
  it('does not count files that only import the harness or plain helpers', () => {
    expect(readsRealN8n(path('../e2e/controller-lifecycle.test.ts'))).toBe(false);
    expect(readsRealN8n(path('./wait.test.ts'))).toBe(false);
    expect(readsRealN8n(path('../../controller/operations/engine.test.ts'))).toBe(false);
  });
});

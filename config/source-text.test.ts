import { describe, expect, it } from 'vitest';
import { findExcessiveNesting } from './nesting-depth.js';
import { createLineIndex, decodeUtf8, firstInvalidUtf8 } from './source-text.js';

describe('decodeUtf8', () => {
  it('decodes UTF-8 and drops a byte order mark', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9]))).toEqual({ ok: true, text: 'aé' });
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x0a, 0x62, 0x80], { line: 2, column: 2 }],
    ['a truncated sequence at the end', [0x61, 0xe2, 0x82], { line: 1, column: 2 }],
    ['an overlong encoding', [0xc0, 0xaf], { line: 1, column: 1 }],
    ['a UTF-16 surrogate', [0x0a, 0x0a, 0xc3, 0xa9, 0xed, 0xa0, 0x80], { line: 3, column: 2 }],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], { line: 1, column: 1 }],
  ])('locates %s', (_label, bytes, at) => {
    expect(decodeUtf8(new Uint8Array(bytes))).toEqual({ ok: false, at });
  });

  it('agrees with TextDecoder on which byte strings are valid', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let state = 7;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    const interesting = [0x00, 0x0a, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f];
    const mismatches: string[] = [];
    for (let round = 0; round < 20_000; round += 1) {
      const bytes = new Uint8Array(Array.from({ length: 1 + random(6) }, () => interesting[random(interesting.length)]!));
      let valid = true;
      try {
        strict.decode(bytes);
      } catch {
        valid = false;
      }
      if ((firstInvalidUtf8(bytes) === bytes.length) !== valid) mismatches.push(Array.from(bytes).join(','));
    }

    expect(mismatches).toEqual([]);
  });
});

describe('createLineIndex', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const lineOf = createLineIndex('ab\ncd\n\nef');

    expect([0, 1, 3, 5, 6, 7, 9, 99].map(lineOf)).toEqual([
      { line: 1, column: 1 },
      { line: 1, column: 2 },
      { line: 2, column: 1 },
      { line: 2, column: 3 },
      { line: 3, column: 1 },
      { line: 4, column: 1 },
      { line: 4, column: 3 },
      { line: 4, column: 3 },
    ]);
  });
});

describe('findExcessiveNesting', () => {
  it('accepts normal config shapes', () => {
    expect(findExcessiveNesting('a:\n  b: [1, [2, {c: "[[[[[["}]]\n  # [[[[[[[[\n  d: it\'s [fine\n', 3)).toBe(-1);
  });

  it('finds flow and block nesting past the limit', () => {
    expect(findExcessiveNesting('a: [[[[x]]]]\n', 3)).toBe(6);
    expect(findExcessiveNesting('a:\n b:\n  c:\n   d: 1\n', 3)).toBe(12);
    expect(findExcessiveNesting('- - - - x\n', 3)).toBe(0);
  });
});

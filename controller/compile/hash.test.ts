import { describe, expect, it } from 'vitest';
import { canonicalJson, HashError, stableHash } from './hash.js';

describe('canonicalJson', () => {
  it.each([
    ['sorted keys', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['nested objects and arrays', { z: [{ y: 1, x: 'é' }], a: null }, '{"a":null,"z":[{"x":"é","y":1}]}'],
    ['undefined object members are left out', { a: undefined, b: true }, '{"b":true}'],
    ['undefined array items become null', [1, undefined], '[1,null]'],
    ['strings are JSON-escaped', 'a"b\n', '"a\\"b\\n"'],
    ['a sorted object with an unsorted child', { a: { d: 1, c: 2 }, b: 0 }, '{"a":{"c":2,"d":1},"b":0}'],
    ['an already canonical value (fast path)', { a: [1, { b: 'x', c: null }], d: false }, '{"a":[1,{"b":"x","c":null}],"d":false}'],
    ['integer-like keys in string order', { 9: 'nine', 10: 'ten' }, '{"10":"ten","9":"nine"}'],
    ['SecretRefs as plain objects', { env: { B: { secret: 'x' }, A: 'a' } }, '{"env":{"A":"a","B":{"secret":"x"}}}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a nested function in a sorted object', { a: { b: () => 1 } }],
    ['an object with toJSON', { toJSON: () => 'x' }],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(HashError);
  });
});

describe('stableHash', () => {
  it('does not depend on key order', () => {
    expect(stableHash({ a: 1, b: { c: 2, d: 3 } })).toBe(stableHash({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('gives 16 hex characters and differs when a value differs', () => {
    const one = stableHash({ image: 'rp9/n8n:1.123.4' });
    const two = stableHash({ image: 'rp9/n8n:1.123.5' });
    expect(one).toMatch(/^[0-9a-f]{16}$/);
    expect(two).not.toBe(one);
  });
});

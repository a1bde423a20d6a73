import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSimpleYaml } from './fast-yaml.js';
import { yamlLib } from './yaml-lib.js';
import { PARSE_OPTIONS } from './yaml-parse.js';

const repo = new URL('..', import.meta.url);
const seeds = [
  readFileSync(new URL('platform.yaml', repo), 'utf8'),
  ...readdirSync(new URL('tenants/', repo)).map((name) => readFileSync(new URL(`tenants/${name}`, repo), 'utf8')),
  'a:\n  - x\n  - "y z"\n  - 1.5\nb: { c: [1, 2, { d: e }], f: "" }\ng:\nh: ~\n',
  'spec:\n  promotion:\n    reason: >\n      one\n      two\n\n\n      three\n    ttl: 1\n  x: |\n    a\n     b\n    c\n',
];

/** What the full parser makes of `text`, or undefined when it reports anything. */
function reference(text: string): unknown {
  const doc = yamlLib().parseDocument(text, { ...PARSE_OPTIONS, uniqueKeys: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

describe('parseSimpleYaml', () => {
  it('parses the example config exactly as the yaml package does', () => {
    for (const text of seeds) {
      const fast = parseSimpleYaml(text);

      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(reference(text));
    }
  });

  it.each([
    ['scalars of every core type', 'a: 1\nb: -2\nc: 1.5\nd: .5\ne: 1e3\nf: true\ng: False\nh: null\ni: ~\nj: "007"\nk: 007\nl: 1.123.4\nm: yes\n'],
    ['urls and colons inside plain scalars', 'url: http://n8n-shared:5678\ntime: 22:00\n'],
    ['comments after values', 'a: b # c\nd: "e" # f\ng: [h] # i\n'],
    ['quoted keys and apostrophes', '"rp9.io/canary": "true"\nname: Customer\'s flows\nq: \'it\'\'s\'\n'],
    ['empty values and collections', 'a:\nb: []\nc: {}\nd: ""\n'],
    ['literal and folded block scalars', 'a: |\n  line one\n    indented\n\n  # not a comment\nb: >-\n  folded\n  text\n\n  para\nc: |-\n  x\nd: >\n\ne: 1\n'],
    ['CRLF line endings', 'a: 1\r\nb: |\r\n  x\r\n  y\r\nc: [d, e]\r\n'],
    ['non-ASCII text', 'name: Café Zürich 東京 😀\nlist: [é, 東京]\nq: "ü"\n# cömment\nnbsp: a\u00a0b\u00a0\n'],
  ])('agrees with the yaml package on %s', (_label, text) => {
    const fast = parseSimpleYaml(text);

    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(reference(text));
  });

  it.each([
    ['anchors', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['keep chomping', 'a: |+\n  text\n\n'],
    ['explicit indentation', 'a: |2\n   text\n'],
    ['more-indented folded lines', 'a: >\n  one\n    two\n'],
    ['a block scalar in a list', 'a:\n  - |\n    text\n'],
    ['a lone CR', 'a: 1\rb: 2\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['escapes', 'a: "tab\\t"\n'],
    ['hex and octal numbers', 'a: 0x1F\n'],
    ['special floats', 'a: .inf\n'],
    ['huge integers', 'a: 12345678901234567890\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['non-ASCII keys', 'café: 1\n'],
    ['Unicode line separators', 'a: b\u2028c\n'],
    ['several documents', 'a: 1\n---\nb: 2\n'],
    ['a list root', '- a\n'],
    ['nested sequence items', 'a:\n  - - b\n'],
    ['mappings in sequences', 'a:\n  - b: c\n'],
    ['__proto__', '__proto__: 1\n'],
    ['empty input', ''],
    ['only comments', '# x\n'],
  ])('leaves %s to the full parser', (_label, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it('never disagrees with the yaml package on 8,000 mutated documents', () => {
    const pieces = [' ', '  ', '-', '- ', ':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '\n', '\n  ', 'a', '1', '.', '0x', '~', 'null', 'true', '@', '?', '&', '*', '!', '|', '>', '%', '\\', '`', '(', ')', '/', '+', 'e5', '.5', '--- ', '...', 'key: ', '- x', '{a: 1}', '[1, 2]', '\t', 'é', '<<: ', '\u00a0', '東', '😀', '\u2028', '\ufeff', '\u0085', '\u3000', '|', '>', '|-', '\r\n', '\r', '\n\n', '\n    '];
    let state = 42;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    let fastPath = 0;
    const disagreements: string[] = [];
    for (let round = 0; round < 8_000; round += 1) {
      let text = seeds[random(seeds.length)]!;
      for (let edit = 0, edits = 1 + random(3); edit < edits; edit += 1) {
        const at = random(text.length + 1);
        const op = random(3);
        const piece = pieces[random(pieces.length)]!;
        if (op === 0) text = text.slice(0, at) + piece + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + random(4));
        else text = text.slice(0, at) + piece + text.slice(at + 1);
      }
      const fast = parseSimpleYaml(text);
      if (fast === undefined) continue;
      fastPath += 1;
      if (!isDeepStrictEqual(fast, reference(text))) disagreements.push(text);
    }

    expect(disagreements).toEqual([]);
    expect(fastPath).toBeGreaterThan(1_000);
  });
});

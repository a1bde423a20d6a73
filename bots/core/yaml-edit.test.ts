import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BotError } from './errors.js';
import { schemasDirOf, tenantFromYaml } from './fixtures.js';
import type { FieldEdit } from './types.js';
import { applyEdits } from './yaml-edit.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const exampleFiles = [...readdirSync(new URL('tenants/', root)).map((name) => `tenants/${name}`), 'platform.yaml'];

/** Lines removed and added between two texts (LCS line diff), like a PR diff counts them. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i += 1;
      j += 1;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      added.push(b[j++]!);
    } else {
      removed.push(a[i++]!);
    }
  }
  return { removed, added };
}

const comments = (text: string) => text.split('\n').filter((line) => line.trim().startsWith('#'));

describe('applyEdits on the example tenants', () => {
  it.each(exampleFiles)('%s round-trips byte for byte with no edits', (file) => {
    // Arrange
    const text = read(file);

    // Act
    const result = applyEdits(text, [], { file });

    // Assert
    expect(result).toBe(text);
  });

  it.each<[string, string, FieldEdit[], string[], string[]]>([
    ['autoscale: one field of a flow map', 'tenants/acme.yaml', [{ path: ['spec', 'resources', 'workers'], value: 3 }],
      ['  resources: { cpu: 2, memoryMb: 2048, workers: 2, storageGb: 20 }'], ['  resources: { cpu: 2, memoryMb: 2048, workers: 3, storageGb: 20 }']],
    ['autoscale: two fields of one flow map are one line', 'tenants/wayne.yaml', [{ path: ['spec', 'resources', 'cpu'], value: 4 }, { path: ['spec', 'resources', 'workers'], value: 4 }],
      ['  resources: { cpu: 3, memoryMb: 3072, workers: 3, storageGb: 30 }'], ['  resources: { cpu: 4, memoryMb: 3072, workers: 4, storageGb: 30 }']],
    ['autoscale: a key added to an existing flow map', 'tenants/stark.yaml', [{ path: ['spec', 'resources', 'cpu'], value: 2 }],
      ['  resources: { workers: 1 }'], ['  resources: { workers: 1, cpu: 2 }']],
    ['upgrades: the quoted version stays quoted', 'tenants/acme.yaml', [{ path: ['spec', 'n8n', 'version'], value: '2.42.0' }],
      ['  n8n: { version: "2.41.1" }'], ['  n8n: { version: "2.42.0" }']],
    ['upgrades: a missing map is created as one flow line', 'tenants/globex.yaml', [{ path: ['spec', 'n8n', 'version'], value: '1.124.0' }],
      [], ['  n8n: { version: "1.124.0" }']],
    ['promotion: mode and a new block map', 'tenants/initech.yaml', [
      { path: ['spec', 'mode'], value: 'dedicated' },
      { path: ['spec', 'promotion'], value: { window: '2026-03-14T22:00:00Z', ttlMinutes: 10, reason: 'High queue latency: 6.2 s p95' } },
    ], ['  mode: shared'], ['  mode: dedicated', '  promotion:', '    window: "2026-03-14T22:00:00Z"', '    ttlMinutes: 10', '    reason: "High queue latency: 6.2 s p95"']],
    ['promotion: a new object over an existing block map changes only its leaves', 'tenants/umbrella.yaml', [
      { path: ['spec', 'promotion'], value: { window: '2026-12-12T22:00:00Z', ttlMinutes: 10, reason: 'Enterprise plan requires dedicated infrastructure (HIPAA)' } },
    ], ['    window: "2026-12-05T22:00:00Z"'], ['    window: "2026-12-12T22:00:00Z"']],
    ['enforcement: a boolean flipped in place, its comment kept', 'tenants/vandelay.yaml', [{ path: ['spec', 'suspended'], value: false }],
      ['  suspended: true'], ['  suspended: false']],
    ['enforcement: deleting a field takes its own comment with it', 'tenants/vandelay.yaml', [{ path: ['spec', 'suspended'], value: undefined }],
      ['  # Suspended: the hostname serves the "suspended" page; no data is deleted.', '  suspended: true'], []],
    ['stripe-sync: deleting the only key of a flow map removes the map', 'tenants/hooli.yaml', [{ path: ['spec', 'limits', 'executionsMonthly'], value: undefined }],
      ['  limits: { executionsMonthly: 12000 }'], []],
    ['stripe-sync: deleting one key of a flow map keeps the rest', 'tenants/globex.yaml', [{ path: ['spec', 'billing', 'stripeSubscriptionId'], value: undefined }],
      ['  billing: { stripeCustomerId: cus_Globex42, stripeSubscriptionId: sub_Globex42 }'], ['  billing: { stripeCustomerId: cus_Globex42 }']],
    ['stripe-sync: deleting the first key of a flow map', 'tenants/globex.yaml', [{ path: ['spec', 'billing', 'stripeCustomerId'], value: undefined }],
      ['  billing: { stripeCustomerId: cus_Globex42, stripeSubscriptionId: sub_Globex42 }'], ['  billing: { stripeSubscriptionId: sub_Globex42 }']],
    ['stripe-sync: plan and a new limits map', 'tenants/initech.yaml', [{ path: ['spec', 'plan'], value: 'pro' }, { path: ['spec', 'limits', 'executionsMonthly'], value: 15000 }],
      ['  plan: starter'], ['  plan: pro', '  limits: { executionsMonthly: 15000 }']],
    ['deleting a missing field changes nothing', 'tenants/initech.yaml', [{ path: ['spec', 'limits', 'apiCallsHourly'], value: undefined }], [], []],
    ['setting the value a field already has changes nothing', 'tenants/acme.yaml', [{ path: ['spec', 'resources', 'cpu'], value: 2 }], [], []],
  ])('%s (%s)', (_name, file, edits, removed, added) => {
    // Arrange
    const before = read(file);

    // Act
    const after = applyEdits(before, edits, { file });

    // Assert
    expect(lineDiff(before, after)).toEqual({ removed, added });
    expect(after.split('\n')[0]).toBe(before.split('\n')[0]);
    expect(comments(after)).toEqual(comments(before).filter((line) => !removed.includes(line)));
    expect(() => tenantFromYaml(after, schemasDirOf(root))).not.toThrow();
  });

  it('a change to platform.yaml leaves its long header comment and flow maps alone', () => {
    // Arrange
    const before = read('platform.yaml');

    // Act
    const after = applyEdits(before, [{ path: ['spec', 'policies', 'autoscale', 'scaleUp', 'cpuPercent'], value: 75 }]);

    // Assert
    expect(lineDiff(before, after)).toEqual({
      removed: ['      scaleUp: { queueWaitP95Seconds: 5, cpuPercent: 80, memoryPercent: 85, executionsPerMinute: 10 }'],
      added: ['      scaleUp: { queueWaitP95Seconds: 5, cpuPercent: 75, memoryPercent: 85, executionsPerMinute: 10 }'],
    });
  });
});

describe('applyEdits: styles and values', () => {
  it.each<[string, string, FieldEdit[], string]>([
    ['single quotes stay single', "a:\n  v: '1.0'\n", [{ path: ['a', 'v'], value: "it's 2.0" }], "a:\n  v: 'it''s 2.0'\n"],
    ['a plain string that would read as another type is quoted', 'a: x\n', [{ path: ['a'], value: 'true' }], 'a: "true"\n'],
    ['strings starting with a digit are double-quoted', 'a: x\n', [{ path: ['a'], value: '2.0.0' }], 'a: "2.0.0"\n'],
    ['a string with ": " is quoted', 'a: x\n', [{ path: ['a'], value: 'k: v' }], 'a: "k: v"\n'],
    ['a number replacing a string', 'a: "2"\n', [{ path: ['a'], value: 3 }], 'a: 3\n'],
    ['an empty value gets a space', 'a:\n  b:\n  c: 1\n', [{ path: ['a', 'b'], value: 5 }], 'a:\n  b: 5\n  c: 1\n'],
    ['an array value is a flow sequence', 'a: 1\n', [{ path: ['b'], value: ['daily', 'on', 7] }], 'a: 1\nb: [daily, "on", 7]\n'],
    ['a nested new path inside a flow map', 'a: { b: 1 }\n', [{ path: ['a', 'c', 'd'], value: 2 }], 'a: { b: 1, c: { d: 2 } }\n'],
    ['a key into an empty flow map', 'a: {}\n', [{ path: ['a', 'b'], value: 1 }], 'a: { b: 1 }\n'],
    ['a file without a final newline', 'a:\n  b: 1', [{ path: ['a', 'c'], value: 2 }], 'a:\n  b: 1\n  c: 2'],
    ['an insert after a nested block map lands after its last line', 'a:\n  b:\n    c: 1\n    d: 2\nz: 0\n', [{ path: ['a', 'e'], value: 3 }], 'a:\n  b:\n    c: 1\n    d: 2\n  e: 3\nz: 0\n'],
    ['a trailing comment on the edited line survives', 'a: 1 # keep me\n', [{ path: ['a'], value: 2 }], 'a: 2 # keep me\n'],
    ['deleting a block map entry with nested lines', 'a:\n  b:\n    c: 1\n  d: 2\n', [{ path: ['a', 'b'], value: undefined }], 'a:\n  d: 2\n'],
    ['CRLF: an inserted block map keeps CRLF line ends', 'spec:\r\n  plan: pro\r\n', [{ path: ['spec', 'promotion'], value: { window: 'w', ttlMinutes: 10 } }], 'spec:\r\n  plan: pro\r\n  promotion:\r\n    window: w\r\n    ttlMinutes: 10\r\n'],
    ['CRLF: a deleted line takes its CRLF with it', 'spec:\r\n  # the plan\r\n  plan: pro\r\n  mode: shared\r\n', [{ path: ['spec', 'plan'], value: undefined }], 'spec:\r\n  mode: shared\r\n'],
    ['deleting the last key prunes empty maps up to the section', 'spec:\n  limits:\n    x: 1\n  plan: pro\n', [{ path: ['spec', 'limits', 'x'], value: undefined }], 'spec:\n  plan: pro\n'],
  ])('%s', (_name, before, edits, expected) => {
    // Act
    const after = applyEdits(before, edits);

    // Assert
    expect(after).toBe(expected);
  });

  it('falls back to the Document API for a block scalar and still means the same thing', () => {
    // Arrange
    const before = '# header\nspec:\n  reason: |\n    line one\n    line two\n  plan: pro # the plan\n';

    // Act
    const after = applyEdits(before, [{ path: ['spec', 'reason'], value: 'short' }]);

    // Assert
    expect(parse(after)).toEqual({ spec: { reason: 'short', plan: 'pro' } });
    expect(comments(after)).toEqual(['# header']);
    expect(after).toContain('plan: pro # the plan');
  });

  it('applies several edits in order; a later edit sees the earlier one', () => {
    // Act
    const after = applyEdits('a: { b: 1 }\n', [
      { path: ['a', 'b'], value: 2 },
      { path: ['a', 'c'], value: 3 },
      { path: ['a', 'b'], value: undefined },
    ]);

    // Assert
    expect(after).toBe('a: { c: 3 }\n');
  });
});

describe('applyEdits: bad input', () => {
  it.each<[string, string, FieldEdit[], string, RegExp]>([
    ['unparsable YAML names file, line and column', 'a: [1, 2\nb: 3\n', [], 'bots.yaml-invalid', /^tenants\/x\.yaml:\d+:\d+: /],
    ['a document that is not a map', '- a\n- b\n', [], 'bots.yaml-invalid', /not a map/],
    ['a path through a scalar names the line and both fields', 'spec:\n  plan: pro\n  resources: 5\n', [{ path: ['spec', 'resources', 'cpu'], value: 2 }], 'bots.edit-path-invalid', /tenants\/x\.yaml:3: spec\.resources is the scalar 5, not a map; cannot set spec\.resources\.cpu/],
    ['a path through a sequence', 'spec:\n  customDomains: [a.example]\n', [{ path: ['spec', 'customDomains', 'x'], value: 1 }], 'bots.edit-path-invalid', /spec\.customDomains is a sequence/],
    ['an empty path', 'a: 1\n', [{ path: [], value: 1 }], 'bots.edit-invalid', /non-empty keys/],
    ['NaN', 'a: 1\n', [{ path: ['a'], value: Number.NaN }], 'bots.edit-invalid', /tenants\/x\.yaml: a: NaN is not a finite number/],
    ['a Date', 'a: 1\n', [{ path: ['a'], value: new Date(0) }], 'bots.edit-invalid', /a: a object cannot be written/],
    ['undefined inside an object', 'a: 1\n', [{ path: ['a'], value: { b: undefined } }], 'bots.edit-invalid', /a\.b: undefined inside a value/],
  ])('%s', (_name, text, edits, code, message) => {
    // Act
    const act = () => applyEdits(text, edits, { file: 'tenants/x.yaml' });

    // Assert
    expect(act).toThrow(BotError);
    expect(act).toThrow(message);
    try {
      act();
    } catch (error) {
      expect((error as BotError).code).toBe(code);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { demotionEdits, promotionEdits } from './edits.js';

describe('promotionEdits', () => {
  it('sets mode dedicated and spec.promotion, with the reason only when given', () => {
    expect(promotionEdits({ window: '2026-12-12T22:00:00Z', ttlMinutes: 15, reason: 'r' })).toEqual([
      { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
      { path: ['spec', 'promotion'], value: { window: '2026-12-12T22:00:00Z', ttlMinutes: 15, reason: 'r' }, previous: undefined },
    ]);
    expect(promotionEdits({ window: 'w', ttlMinutes: 5 })[1]!.value).toEqual({ window: 'w', ttlMinutes: 5 });
  });
});

describe('demotionEdits', () => {
  const removed = (spec: unknown) => demotionEdits(spec).filter((e) => e.value === undefined).map((e) => e.path.join('.'));
  it.each<[string, unknown, string[]]>([
    ['a bare dedicated tenant', { mode: 'dedicated', customDomains: [] }, []],
    ['a promoted tenant', { mode: 'dedicated', promotion: { window: 'w', ttlMinutes: 5 } }, ['spec.promotion']],
    ['every dedicated-only field', { mode: 'dedicated', customDomains: ['a.example'], n8n: { version: '2.41.1' }, resources: { cpu: 2 }, throttle: { concurrency: 2, requestsPerMinute: 5 } }, ['spec.customDomains', 'spec.n8n', 'spec.resources', 'spec.throttle.concurrency']],
    ['a throttle without concurrency stays', { mode: 'dedicated', throttle: { requestsPerMinute: 5 } }, []],
  ])('%s', (_name, spec, paths) => {
    expect(demotionEdits(spec)[0]).toEqual({ path: ['spec', 'mode'], value: 'shared', previous: 'dedicated' });
    expect(removed(spec)).toEqual(paths);
  });
});

import { describe, expect, it } from 'vitest';
import { fingerprintOf, type FingerprintRow } from './shared-project-sql.js';

const rows: FingerprintRow[] = [
  { what: 'workflow', id: 'w1', sum: 'a' },
  { what: 'workflow', id: 'w2', sum: 'b' },
  { what: 'credential', id: 'c1', sum: 'c' },
];

describe('fingerprintOf', () => {
  it('does not depend on the order the database returns the rows in', () => {
    expect(fingerprintOf([...rows].reverse())).toBe(fingerprintOf(rows));
  });

  it.each([
    ['an item changed', [rows[0]!, { ...rows[1]!, sum: 'b2' }, rows[2]!]],
    ['an item removed', rows.slice(0, 2)],
    ['an item added', [...rows, { what: 'credential', id: 'c2', sum: 'd' } as FingerprintRow]],
    ['a workflow and a credential swapping ids', [rows[0]!, rows[1]!, { what: 'workflow', id: 'c1', sum: 'c' } as FingerprintRow]],
    ['no rows at all', []],
  ])('differs when %s', (_what, changed) => {
    expect(fingerprintOf(changed)).not.toBe(fingerprintOf(rows));
  });
});

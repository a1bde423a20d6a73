import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../config/types.js';
import { diffListings, selectConfigEntries, tenantsTreeOid, type ConfigListing, type TreeEntry } from './tree.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function listing(entries: Record<string, string>): ConfigListing {
  return new Map(Object.entries(entries));
}

describe('diffListings', () => {
  const cases: { name: string; before: Record<string, string>; after: Record<string, string>; expected: { added: string[]; modified: string[]; removed: string[] } }[] = [
    { name: 'identical listings', before: { 'tenants/a.yaml': A }, after: { 'tenants/a.yaml': A }, expected: { added: [], modified: [], removed: [] } },
    { name: 'both empty', before: {}, after: {}, expected: { added: [], modified: [], removed: [] } },
    { name: 'one file added', before: { 'tenants/a.yaml': A }, after: { 'tenants/a.yaml': A, 'tenants/b.yaml': B }, expected: { added: ['tenants/b.yaml'], modified: [], removed: [] } },
    { name: 'one file modified', before: { 'tenants/a.yaml': A }, after: { 'tenants/a.yaml': B }, expected: { added: [], modified: ['tenants/a.yaml'], removed: [] } },
    { name: 'one file removed', before: { 'tenants/a.yaml': A, 'tenants/b.yaml': B }, after: { 'tenants/a.yaml': A }, expected: { added: [], modified: [], removed: ['tenants/b.yaml'] } },
    {
      name: 'a rename is a removal plus an addition',
      before: { 'tenants/a.yaml': A },
      after: { 'tenants/z.yaml': A },
      expected: { added: ['tenants/z.yaml'], modified: [], removed: ['tenants/a.yaml'] },
    },
    {
      name: 'two paths swapping contents are both modified',
      before: { 'tenants/a.yaml': A, 'tenants/b.yaml': B },
      after: { 'tenants/a.yaml': B, 'tenants/b.yaml': A },
      expected: { added: [], modified: ['tenants/a.yaml', 'tenants/b.yaml'], removed: [] },
    },
    {
      name: 'platform.yaml counts like any file; lists are sorted',
      before: { 'platform.yaml': A, 'tenants/m.yaml': B, 'tenants/c.yaml': C },
      after: { 'tenants/c.yaml': A, 'platform.yaml': B, 'tenants/b.yaml': A, 'tenants/a.yaml': A },
      expected: { added: ['tenants/a.yaml', 'tenants/b.yaml'], modified: ['platform.yaml', 'tenants/c.yaml'], removed: ['tenants/m.yaml'] },
    },
    { name: 'everything new', before: {}, after: { 'platform.yaml': A }, expected: { added: ['platform.yaml'], modified: [], removed: [] } },
    { name: 'everything gone', before: { 'platform.yaml': A }, after: {}, expected: { added: [], modified: [], removed: ['platform.yaml'] } },
  ];
  it.each(cases)('$name', ({ before, after, expected }) => {
    expect(diffListings(listing(before), listing(after))).toEqual(expected);
  });
});

function blob(path: string, oid = A, mode = '100644'): TreeEntry {
  return { mode, path, oid, type: 'blob' };
}

describe('selectConfigEntries', () => {
  it('keeps platform.yaml and the yaml files directly under tenants/', () => {
    const problems: Diagnostic[] = [];
    const root = [blob('README.md'), blob('platform.yaml', A), { mode: '040000', path: 'tenants', oid: C, type: 'tree' as const }];
    const tenants = [
      blob('acme.yaml', B),
      blob('beta.yml', C),
      blob('notes.txt'),
      blob('exec.yaml', A, '100755'),
      { mode: '040000', path: 'archive', oid: C, type: 'tree' as const },
    ];
    const result = selectConfigEntries(root, tenants, problems);
    expect([...result]).toEqual([
      ['platform.yaml', A],
      ['tenants/acme.yaml', B],
      ['tenants/beta.yml', C],
      ['tenants/exec.yaml', A],
    ]);
    expect(problems).toEqual([]);
  });

  it('reports symbolic links instead of listing them', () => {
    const problems: Diagnostic[] = [];
    const result = selectConfigEntries([blob('platform.yaml', A, '120000')], [blob('acme.yaml', B), blob('link.yaml', C, '120000')], problems);
    expect([...result.keys()]).toEqual(['tenants/acme.yaml']);
    expect(problems.map((p) => [p.code, p.file, p.severity])).toEqual([
      ['file.symlink', 'platform.yaml', 'error'],
      ['file.symlink', 'tenants/link.yaml', 'error'],
    ]);
  });

  it('reports a submodule or a directory named like a tenant file', () => {
    const problems: Diagnostic[] = [];
    const tenants: TreeEntry[] = [
      { mode: '160000', path: 'sub.yaml', oid: A, type: 'commit' },
      { mode: '040000', path: 'dir.yaml', oid: B, type: 'tree' },
    ];
    const result = selectConfigEntries([], tenants, problems);
    expect(result.size).toBe(0);
    expect(problems.map((p) => [p.code, p.file])).toEqual([
      ['file.not-regular', 'tenants/sub.yaml'],
      ['file.not-regular', 'tenants/dir.yaml'],
    ]);
  });

  it('lists nothing for an empty commit', () => {
    const problems: Diagnostic[] = [];
    expect(selectConfigEntries([], undefined, problems).size).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('tenantsTreeOid', () => {
  it('returns the tenants directory tree', () => {
    const problems: Diagnostic[] = [];
    expect(tenantsTreeOid([blob('platform.yaml'), { mode: '040000', path: 'tenants', oid: C, type: 'tree' }], problems)).toBe(C);
    expect(problems).toEqual([]);
  });

  it('reports a tenants/ that is a symbolic link and returns nothing', () => {
    const problems: Diagnostic[] = [];
    expect(tenantsTreeOid([blob('tenants', A, '120000')], problems)).toBeUndefined();
    expect(problems.map((p) => [p.code, p.file])).toEqual([['file.symlink', 'tenants']]);
  });

  it('returns nothing when there is no tenants directory or it is a file', () => {
    const problems: Diagnostic[] = [];
    expect(tenantsTreeOid([blob('platform.yaml')], problems)).toBeUndefined();
    expect(tenantsTreeOid([blob('tenants')], problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { createGitStore, mergeFlat, type TreeEntry } from './git-store.js';

const sig = { name: 'A U Thor', email: 'author@example.com', date: '2005-04-07T22:13:13Z' };

describe('git store object ids', () => {
  it.each([
    ['', 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'],
    ['hello\n', 'ce013625030ba8dba906f756967f9e9ca394464a'],
  ])('hashes blob %j like git', (content, sha) => {
    expect(createGitStore().putBlob(Buffer.from(content))).toBe(sha);
  });

  it('hashes the empty tree like git', () => {
    expect(createGitStore().putTree(new Map())).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });

  it('builds nested trees from paths and flattens them back', () => {
    const git = createGitStore();
    const a = git.putBlob(Buffer.from('a'));
    const b = git.putBlob(Buffer.from('b'));

    const tree = git.buildTree(undefined, [
      { path: 'dir/sub/a.txt', mode: '100644', type: 'blob', sha: a },
      { path: 'b.txt', mode: '100644', type: 'blob', sha: b },
    ]);
    const without = git.buildTree(tree, [{ path: 'dir/sub/a.txt', mode: '100644', type: 'blob', sha: null }]);

    expect([...git.flatten(tree).keys()]).toEqual(['b.txt', 'dir/sub/a.txt']);
    expect([...git.flatten(without).keys()]).toEqual(['b.txt']);
    expect(git.tree(tree)?.get('dir')).toMatchObject({ mode: '040000', type: 'tree' });
  });

  it('tracks ancestry and merge bases', () => {
    const git = createGitStore();
    const tree = git.putTree(new Map());
    const root = git.putCommit({ tree, parents: [], message: 'root', author: sig, committer: sig });
    const left = git.putCommit({ tree, parents: [root], message: 'left', author: sig, committer: sig });
    const right = git.putCommit({ tree, parents: [root], message: 'right', author: sig, committer: sig });

    expect(git.isAncestor(root, left)).toBe(true);
    expect(git.isAncestor(left, right)).toBe(false);
    expect(git.mergeBase(left, right)).toBe(root);
  });
});

describe('mergeFlat', () => {
  const e = (sha: string): TreeEntry => ({ mode: '100644', type: 'blob', sha });
  it.each<{ name: string; base: Record<string, string>; ours: Record<string, string>; theirs: Record<string, string>; merged: Record<string, string>; conflicts: string[] }>([
    { name: 'takes their change', base: { f: 'a' }, ours: { f: 'a' }, theirs: { f: 'b' }, merged: { f: 'b' }, conflicts: [] },
    { name: 'takes our change', base: { f: 'a' }, ours: { f: 'b' }, theirs: { f: 'a' }, merged: { f: 'b' }, conflicts: [] },
    { name: 'same change on both sides', base: { f: 'a' }, ours: { f: 'c' }, theirs: { f: 'c' }, merged: { f: 'c' }, conflicts: [] },
    { name: 'deleted on one side', base: { f: 'a', g: 'g' }, ours: { g: 'g' }, theirs: { f: 'a', g: 'g' }, merged: { g: 'g' }, conflicts: [] },
    { name: 'different changes conflict', base: { f: 'a' }, ours: { f: 'b' }, theirs: { f: 'c' }, merged: { f: 'b' }, conflicts: ['f'] },
  ])('$name', ({ base, ours, theirs, merged, conflicts }) => {
    const toMap = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, e(v)]));

    const result = mergeFlat(toMap(base), toMap(ours), toMap(theirs));

    expect(Object.fromEntries([...result.merged].map(([k, v]) => [k, v.sha]))).toEqual(merged);
    expect(result.conflicts).toEqual(conflicts);
  });
});

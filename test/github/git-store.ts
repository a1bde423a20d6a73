import { createHash } from 'node:crypto';

/** An in-memory git object database with real SHA-1 object ids (same ids git would compute). */
export type EntryType = 'blob' | 'tree' | 'commit';
export interface TreeEntry {
  mode: string;
  type: EntryType;
  sha: string;
}
export interface Signature {
  name: string;
  email: string;
  date: string;
}
export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Signature;
  committer: Signature;
}
export interface TreeChange {
  path: string;
  mode: string;
  type: EntryType;
  /** null deletes the path */
  sha: string | null;
}

type StoredObject =
  | { type: 'blob'; data: Buffer }
  | { type: 'tree'; entries: Map<string, TreeEntry> }
  | { type: 'commit'; commit: CommitObject };

export interface GitStore {
  putBlob(data: Buffer): string;
  blob(sha: string): Buffer | undefined;
  putTree(entries: Map<string, TreeEntry>): string;
  tree(sha: string): Map<string, TreeEntry> | undefined;
  putCommit(input: Omit<CommitObject, 'sha'>): string;
  commit(sha: string): CommitObject | undefined;
  typeOf(sha: string): EntryType | undefined;
  /** Every blob under a tree, by full path. */
  flatten(treeSha: string): Map<string, TreeEntry>;
  /** A new tree: `base` (or empty) with the changes applied; nested paths create subtrees. */
  buildTree(base: string | undefined, changes: TreeChange[]): string;
  /** Rebuilds a tree from a flat path → entry map. */
  treeFromFlat(flat: Map<string, TreeEntry>): string;
  isAncestor(ancestor: string, descendant: string): boolean;
  mergeBase(a: string, b: string): string | undefined;
  /** Commits reachable from `head`, newest first by committer date, then walk order. */
  history(head: string, limit?: number): CommitObject[];
  /** The object as git stores it (type and body), for serving it over smart HTTP. */
  raw(sha: string): { type: EntryType; body: Buffer } | undefined;
}

export function createGitStore(): GitStore {
  const objects = new Map<string, StoredObject>();

  function hash(type: EntryType, body: Buffer): string {
    return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
  }

  function treeBody(sorted: [string, TreeEntry][]): Buffer {
    return Buffer.concat(sorted.map(([name, e]) => Buffer.concat([Buffer.from(`${e.mode.replace(/^0+/, '')} ${name}\0`), Buffer.from(e.sha, 'hex')])));
  }

  function commitBody(input: Omit<CommitObject, 'sha'>): Buffer {
    const lines = [`tree ${input.tree}`, ...input.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${signature(input.author)}`, `committer ${signature(input.committer)}`, '', input.message);
    return Buffer.from(lines.join('\n'));
  }

  function putTree(entries: Map<string, TreeEntry>): string {
    const sorted = [...entries.entries()].sort(([a, ea], [b, eb]) => compareNames(a, ea, b, eb));
    const sha = hash('tree', treeBody(sorted));
    objects.set(sha, { type: 'tree', entries: new Map(sorted) });
    return sha;
  }

  function tree(sha: string): Map<string, TreeEntry> | undefined {
    const found = objects.get(sha);
    return found?.type === 'tree' ? found.entries : undefined;
  }

  function commit(sha: string): CommitObject | undefined {
    const found = objects.get(sha);
    return found?.type === 'commit' ? found.commit : undefined;
  }

  function flatten(treeSha: string, prefix = ''): Map<string, TreeEntry> {
    const out = new Map<string, TreeEntry>();
    for (const [name, entry] of tree(treeSha) ?? []) {
      if (entry.type === 'tree') for (const [p, e] of flatten(entry.sha, `${prefix}${name}/`)) out.set(p, e);
      else out.set(`${prefix}${name}`, entry);
    }
    return out;
  }

  function treeFromFlat(flat: Map<string, TreeEntry>): string {
    const files = new Map<string, TreeEntry>();
    const dirs = new Map<string, Map<string, TreeEntry>>();
    for (const [path, entry] of flat) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        files.set(path, entry);
        continue;
      }
      const dir = path.slice(0, slash);
      const inner = dirs.get(dir) ?? new Map<string, TreeEntry>();
      inner.set(path.slice(slash + 1), entry);
      dirs.set(dir, inner);
    }
    for (const [dir, inner] of dirs) files.set(dir, { mode: '040000', type: 'tree', sha: treeFromFlat(inner) });
    return putTree(files);
  }

  function ancestors(head: string): Set<string> {
    const seen = new Set<string>();
    const queue = [head];
    while (queue.length > 0) {
      const sha = queue.shift() as string;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(commit(sha)?.parents ?? []));
    }
    return seen;
  }

  return {
    putBlob(data) {
      const sha = hash('blob', data);
      objects.set(sha, { type: 'blob', data });
      return sha;
    },
    blob(sha) {
      const found = objects.get(sha);
      return found?.type === 'blob' ? found.data : undefined;
    },
    putTree,
    tree,
    putCommit(input) {
      const sha = hash('commit', commitBody(input));
      objects.set(sha, { type: 'commit', commit: { ...input, sha } });
      return sha;
    },
    commit,
    typeOf(sha) {
      return objects.get(sha)?.type;
    },
    flatten: (treeSha) => flatten(treeSha),
    buildTree(base, changes) {
      const flat = base ? flatten(base) : new Map<string, TreeEntry>();
      for (const change of changes) {
        if (change.sha === null) {
          flat.delete(change.path);
          for (const path of [...flat.keys()]) if (path.startsWith(`${change.path}/`)) flat.delete(path);
          continue;
        }
        if (change.type === 'tree') {
          for (const path of [...flat.keys()]) if (path.startsWith(`${change.path}/`)) flat.delete(path);
          for (const [p, e] of flatten(change.sha)) flat.set(`${change.path}/${p}`, e);
          continue;
        }
        flat.set(change.path, { mode: change.mode, type: change.type, sha: change.sha });
      }
      return treeFromFlat(flat);
    },
    treeFromFlat,
    isAncestor(ancestor, descendant) {
      return ancestors(descendant).has(ancestor);
    },
    mergeBase(a, b) {
      const fromA = ancestors(a);
      const queue = [b];
      const seen = new Set<string>();
      while (queue.length > 0) {
        const sha = queue.shift() as string;
        if (fromA.has(sha)) return sha;
        if (seen.has(sha)) continue;
        seen.add(sha);
        queue.push(...(commit(sha)?.parents ?? []));
      }
      return undefined;
    },
    history(head, limit = 10_000) {
      const all = [...ancestors(head)].map((sha) => commit(sha)).filter((c): c is CommitObject => c !== undefined);
      const order = new Map([...ancestors(head)].map((sha, i) => [sha, i]));
      all.sort((x, y) => y.committer.date.localeCompare(x.committer.date) || (order.get(x.sha) ?? 0) - (order.get(y.sha) ?? 0));
      return all.slice(0, limit);
    },
    raw(sha) {
      const found = objects.get(sha);
      if (!found) return undefined;
      if (found.type === 'blob') return { type: 'blob', body: found.data };
      if (found.type === 'tree') return { type: 'tree', body: treeBody([...found.entries.entries()]) };
      return { type: 'commit', body: commitBody(found.commit) };
    },
  };
}

function signature(s: Signature): string {
  return `${s.name} <${s.email}> ${Math.floor(Date.parse(s.date) / 1000)} +0000`;
}

function compareNames(a: string, ea: TreeEntry, b: string, eb: TreeEntry): number {
  const ka = ea.type === 'tree' ? `${a}/` : a;
  const kb = eb.type === 'tree' ? `${b}/` : b;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Three-way merge of flat trees by path; `conflicts` lists paths both sides changed differently. */
export function mergeFlat(
  base: Map<string, TreeEntry>,
  ours: Map<string, TreeEntry>,
  theirs: Map<string, TreeEntry>,
): { merged: Map<string, TreeEntry>; conflicts: string[] } {
  const merged = new Map<string, TreeEntry>();
  const conflicts: string[] = [];
  const paths = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()]);
  for (const path of [...paths].sort()) {
    const b = base.get(path)?.sha;
    const o = ours.get(path);
    const t = theirs.get(path);
    let pick: TreeEntry | undefined;
    if (o?.sha === t?.sha) pick = o;
    else if (o?.sha === b) pick = t;
    else if (t?.sha === b) pick = o;
    else {
      conflicts.push(path);
      pick = o;
    }
    if (pick) merged.set(path, pick);
  }
  return { merged, conflicts };
}

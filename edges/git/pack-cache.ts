// Works around an isomorphic-git (1.44) slowdown. A packfile index loaded from
// its .idx file (`GitPackIndex.fromIdx`, i.e. every pack after the fetch that
// wrote it) starts with `readDepth` undefined; `readSlice` increments it to
// NaN and caches resolved objects only when `readDepth > 3`, so it never
// does: each blob at delta-chain depth d is inflated d times. Git packs config
// repos with chains up to 50, so reading 10,000 similar tenant files cost
// about 260,000 inflates instead of 10,000. Setting `readDepth` to 0 on the
// cached indexes turns the per-index object cache on, as it is for packs
// indexed in this process. If isomorphic-git's internals change this does
// nothing, and reads are only slower.
//
// That object cache has no limit: once on, it keeps every object read from the
// pack for as long as the index stays in the source's cache: each blob a second
// time next to the snapshot's copy (for 10,000 tenants, 23 MB of buffers still
// held after a full garbage collection). So a bulk read empties it when it is
// done (`releasePackObjectCache`).
import git from 'isomorphic-git';
import type { GitFs } from './repo.js';

interface PackIndexLike {
  readDepth?: unknown;
  offsetCache?: unknown;
}

const ABSENT_OID = '0000000000000000000000000000000000000000';

/** The pack indexes isomorphic-git has loaded into `cache`. */
async function loadedIndexes(cache: object): Promise<PackIndexLike[]> {
  const indexes: PackIndexLike[] = [];
  for (const symbol of Object.getOwnPropertySymbols(cache)) {
    const packs = (cache as Record<symbol, unknown>)[symbol];
    if (!(packs instanceof Map)) continue;
    for (const loading of packs.values()) {
      const index = (await Promise.resolve(loading).catch(() => undefined)) as PackIndexLike | undefined;
      if (index && typeof index === 'object' && typeof index.offsetCache === 'object') indexes.push(index);
    }
  }
  return indexes;
}

/** Loads every pack index of `gitdir` into `cache` and turns on their object caches. */
export async function enablePackObjectCache(fs: GitFs, gitdir: string, cache: object): Promise<void> {
  // A read of an object that doesn't exist visits, and so loads, every pack index.
  await git.readObject({ fs, gitdir, oid: ABSENT_OID, cache }).catch(() => undefined);
  for (const index of await loadedIndexes(cache)) {
    if (typeof index.readDepth !== 'number' || Number.isNaN(index.readDepth)) index.readDepth = 0;
  }
}

/** Empties the object caches of the pack indexes in `cache`; later reads fill them again. */
export async function releasePackObjectCache(cache: object): Promise<void> {
  for (const index of await loadedIndexes(cache)) index.offsetCache = {};
}

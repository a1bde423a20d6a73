// Reads one commit's config files straight from a git object store (no
// checkout): lists the trees, reads only the blobs it does not hold yet and
// diffs against an earlier commit by oid.
import git from 'isomorphic-git';
import type { Diagnostic, SourceFile } from '../../config/types.js';
import { objectReadFs } from './object-fs.js';
import { enablePackObjectCache, releasePackObjectCache } from './pack-cache.js';
import type { GitFs } from './repo.js';
import { diffListings, selectConfigEntries, tenantsTreeOid, type ConfigListing, type TreeEntry } from './tree.js';
import { SourceError, type ChangedPaths, type ConfigSnapshot } from './types.js';

/** Files over this size are reported (`file.too-large`) instead of returned. */
export const MAX_FILE_BYTES = 256 * 1024;
const KEPT_TREES = 4;

type Blob = { bytes: Uint8Array } | { size: number };

/** State a source keeps between snapshots: isomorphic-git's cache, blobs and trees by oid. */
export interface SnapshotState {
  /** isomorphic-git `cache` (parsed packfile indexes); replace it when packfiles are removed. */
  cache: object;
  /** Blob contents by oid, pruned to the last snapshot's files. Shared with callers: read-only. */
  blobs: Map<string, Blob>;
  /** Recently parsed trees by oid. */
  trees: Map<string, TreeEntry[]>;
}

export function newSnapshotState(): SnapshotState {
  return { cache: {}, blobs: new Map(), trees: new Map() };
}

interface Listed {
  listing: ConfigListing;
  problems: Diagnostic[];
}

async function readTreeEntries(fs: GitFs, gitdir: string, state: SnapshotState, oid: string): Promise<TreeEntry[]> {
  const kept = state.trees.get(oid);
  if (kept) return kept;
  const { tree } = await git.readTree({ fs, gitdir, oid, cache: state.cache });
  state.trees.set(oid, tree);
  if (state.trees.size > KEPT_TREES) {
    const oldest = state.trees.keys().next().value;
    if (oldest !== undefined) state.trees.delete(oldest);
  }
  return tree;
}

async function listCommit(fs: GitFs, gitdir: string, state: SnapshotState, commit: string): Promise<Listed> {
  const { commit: object } = await git.readCommit({ fs, gitdir, oid: commit, cache: state.cache });
  const root = await readTreeEntries(fs, gitdir, state, object.tree);
  const problems: Diagnostic[] = [];
  const tenantsOid = tenantsTreeOid(root, problems);
  const tenants = tenantsOid ? await readTreeEntries(fs, gitdir, state, tenantsOid) : undefined;
  return { listing: selectConfigEntries(root, tenants, problems), problems };
}

/** Reads blobs one at a time: in parallel, reads of a shared delta base would each inflate it again. */
async function readMissingBlobs(fs: GitFs, gitdir: string, state: SnapshotState, oids: string[]): Promise<void> {
  for (const oid of oids) {
    const { blob } = await git.readBlob({ fs, gitdir, oid, cache: state.cache });
    state.blobs.set(oid, blob.length > MAX_FILE_BYTES ? { size: blob.length } : { bytes: blob });
  }
}

function tooLarge(file: string, size: number): Diagnostic {
  const message = `${file} is ${size} bytes; config files may be at most ${MAX_FILE_BYTES} bytes (256 KiB)`;
  return { code: 'file.too-large', severity: 'error', file, line: 1, column: 1, path: '', message };
}

async function changedSince(fs: GitFs, gitdir: string, state: SnapshotState, listing: ConfigListing, commit: string, since: string | undefined): Promise<ChangedPaths | 'all'> {
  if (since === undefined) return 'all';
  if (since === commit) return { added: [], modified: [], removed: [] };
  try {
    const before = await listCommit(fs, gitdir, state, since);
    return diffListings(before.listing, listing);
  } catch {
    return 'all';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads `commit`'s config files from `gitdir`; throws `SourceError` (`source.corrupt`) when it can't.
 * The objects isomorphic-git cached on the way are dropped at the end: `state.blobs` keeps the files.
 */
export async function readSnapshot(fs: GitFs, gitdir: string, state: SnapshotState, commit: string, since?: string): Promise<ConfigSnapshot> {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new SourceError('source.corrupt', `"${commit}" is not a commit id`);
  try {
    return await readFiles(fs, gitdir, state, commit, since);
  } finally {
    await releasePackObjectCache(state.cache);
  }
}

async function readFiles(fs: GitFs, gitdir: string, state: SnapshotState, commit: string, since: string | undefined): Promise<ConfigSnapshot> {
  fs = await objectReadFs(fs, gitdir);
  let listed: Listed;
  try {
    listed = await listCommit(fs, gitdir, state, commit);
  } catch (error) {
    throw new SourceError('source.corrupt', `cannot read commit ${commit} from the git cache (fetch it first): ${describe(error)}`);
  }
  const { listing, problems } = listed;
  const missing = [...new Set(listing.values())].filter((oid) => !state.blobs.has(oid));
  try {
    if (missing.length > 0) await enablePackObjectCache(fs, gitdir, state.cache);
    await readMissingBlobs(fs, gitdir, state, missing);
  } catch (error) {
    throw new SourceError('source.corrupt', `cannot read the files of commit ${commit}: ${describe(error)}`);
  }
  const wanted = new Set(listing.values());
  for (const oid of state.blobs.keys()) if (!wanted.has(oid)) state.blobs.delete(oid);

  let platform: SourceFile | undefined;
  const tenants: SourceFile[] = [];
  for (const [path, oid] of listing) {
    const blob = state.blobs.get(oid) as Blob;
    if ('size' in blob) {
      problems.push(tooLarge(path, blob.size));
      continue;
    }
    const file: SourceFile = { path, bytes: blob.bytes, oid };
    if (path.startsWith('tenants/')) tenants.push(file);
    else platform = file;
  }
  const changed = await changedSince(fs, gitdir, state, listing, commit, since);
  return { commit, files: { platform, tenants, problems }, changed };
}

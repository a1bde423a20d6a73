// Which entries of a commit's tree are config files, and what changed between
// two such listings. Pure: works on tree entries already read from git.
import type { Diagnostic } from '../../config/types.js';
import type { ChangedPaths } from './types.js';

export interface TreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

/** Config file path → blob oid, in tree order. */
export type ConfigListing = Map<string, string>;

export const PLATFORM_FILE = 'platform.yaml';
export const TENANTS_DIR = 'tenants';
const SYMLINK_MODE = '120000';
const TENANT_FILE = /^[^/]+\.ya?ml$/;

function fileProblem(code: string, file: string, message: string): Diagnostic {
  return { code, severity: 'error', file, line: 1, column: 1, path: '', message };
}

function regular(entry: TreeEntry, file: string, problems: Diagnostic[]): boolean {
  if (entry.mode === SYMLINK_MODE) {
    problems.push(fileProblem('file.symlink', file, `${file} is a symbolic link; rp9 does not follow links in the config repo`));
    return false;
  }
  if (entry.type !== 'blob') {
    problems.push(fileProblem('file.not-regular', file, `${file} is a ${entry.type === 'commit' ? 'submodule' : 'directory'}, not a file`));
    return false;
  }
  return true;
}

/** The root tree's `tenants` entry when it is a directory; a problem when it is a link. */
export function tenantsTreeOid(root: TreeEntry[], problems: Diagnostic[]): string | undefined {
  const entry = root.find((e) => e.path === TENANTS_DIR);
  if (!entry) return undefined;
  if (entry.mode === SYMLINK_MODE) {
    problems.push(fileProblem('file.symlink', TENANTS_DIR, `${TENANTS_DIR}/ is a symbolic link; rp9 does not follow links in the config repo`));
    return undefined;
  }
  return entry.type === 'tree' ? entry.oid : undefined;
}

/**
 * Lists the config files of a commit: `platform.yaml` at the root and the
 * `*.yaml`/`*.yml` files directly under `tenants/`. Links and non-files among
 * them become problems; other entries (README, subdirectories) are ignored.
 */
export function selectConfigEntries(root: TreeEntry[], tenants: TreeEntry[] | undefined, problems: Diagnostic[]): ConfigListing {
  const listing: ConfigListing = new Map();
  const platform = root.find((e) => e.path === PLATFORM_FILE);
  if (platform && regular(platform, PLATFORM_FILE, problems)) listing.set(PLATFORM_FILE, platform.oid);
  for (const entry of tenants ?? []) {
    if (!TENANT_FILE.test(entry.path)) continue;
    const file = `${TENANTS_DIR}/${entry.path}`;
    if (regular(entry, file, problems)) listing.set(file, entry.oid);
  }
  return listing;
}

/** Paths added, modified (different oid) and removed between two listings; each list sorted. */
export function diffListings(before: ConfigListing, after: ConfigListing): ChangedPaths {
  const changed: ChangedPaths = { added: [], modified: [], removed: [] };
  for (const [path, oid] of after) {
    const old = before.get(path);
    if (old === undefined) changed.added.push(path);
    else if (old !== oid) changed.modified.push(path);
  }
  for (const path of before.keys()) {
    if (!after.has(path)) changed.removed.push(path);
  }
  changed.added.sort();
  changed.modified.sort();
  changed.removed.sort();
  return changed;
}

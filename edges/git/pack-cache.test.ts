// The pack object cache workaround: on for a bulk read, emptied after it, so a
// source does not keep a second copy of every file it read.
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfigRepo, type ConfigRepo } from '../../test/fixtures/git-repo.js';
import { run } from '../../test/harness/processes.js';
import { enablePackObjectCache, releasePackObjectCache } from './pack-cache.js';
import { newSnapshotState, readSnapshot } from './snapshot.js';

const tenant = (name: string) => `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\nspec:\n  plan: starter\n`;
const NAMES = ['acme', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

let repo: ConfigRepo;

beforeAll(async () => {
  const files: Record<string, string> = { 'platform.yaml': 'apiVersion: rp9.io/v1\nkind: Platform\n' };
  for (const name of NAMES) files[`tenants/${name}.yaml`] = tenant(name);
  repo = await createConfigRepo(files);
  // A small import leaves loose objects; a fetched cache holds packs.
  await run('git', ['repack', '-a', '-d', '-q'], { cwd: repo.bare });
});

afterAll(() => repo.cleanup());

/** Objects the pack indexes in `cache` keep, over all packs. */
async function cachedObjects(cache: object): Promise<number> {
  let count = 0;
  for (const symbol of Object.getOwnPropertySymbols(cache)) {
    const packs = (cache as Record<symbol, unknown>)[symbol];
    if (!(packs instanceof Map)) continue;
    for (const index of packs.values()) count += Object.keys(((await index) as { offsetCache: object }).offsetCache).length;
  }
  return count;
}

async function blobOids(cache: object): Promise<string[]> {
  const { commit } = await git.readCommit({ fs, gitdir: repo.bare, oid: repo.head, cache });
  const root = await git.readTree({ fs, gitdir: repo.bare, oid: commit.tree, cache });
  const tenants = root.tree.find((entry) => entry.path === 'tenants');
  const { tree } = await git.readTree({ fs, gitdir: repo.bare, oid: tenants?.oid ?? '', cache });
  return tree.map((entry) => entry.oid);
}

describe('pack object cache', () => {
  it('keeps the objects read once enabled, and drops them on release', async () => {
    const cache = {};
    const oids = await blobOids(cache);
    await enablePackObjectCache(fs, repo.bare, cache);

    for (const oid of oids) await git.readBlob({ fs, gitdir: repo.bare, oid, cache });
    const kept = await cachedObjects(cache);
    await releasePackObjectCache(cache);

    expect(kept).toBeGreaterThanOrEqual(oids.length - 3);
    expect(await cachedObjects(cache)).toBe(0);
  });

  it('is empty after a snapshot that read every file, which the snapshot still returns', async () => {
    const state = newSnapshotState();

    const snapshot = await readSnapshot(fs, repo.bare, state, repo.head);

    expect(snapshot.files.tenants.map((file) => new TextDecoder().decode(file.bytes))).toEqual([...NAMES].sort().map(tenant));
    expect(await cachedObjects(state.cache)).toBe(0);
  });
});

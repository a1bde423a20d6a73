// A file system for isomorphic-git during one bulk read of a git dir. Each
// `readBlob` costs isomorphic-git a stat of the git dir, an open of the loose
// object path (which fails: fetched objects are packed), a listing of
// `objects/pack` and a probe `readFile()` that node rejects with a new error. Over 10,000 blobs those calls, and the ENOENT errors they
// build, cost more than the inflating. This wrapper answers them from one
// listing taken at the start; everything else goes to the real file system.
// Only valid while nothing else writes to the git dir (sources serialise).
import type * as nodeFs from 'node:fs';
import { join, sep } from 'node:path';
import type { GitFs } from './repo.js';

const NOT_FOUND = Object.assign(new Error('ENOENT: no such loose object'), { code: 'ENOENT' });

/** Wraps `fs` for reads of `gitdir`'s objects; `gitdir` must be an absolute, normalised path. */
export async function objectReadFs(fs: GitFs, gitdir: string): Promise<GitFs> {
  const real = fs.promises;
  const objects = join(gitdir, 'objects');
  const packDir = join(objects, 'pack');
  const looseDirs = new Set((await real.readdir(objects).catch(() => [] as string[])).filter((name) => /^[0-9a-f]{2}$/.test(name)));
  const packList = real.readdir(packDir).catch(() => [] as string[]);
  const gitdirStat = real.stat(gitdir);
  gitdirStat.catch(() => undefined);
  const loosePrefix = objects + sep;

  const promises = Object.create(real) as typeof nodeFs.promises;
  Object.assign(promises, {
    readFile(path: nodeFs.PathLike, options?: unknown) {
      // isomorphic-git probes `readFile()` with no argument on every call to see if it returns a promise.
      if (path === undefined) return Promise.reject(NOT_FOUND);
      const p = String(path);
      if (p.startsWith(loosePrefix) && p.charAt(loosePrefix.length + 2) === sep) {
        const dir = p.slice(loosePrefix.length, loosePrefix.length + 2);
        if (dir !== 'pa' && !looseDirs.has(dir)) return Promise.reject(NOT_FOUND);
      }
      return (real.readFile as (p: nodeFs.PathLike, o?: unknown) => Promise<unknown>)(path, options);
    },
    readdir(path: nodeFs.PathLike, options?: unknown) {
      if (String(path) === packDir && options === undefined) return packList.then((list) => [...list]);
      return (real.readdir as (p: nodeFs.PathLike, o?: unknown) => Promise<unknown>)(path, options);
    },
    stat(path: nodeFs.PathLike, options?: unknown) {
      if (String(path) === gitdir && options === undefined) return gitdirStat;
      return (real.stat as (p: nodeFs.PathLike, o?: unknown) => Promise<unknown>)(path, options);
    },
  });
  // isomorphic-git looks for an enumerable `promises` to pick the promise API.
  return { promises } as unknown as GitFs;
}

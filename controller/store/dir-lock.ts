// A pid lock file so only one process (and one open store per process) uses a
// file-backed PGlite directory at a time: two would corrupt it.
import { open, readFile, rm } from 'node:fs/promises';
import { StoreError } from './errors.js';

export interface DirLock {
  release(): Promise<void>;
}

export async function acquireDirLock(path: string, what: string): Promise<DirLock> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      const who = pid === process.pid ? 'this process (the store is already open)' : `process ${pid}`;
      throw new StoreError(
        'store.locked',
        `${what} is in use by ${who}; the embedded store serves one process at a time (set DATABASE_URL to share a PostgreSQL store)`,
      );
    }
    await rm(path, { force: true });
  }
  throw new StoreError('store.locked', `${what}: could not take the lock file ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDirLock } from './dir-lock.js';

describe('acquireDirLock', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp9-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the lock until released, refusing a second holder', async () => {
    const path = join(dir, 'store.lock');
    const lock = await acquireDirLock(path, 'embedded store at x');

    await expect(acquireDirLock(path, 'embedded store at x')).rejects.toMatchObject({ code: 'store.locked', message: expect.stringContaining('embedded store at x is in use by this process') });
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));

    await lock.release();
    const again = await acquireDirLock(path, 'embedded store at x');
    await again.release();
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const path = join(dir, 'store.lock');
    await writeFile(path, '4194303\n');

    const lock = await acquireDirLock(path, 'embedded store at x');

    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('names another live holder by pid', async () => {
    const path = join(dir, 'store.lock');
    await writeFile(path, '1\n');

    await expect(acquireDirLock(path, 'embedded store at x')).rejects.toMatchObject({ code: 'store.locked', message: expect.stringContaining('in use by process 1') });
  });
});

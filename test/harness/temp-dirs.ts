// Temporary directories of a test file, removed after the file's tests (pass
// or fail) by the afterAll hook of test/harness/setup-file.ts; and the run's
// leftover check used by global-setup.ts.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './processes.js';

const created = new Set<string>();

/** mkdtemp under the OS temp dir, removed after the test file. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Marks a directory made elsewhere for removal after the test file. */
export function removeAfterFile(dir: string): void {
  created.add(dir);
}

/** Removes every directory tempDir() made or removeAfterFile() was given in this process. */
export async function removeTempDirs(): Promise<void> {
  const dirs = [...created];
  created.clear();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = text.split('\n').map((line) => line.split(' ')[4]).filter((p): p is string => Boolean(p))
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  return [...new Set(points.filter((p) => p === dir || p.startsWith(`${dir}/`)))].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or under `dir` (lazily when busy); returns what was mounted. */
export async function unmountUnder(dir: string): Promise<string[]> {
  const points = await mountsUnder(dir);
  for (const point of points) {
    await run('umount', [point]).catch(() => run('umount', ['-l', point]).catch(() => undefined));
  }
  return points;
}

/** What a run left in its temp dir: entries, and mount points under it. */
export async function leftovers(dir: string): Promise<{ entries: string[]; mounts: string[] }> {
  const entries = (await readdir(dir).catch(() => [] as string[])).sort();
  return { entries, mounts: await mountsUnder(dir) };
}

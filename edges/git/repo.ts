// File-system chores around git directories: finding a local repo's git dir,
// preparing the bare cache repo, counting packfiles, small state files.
import type * as nodeFs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import git from 'isomorphic-git';

export type GitFs = typeof nodeFs;

/** The remote isomorphic-git fetches into; rp9 trusts only `refs/heads/<branch>`, written after a fetch succeeds. */
export const INCOMING_REMOTE = 'incoming';

async function stat(fs: GitFs, path: string): Promise<nodeFs.Stats | undefined> {
  try {
    return await fs.promises.stat(path);
  } catch {
    return undefined;
  }
}

async function isGitdir(fs: GitFs, path: string): Promise<boolean> {
  const [head, objects, refs] = await Promise.all([stat(fs, join(path, 'HEAD')), stat(fs, join(path, 'objects')), stat(fs, join(path, 'refs'))]);
  return Boolean(head?.isFile() && objects?.isDirectory() && refs?.isDirectory());
}

/** A linked work tree's git dir keeps its objects and branches in the common dir. */
async function commonDir(fs: GitFs, gitdir: string): Promise<string> {
  try {
    const text = await fs.promises.readFile(join(gitdir, 'commondir'), 'utf8');
    return resolve(gitdir, text.trim());
  } catch {
    return gitdir;
  }
}

/** Finds the git dir of a local work tree (`.git` dir or `gitdir:` file) or bare repo. */
export async function findLocalGitdir(fs: GitFs, path: string): Promise<{ gitdir: string } | { message: string }> {
  const info = await stat(fs, path);
  if (!info) return { message: `${path} does not exist` };
  if (!info.isDirectory()) return { message: `${path} is not a directory` };
  const dotGit = join(path, '.git');
  const dotGitInfo = await stat(fs, dotGit);
  let gitdir: string | undefined;
  if (dotGitInfo?.isDirectory()) gitdir = dotGit;
  if (dotGitInfo?.isFile()) {
    const text = await fs.promises.readFile(dotGit, 'utf8').catch(() => '');
    const match = /^gitdir:\s*(.+)$/m.exec(text);
    if (match?.[1]) gitdir = resolve(path, match[1].trim());
  }
  if (!gitdir && (await isGitdir(fs, path))) gitdir = path;
  if (!gitdir) return { message: `${path} is not a git repository (no .git directory, and not a bare repo)` };
  const common = await commonDir(fs, gitdir);
  if (!(await isGitdir(fs, common))) return { message: `${path} is not a git repository (${gitdir} is incomplete)` };
  return { gitdir: common };
}

/** Creates the bare cache repo if needed; finishes an interrupted compaction (see remote.ts). */
export async function ensureCacheRepo(fs: GitFs, gitdir: string): Promise<void> {
  if (!(await isGitdir(fs, gitdir)) && (await isGitdir(fs, `${gitdir}.old`))) {
    await fs.promises.rm(gitdir, { recursive: true, force: true });
    await fs.promises.rename(`${gitdir}.old`, gitdir);
  }
  if (await isGitdir(fs, gitdir)) return;
  await fs.promises.mkdir(dirname(gitdir), { recursive: true });
  await git.init({ fs, gitdir, bare: true });
  await git.setConfig({ fs, gitdir, path: `remote.${INCOMING_REMOTE}.fetch`, value: `+refs/heads/*:refs/remotes/${INCOMING_REMOTE}/*` });
}

/** Sorted names of the pack indexes; changes whenever packfiles are added or removed. */
export async function packIndexes(fs: GitFs, gitdir: string): Promise<string[]> {
  const names = await fs.promises.readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.idx')).sort();
}

/** The oid a ref points at, or undefined when it does not exist. */
export async function resolveOptional(fs: GitFs, gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return undefined;
  }
}

/** True when `oid` descends from `ancestor`; false when it doesn't or the history can't be read. */
export async function descendsFrom(fs: GitFs, gitdir: string, cache: object, oid: string, ancestor: string): Promise<boolean> {
  if (oid === ancestor) return true;
  try {
    return await git.isDescendent({ fs, gitdir, oid, ancestor, depth: -1, cache });
  } catch {
    return false;
  }
}

export async function readTextFile(fs: GitFs, path: string): Promise<string | undefined> {
  try {
    return (await fs.promises.readFile(path, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Writes a small file atomically (temp file + rename). */
export async function writeTextFile(fs: GitFs, path: string, text: string): Promise<void> {
  await fs.promises.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await fs.promises.writeFile(temp, `${text}\n`);
  await fs.promises.rename(temp, path);
}

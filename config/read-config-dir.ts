// Reads a config repo checkout from disk: platform.yaml and tenants/*.yaml|yml.
// Files are read defensively: symlinks must resolve inside the repo, special
// files (FIFOs, devices, directories) are never read, and no file is read past
// MAX_FILE_BYTES. Reads are synchronous: for thousands of small files that is
// several times faster than the thread pool (a 10,000-tenant repo reads in
// well under a second), and the CLI has nothing else to do meanwhile.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { FILE_START, makeDiagnostic } from './diagnostic.js';
import { MAX_FILE_BYTES } from './limits.js';
import type { ConfigFiles, Diagnostic, SourceFile } from './types.js';

/** The directory itself is missing or not a directory: a usage/I/O error, not a config problem. */
export class ConfigDirError extends Error {
  constructor(
    readonly code: 'config.dir-not-found' | 'config.not-a-directory',
    message: string,
  ) {
    super(message);
  }
}

const TENANT_FILE = /\.ya?ml$/;
/** Names that look like an attempt at a tenant file but are not read. */
const LOOKS_LIKE_CONFIG = /\.(json|ya?ml\..*|YA?ML|Ya?ml|toml)$/;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

type ReadOutcome = { file: SourceFile } | { problem: Diagnostic } | undefined;
type Problem = (code: string, message: string) => ReadOutcome;

export async function readConfigDir(root: string): Promise<ConfigFiles> {
  const realRoot = resolveRoot(root);
  const problems: Diagnostic[] = [];
  let platform: SourceFile | undefined;
  const tenants: SourceFile[] = [];
  const platformOutcome = readEntry(realRoot, 'platform.yaml');
  if (platformOutcome && 'file' in platformOutcome) platform = platformOutcome.file;
  else if (platformOutcome) problems.push(platformOutcome.problem);
  for (const name of listTenantFiles(realRoot, problems)) {
    const outcome = readEntry(realRoot, `tenants/${name}`);
    if (!outcome) continue;
    if ('file' in outcome) tenants.push(outcome.file);
    else problems.push(outcome.problem);
  }
  return { platform, tenants, problems };
}

function resolveRoot(root: string): string {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    throw new ConfigDirError('config.dir-not-found', `config directory ${JSON.stringify(root)} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new ConfigDirError('config.not-a-directory', `${JSON.stringify(root)} is not a directory`);
  return real;
}

function inside(realRoot: string, target: string): boolean {
  return target === realRoot || target.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

function listTenantFiles(realRoot: string, problems: Diagnostic[]): string[] {
  const dir = join(realRoot, 'tenants');
  try {
    if (lstatSync(dir).isSymbolicLink() && !inside(realRoot, realpathSync(dir))) {
      problems.push(makeDiagnostic('file.symlink-outside-repo', 'tenants', FILE_START, '', 'tenants/ is a symlink to outside the config repo; it was not followed'));
      return [];
    }
  } catch {
    return []; // No tenants/ (or a dangling link to one): no tenants.
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(makeDiagnostic('file.unreadable', 'tenants', FILE_START, '', `tenants/ could not be listed: ${(error as Error).message}`));
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (TENANT_FILE.test(entry.name)) names.push(entry.name);
    else if (LOOKS_LIKE_CONFIG.test(entry.name) && !entry.isDirectory()) {
      problems.push(makeDiagnostic('file.ignored', `tenants/${entry.name}`, FILE_START, '', 'not read: tenant files must end in .yaml or .yml (lowercase)', 'warning'));
    }
  }
  return names.sort();
}

function readEntry(realRoot: string, relative: string): ReadOutcome {
  const problem: Problem = (code, message) => ({ problem: makeDiagnostic(code, relative, FILE_START, '', message) });
  const path = join(realRoot, relative);
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink fails with ELOOP and is checked below; O_NONBLOCK: a FIFO must not block the open.
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return readSymlink(realRoot, path, relative, problem);
    return problem('file.unreadable', `could not be opened: ${(error as Error).message}`);
  }
  return readOpenFile(fd, relative, problem);
}

function readSymlink(realRoot: string, path: string, relative: string, problem: Problem): ReadOutcome {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return problem('file.symlink-broken', 'is a symlink whose target does not exist (or a symlink loop)');
  }
  if (!inside(realRoot, target)) return problem('file.symlink-outside-repo', 'is a symlink to a file outside the config repo; it was not followed');
  let fd: number;
  try {
    fd = openSync(target, OPEN_FLAGS);
  } catch (error) {
    return problem('file.unreadable', `could not be opened: ${(error as Error).message}`);
  }
  return readOpenFile(fd, relative, problem);
}

function readOpenFile(fd: number, relative: string, problem: Problem): ReadOutcome {
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return problem('file.not-a-file', `is not a regular file (${info.isDirectory() ? 'a directory' : 'a special file'}); it was not read`);
    if (info.size > MAX_FILE_BYTES) return problem('file.too-large', `file is ${info.size} bytes; the limit is ${MAX_FILE_BYTES} bytes (256 KiB); it was not read`);
    // One byte more than the size: a file that grew since fstat is noticed, and never read past the cap.
    const buffer = Buffer.allocUnsafe(info.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > info.size) return problem('file.unreadable', 'file changed while being read; run again');
    return { file: { path: relative, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) } };
  } catch (error) {
    return problem('file.unreadable', `could not be read: ${(error as Error).message}`);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // The descriptor is gone either way.
    }
  }
}

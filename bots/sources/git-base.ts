// The config files of a git ref in a local checkout, through the git CLI
// (`rp9 check-pr --base origin/main`): `git ls-tree` lists them, one
// `git cat-file --batch` reads every blob, so 10,000 tenants cost two processes.
import { spawn } from 'node:child_process';
import type { ConfigFiles, Diagnostic, SourceFile } from '../../config/types.js';
import { selectConfigEntries, type TreeEntry } from '../../edges/git/tree.js';
import { SourceReadError } from './errors.js';

const MAX_OUTPUT = 512 * 1024 * 1024;

function git(dir: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', dir, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) child.kill();
      else chunks.push(chunk);
    });
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', (error) => reject(new SourceReadError('sources.git-failed', `git ${args[0]}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0 && size <= MAX_OUTPUT) resolve(Buffer.concat(chunks));
      else reject(new SourceReadError('sources.git-failed', `git ${args.join(' ')} failed${size > MAX_OUTPUT ? ' (output too large)' : ''}: ${stderr.trim() || `exit ${code}`}`));
    });
    if (input !== undefined && child.stdin) {
      // git may exit before reading everything (a bad object): its exit status reports that, not EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/** `git ls-tree -z` output → entries (mode, type, oid, name). */
export function parseLsTree(output: Buffer): TreeEntry[] {
  return output.toString('utf8').split('\0').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    const [mode, type, oid] = line.slice(0, tab).split(' ');
    return { mode: mode ?? '', type: type === 'tree' ? 'tree' : type === 'commit' ? 'commit' : 'blob', oid: oid ?? '', path: line.slice(tab + 1) };
  });
}

/** `git cat-file --batch` output for the given oids, in order. */
export function parseCatFileBatch(output: Buffer, count: number): Buffer[] {
  const blobs: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) throw new SourceReadError('sources.git-failed', 'git cat-file --batch: truncated output');
    const header = output.subarray(offset, newline).toString('utf8').split(' ');
    if (header[1] === 'missing' || header.length < 3) throw new SourceReadError('sources.git-failed', `git cat-file --batch: object ${header[0]} is missing`);
    const size = Number(header[2]);
    blobs.push(output.subarray(newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return blobs;
}

/** The commit a ref names; `sources.git-failed` with a hint when it isn't there. */
export async function resolveCommit(dir: string, ref: string): Promise<string> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).toString('utf8').trim();
  } catch {
    throw new SourceReadError('sources.git-failed', `git ref "${ref}" not found in ${dir}; fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0)`);
  }
}

/** platform.yaml and tenants/*.yaml as they are at `ref`. */
export async function readGitConfig(dir: string, ref: string): Promise<ConfigFiles & { commit: string }> {
  const commit = await resolveCommit(dir, ref);
  // `dir` may be a subdirectory of the repository: list the tree at the same place.
  const prefix = (await git(dir, ['rev-parse', '--show-prefix'])).toString('utf8').trim().replace(/\/$/, '');
  const root = parseLsTree(await git(dir, ['ls-tree', '--full-tree', '-z', prefix ? `${commit}:${prefix}` : commit]));
  const tenantsDir = root.find((e) => e.path === 'tenants' && e.type === 'tree');
  const tenants = tenantsDir ? parseLsTree(await git(dir, ['ls-tree', '--full-tree', '-z', tenantsDir.oid])) : undefined;
  const problems: Diagnostic[] = [];
  const listing = [...selectConfigEntries(root, tenants, problems)];
  const blobs = listing.length === 0 ? [] : parseCatFileBatch(await git(dir, ['cat-file', '--batch'], listing.map(([, oid]) => `${oid}\n`).join('')), listing.length);
  const files: SourceFile[] = listing.map(([path, oid], i) => ({ path, oid, bytes: new Uint8Array(blobs[i]!) }));
  return {
    commit,
    platform: files.find((f) => f.path === 'platform.yaml'),
    tenants: files.filter((f) => f.path !== 'platform.yaml'),
    problems,
  };
}

/** Paths (relative to `dir`) that differ between `ref` and the working tree, new files git doesn't ignore included. */
export async function changedPaths(dir: string, ref: string): Promise<string[]> {
  const commit = await resolveCommit(dir, ref);
  const tracked = (await git(dir, ['diff', '--name-only', '-z', '--no-renames', '--relative', commit, '--'])).toString('utf8').split('\0').filter(Boolean);
  const untracked = (await git(dir, ['ls-files', '-z', '--others', '--exclude-standard'])).toString('utf8').split('\0').filter(Boolean);
  return [...new Set([...tracked, ...untracked])].sort();
}

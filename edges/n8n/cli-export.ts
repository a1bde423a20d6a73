// Workflows and credentials out of an n8n instance through its CLI:
// `export:workflow --all` and `export:credentials --all --decrypted`, or by
// project with `--projectId` (a shared tenant's personal project). The
// decrypted credentials are returned to the caller, which must encrypt them
// before they leave memory.
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { execIn, N8nCliError } from './cli-exec.js';

export type ExportWhat = 'workflows' | 'credentials';

/**
 * The exec that exports to `file`, prints it after `marker` and removes it, in one shell: the exec runs to its
 * end in the container even when rp9 is killed meanwhile, so a crash leaves no decrypted file behind.
 */
export function exportExec(argv: readonly string[], file: string, marker: string): string[] {
  // The file goes on exit whatever happens; a reader that went away (SIGPIPE) does not stop the shell before that.
  const script = `trap 'rm -f "${file}"' EXIT; trap '' PIPE; "$@"; s=$?; printf '\n%s\n' "${marker}"; if [ -f "${file}" ]; then cat "${file}"; fi; exit $s`;
  return ['sh', '-c', script, 'rp9-export', ...argv];
}

/** What an export exec answered: `[]` for n8n's "No … found", the items, or n8n.cli-failed / n8n.cli-output-invalid. */
export function exportedItems(run: { exitCode: number; stdout: Buffer; stderr: string }, marker: string, what: string): Record<string, unknown>[] {
  const stdout = run.stdout.toString('utf8');
  const at = stdout.lastIndexOf(`\n${marker}\n`);
  const text = `${at === -1 ? stdout : stdout.slice(0, at)}\n${run.stderr}`;
  // n8n exits 0 with "No workflows found" / "No credentials found" and writes no file.
  if (/No (workflows|credentials) found/i.test(text)) return [];
  // A CLI that said it exported n items and then died by a signal on its way out (as its import and execute have
  // been seen to, exit 139) wrote its file: taken when the file holds exactly those n items.
  const exported = /Successfully exported (\d+) (?:workflow|credential)s?\b/.exec(text);
  const diedAfter = run.exitCode > 128 && exported !== null;
  if (run.exitCode !== 0 && !diedAfter) throw new N8nCliError('n8n.cli-failed', `${what} exited ${run.exitCode}: ${text.trim().slice(-1000)}`);
  if (at === -1) throw new N8nCliError('n8n.cli-output-invalid', `${what}: no export after the command's output`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(at + marker.length + 2));
  } catch (error) {
    if (diedAfter) throw new N8nCliError('n8n.cli-failed', `${what} exited ${run.exitCode} and left no complete export: ${text.trim().slice(-1000)}`);
    throw new N8nCliError('n8n.cli-output-invalid', `${what} wrote invalid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new N8nCliError('n8n.cli-output-invalid', `${what} wrote ${typeof parsed}, expected an array`);
  if (diedAfter && parsed.length !== Number(exported[1])) throw new N8nCliError('n8n.cli-failed', `${what} exited ${run.exitCode} after saying it exported ${exported[1]}, and its file holds ${parsed.length}`);
  return parsed as Record<string, unknown>[];
}

export async function exportItems(docker: Docker, container: string, what: ExportWhat, options: { projectId?: string } = {}): Promise<Record<string, unknown>[]> {
  const file = `/tmp/rp9-export-${randomBytes(6).toString('hex')}.json`;
  const marker = `--rp9-export-${randomBytes(6).toString('hex')}--`;
  const command = what === 'workflows' ? 'export:workflow' : 'export:credentials';
  const scope = options.projectId ? [`--projectId=${options.projectId}`] : ['--all'];
  const argv = ['n8n', command, ...scope, ...(what === 'credentials' ? ['--decrypted'] : []), `--output=${file}`];
  const run = await execIn(docker, container, exportExec(argv, file, marker));
  return exportedItems(run, marker, `${argv.slice(0, -1).join(' ')} in ${container}`);
}

/** The exec that decodes `file`.b64, runs `argv` (the import) and removes both files, in one shell (exit 97: not decoded). */
export function importExec(argv: readonly string[], file: string): string[] {
  const script = `trap 'rm -f "${file}" "${file}.b64"' EXIT; trap '' PIPE; base64 -d "${file}.b64" > "${file}" || exit 97; "$@"`;
  return ['sh', '-c', script, 'rp9-import', ...argv];
}

/**
 * The verdict on one import exec: exit 0 is done; 97, the file was not decoded. An import whose output says it
 * imported every item is done even when the CLI then died by a signal (exit 128+n): n8n 2.41's CLI has been seen
 * to segfault (139) on its way out after "Successfully imported 1 workflow." (the upgrade e2e, on a loaded host),
 * as `n8n execute` does (cli-execute.ts). Anything else is n8n.cli-failed with the output's tail. Pure.
 */
export function judgeImport(run: { exitCode: number; stdout: string; stderr: string }, what: string, expected: number): { after?: string } {
  if (run.exitCode === 0) return {};
  const output = `${run.stdout}\n${run.stderr}`.trim();
  if (run.exitCode === 97) throw new N8nCliError('n8n.cli-failed', `${what}: cannot decode its input file: ${run.stderr.trim()}`);
  const imported = /Successfully imported (\d+) (?:workflow|credential)s?\b/.exec(run.stdout);
  if (run.exitCode > 128 && imported && Number(imported[1]) === expected) return { after: `the CLI then exited ${run.exitCode} on its way out` };
  throw new N8nCliError('n8n.cli-failed', `${what} exited ${run.exitCode}: ${output.slice(-1000)}`);
}

/**
 * `import:workflow` / `import:credentials` from JSON (ids kept; imported workflows are inactive); into a project with `projectId`.
 * `activeState: 'fromJson'` (n8n 2.x in queue mode only) activates the workflows whose JSON says `active: true`.
 */
export async function importItems(docker: Docker, container: string, what: ExportWhat, items: readonly Record<string, unknown>[], options: { activeState?: 'fromJson'; projectId?: string } = {}): Promise<void> {
  const file = `/tmp/rp9-import-${randomBytes(6).toString('hex')}.json`;
  const json = Buffer.from(JSON.stringify(items)).toString('base64');
  try {
    // Written through base64 in argv chunks: no stdin needed, nothing on disk outside the container.
    const chunk = 96 * 1024;
    for (let i = 0; i < json.length; i += chunk) {
      const part = json.slice(i, i + chunk);
      const write = await execIn(docker, container, ['sh', '-c', `printf '%s' "$0" >> ${file}.b64`, part]);
      if (write.exitCode !== 0) throw new N8nCliError('n8n.cli-failed', `cannot write ${file} in ${container}: ${write.stderr.trim()}`);
    }
    const command = what === 'workflows' ? 'import:workflow' : 'import:credentials';
    const argv = ['n8n', command, `--input=${file}`, ...(options.activeState ? [`--activeState=${options.activeState}`] : []), ...(options.projectId ? [`--projectId=${options.projectId}`] : [])];
    // Decode, import and remove in one exec: it runs to its end in the container even when rp9 is killed meanwhile.
    const run = await execIn(docker, container, importExec(argv, file));
    judgeImport({ exitCode: run.exitCode, stdout: run.stdout.toString('utf8'), stderr: run.stderr }, `${command} in ${container}`, items.length);
  } finally {
    await execIn(docker, container, ['rm', '-f', file, `${file}.b64`]).catch(() => undefined);
  }
}

// Workflows and credentials out of an n8n instance through its CLI:
// `export:workflow --all` and `export:credentials --all --decrypted`, or by
// project with `--projectId` (a shared tenant's personal project). The
// decrypted credentials are returned to the caller, which must encrypt them
// before they leave memory.
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { execIn, N8nCliError } from './cli-exec.js';

export type ExportWhat = 'workflows' | 'credentials';

export async function exportItems(docker: Docker, container: string, what: ExportWhat, options: { projectId?: string } = {}): Promise<Record<string, unknown>[]> {
  const file = `/tmp/rp9-export-${randomBytes(6).toString('hex')}.json`;
  const command = what === 'workflows' ? 'export:workflow' : 'export:credentials';
  const scope = options.projectId ? [`--projectId=${options.projectId}`] : ['--all'];
  const argv = ['n8n', command, ...scope, ...(what === 'credentials' ? ['--decrypted'] : []), `--output=${file}`];
  try {
    const run = await execIn(docker, container, argv);
    const text = `${run.stdout.toString('utf8')}\n${run.stderr}`;
    // n8n exits 0 with "No workflows found" / "No credentials found" and writes no file.
    if (/No (workflows|credentials) found/i.test(text)) return [];
    if (run.exitCode !== 0) throw new N8nCliError('n8n.cli-failed', `${argv.slice(0, -1).join(' ')} in ${container} exited ${run.exitCode}: ${text.trim().slice(-1000)}`);
    const read = await execIn(docker, container, ['cat', file]);
    if (read.exitCode !== 0) throw new N8nCliError('n8n.cli-failed', `cannot read ${file} in ${container}: ${read.stderr.trim()}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.stdout.toString('utf8'));
    } catch (error) {
      throw new N8nCliError('n8n.cli-output-invalid', `${command} in ${container} wrote invalid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new N8nCliError('n8n.cli-output-invalid', `${command} in ${container} wrote ${typeof parsed}, expected an array`);
    return parsed as Record<string, unknown>[];
  } finally {
    await execIn(docker, container, ['rm', '-f', file]).catch(() => undefined);
  }
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
    const decode = await execIn(docker, container, ['sh', '-c', `base64 -d ${file}.b64 > ${file}`]);
    if (decode.exitCode !== 0) throw new N8nCliError('n8n.cli-failed', `cannot decode ${file} in ${container}: ${decode.stderr.trim()}`);
    const command = what === 'workflows' ? 'import:workflow' : 'import:credentials';
    const run = await execIn(docker, container, ['n8n', command, `--input=${file}`, ...(options.activeState ? [`--activeState=${options.activeState}`] : []), ...(options.projectId ? [`--projectId=${options.projectId}`] : [])]);
    if (run.exitCode !== 0) throw new N8nCliError('n8n.cli-failed', `${command} in ${container} exited ${run.exitCode}: ${`${run.stdout.toString('utf8')}\n${run.stderr}`.trim().slice(-1000)}`);
  } finally {
    await execIn(docker, container, ['rm', '-f', file, `${file}.b64`]).catch(() => undefined);
  }
}

// Runs n8n's CLI inside a running n8n container (docker exec), where it has
// the instance's user folder, encryption key and database settings. Works on
// n8n 1.123 and 2.x; each call takes a few seconds.
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';

export class N8nCliError extends Error {
  constructor(
    readonly code: 'n8n.cli-failed' | 'n8n.container-missing' | 'n8n.cli-output-invalid',
    message: string,
  ) {
    super(message);
    this.name = 'N8nCliError';
  }
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `argv` in the container and collects its output (bounded by `maxBytes`, default 512 MiB). */
export async function execIn(docker: Docker, container: string, argv: string[], options: { maxBytes?: number; user?: string; env?: string[] } = {}): Promise<ExecResult> {
  let exec;
  try {
    exec = await docker.getContainer(container).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, ...(options.user ? { User: options.user } : {}), ...(options.env ? { Env: options.env } : {}) });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) throw new N8nCliError('n8n.container-missing', `container ${container} is not running: ${(error as Error).message}`);
    throw error;
  }
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  let size = 0;
  let stderr = '';
  const max = options.maxBytes ?? 512 * 1024 * 1024;
  out.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  });
  err.on('data', (chunk: Buffer) => {
    if (stderr.length < 8000) stderr += chunk.toString('utf8');
  });
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  if (size > max) throw new N8nCliError('n8n.cli-failed', `${argv.join(' ')} in ${container}: output larger than ${max} bytes`);
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(chunks), stderr };
}

// What a failed Docker call means for the controller: retry later (transient)
// or stop trying until the desired state changes (terminal), with a stable
// code for logs, metrics and the tenant's status.

export type DockerErrorCode =
  | 'docker.unreachable'
  | 'docker.image-missing'
  | 'docker.conflict'
  | 'docker.invalid-config'
  | 'docker.not-found'
  | 'docker.not-managed'
  | 'docker.server-error'
  | 'docker.unhealthy';

export type DockerErrorClass = 'transient' | 'terminal';

/** Thrown by the apply primitives; `cause` keeps the engine's original error. */
export class DockerError extends Error {
  readonly code: DockerErrorCode;
  readonly retry: DockerErrorClass;
  constructor(code: DockerErrorCode, retry: DockerErrorClass, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockerError';
    this.code = code;
    this.retry = retry;
  }
}

const SOCKET_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EACCES', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENOTCONN', 'ESOCKETTIMEDOUT']);

interface EngineError {
  code?: unknown;
  statusCode?: unknown;
  json?: unknown;
  message?: unknown;
}

/** The engine's own message (`{"message": ...}` body) or the error's. */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as EngineError;
  const json = e.json as { message?: unknown } | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (Buffer.isBuffer(e.json)) {
    const text = e.json.toString('utf8').trim();
    if (text) return text;
  }
  return typeof e.message === 'string' ? e.message : String(err);
}

// Errors the daemon reports with a 500 that no retry will fix: the runtime
// cannot start what we asked for.
const BAD_CONFIG_500 = /OCI runtime|executable file not found|no such file or directory|invalid (mount|argument|reference|volume)|not a directory|permission denied/i;
// 409s that resolve themselves once the daemon finishes what it is doing.
const IN_PROGRESS_409 = /in progress|is restarting|is paused|is already in use|already exists|is not running|is being/i;

/** Code and class of any error a dockerode call (or a primitive here) raised. */
export function describeDockerError(err: unknown): { code: DockerErrorCode; retry: DockerErrorClass; message: string } {
  if (err instanceof DockerError) return { code: err.code, retry: err.retry, message: err.message };
  const e = (err ?? {}) as EngineError;
  const message = engineMessage(err);
  if (typeof e.code === 'string' && (SOCKET_ERRORS.has(e.code) || /^E[A-Z]+$/.test(e.code))) {
    return { code: 'docker.unreachable', retry: 'transient', message };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) return { code: 'docker.server-error', retry: 'transient', message };
  if (status === 404) {
    if (/no such image|pull access denied|not found: manifest unknown|repository does not exist/i.test(message)) {
      return { code: 'docker.image-missing', retry: 'terminal', message };
    }
    // A container or volume that vanished between observe and apply: observe again.
    return { code: 'docker.not-found', retry: 'transient', message };
  }
  if (status === 409) {
    if (IN_PROGRESS_409.test(message)) return { code: 'docker.conflict', retry: 'transient', message };
    return { code: 'docker.invalid-config', retry: 'terminal', message };
  }
  if (status === 400 || status === 422) return { code: 'docker.invalid-config', retry: 'terminal', message };
  if (status >= 500) {
    if (BAD_CONFIG_500.test(message)) return { code: 'docker.invalid-config', retry: 'terminal', message };
    return { code: 'docker.server-error', retry: 'transient', message };
  }
  return { code: 'docker.invalid-config', retry: 'terminal', message };
}

export function classifyDockerError(err: unknown): DockerErrorClass {
  return describeDockerError(err).retry;
}

/** Wraps an engine error as a DockerError naming what was being done. */
export function toDockerError(err: unknown, doing: string): DockerError {
  if (err instanceof DockerError) return err;
  const { code, retry, message } = describeDockerError(err);
  return new DockerError(code, retry, `${doing}: ${message}`, { cause: err });
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as EngineError | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

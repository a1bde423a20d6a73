// The controller's first log line says whether a Docker engine answers, so a
// new user knows at once whether dedicated tenants will be applied or wait.
import type Docker from 'dockerode';

export interface DockerFound {
  found: boolean;
  /** Where the controller looks: DOCKER_HOST or the default socket. */
  where: string;
  /** Engine version when found; the error when not. */
  version?: string;
  error?: string;
}

/** The start line's `docker` field: "found at … (Docker x.y)" or "not found at …: why; dedicated tenants wait for Docker". */
export function dockerFoundText(result: DockerFound): string {
  if (result.found) return `found at ${result.where}${result.version ? ` (Docker ${result.version})` : ''}`;
  return `not found at ${result.where}${result.error ? `: ${result.error}` : ''}; shared tenants are applied, dedicated tenants wait for Docker`;
}

/** Asks the engine for its version, bounded by `timeoutMs`; never throws. */
export async function findDocker(docker: Docker, where: string, timeoutMs = 2_000): Promise<DockerFound> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const version = await Promise.race([docker.version(), timeout]);
    return { found: true, where, ...(version.Version ? { version: version.Version } : {}) };
  } catch (error) {
    const err = error as { code?: unknown; message?: unknown };
    const text = typeof err.code === 'string' ? err.code : typeof err.message === 'string' ? err.message : String(error);
    return { found: false, where, error: text };
  } finally {
    clearTimeout(timer);
  }
}

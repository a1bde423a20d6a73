// Makes a real n8n image available in a (throwaway) Docker engine by running
// deploy/n8n-image/build.sh against it. The first run on a machine installs
// n8n and its Node from npm (minutes; `npm test` does it before vitest starts,
// deploy/n8n-image/prepare.sh); later runs reuse the cache in
// ${RP9_CACHE_DIR:-~/.cache/rp9}/n8n/VERSION-nodeNODE/ and only import the tarball.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';

/** The platform default the real-n8n tests run: n8n 2.x on Node 24 (keep in step with platform.yaml). */
export const DEFAULT_N8N_VERSION = '2.41.1';
/** The 1.x release the upgrade test starts from (on Node 20): what operators upgrade from. */
export const UPGRADE_SOURCE_N8N_VERSION = '1.123.81';

const BUILD_SCRIPT = fileURLToPath(new URL('../../deploy/n8n-image/build.sh', import.meta.url));
/**
 * Upper bound for a cold build (npm install, tarball, import): 7 minutes on an
 * idle 2-core machine, 28 minutes measured for 1.123.81 under a parallel test
 * load (docs/n8n-image.md).
 */
export const N8N_IMAGE_BUILD_TIMEOUT_MS = 40 * 60_000;

/** The tag build.sh gives an image of `version` by default. */
export function n8nImageTag(version: string): string {
  return `rp9/n8n:${version}`;
}

function dockerHostOf(docker: Docker): string {
  // docker-modem keeps its constructor options as fields; the types omit them.
  const socketPath: unknown = (docker.modem as unknown as { socketPath?: unknown }).socketPath;
  if (typeof socketPath !== 'string' || socketPath === '') {
    throw new Error('n8n-image.no-socket: ensureN8nImage needs a dockerode client on a unix socket');
  }
  return `unix://${socketPath}`;
}

/** True when the engine already holds `tag`, built by build.sh for `version`. */
async function hasImage(docker: Docker, tag: string, version: string): Promise<boolean> {
  try {
    const info = await docker.getImage(tag).inspect();
    return (info.Config?.Env ?? []).includes(`RP9_N8N_VERSION=${version}`);
  } catch {
    return false;
  }
}

function runBuild(version: string, dockerHost: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, version], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout stops npm and node-gyp too
    });
    let stdout = '';
    let log = '';
    const timer = setTimeout(() => { if (child.pid) process.kill(-child.pid, 'SIGTERM'); }, N8N_IMAGE_BUILD_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-20_000);
      process.stderr.write(chunk);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tag = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && tag !== '') resolve(tag);
      else reject(new Error(`n8n-image.build-failed: ${BUILD_SCRIPT} ${version} exited ${code ?? signal}:\n${log}`));
    });
  });
}

/**
 * Ensures the engine behind `docker` holds an image of n8n `version` and
 * returns its tag. Builds (or imports the cached tarball) when it is missing.
 */
export async function ensureN8nImage(docker: Docker, version: string = DEFAULT_N8N_VERSION): Promise<string> {
  const tag = n8nImageTag(version);
  if (await hasImage(docker, tag, version)) return tag;
  return runBuild(version, dockerHostOf(docker));
}

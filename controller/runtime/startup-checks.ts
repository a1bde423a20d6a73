// Settings that would only fail at first use, checked when `rp9 controller`
// starts: the master key a PostgreSQL store needs for secrets, and the
// container-side addresses of PostgreSQL and Redis, which n8n containers dial.
// Pure: settings and environment in, problems out.
import { isIP } from 'node:net';
import { masterKeyFromEnv } from '../secrets/master-key.js';
import type { ControllerSettings } from './settings.js';

export type StartupProblemCode = 'settings.master-key-missing' | 'settings.container-address-loopback';

export interface StartupProblem {
  code: StartupProblemCode;
  message: string;
}

export class StartupError extends Error {
  readonly code: StartupProblemCode;
  constructor(readonly problems: readonly StartupProblem[]) {
    super(problems.map((p) => (problems.length > 1 ? `[${p.code}] ${p.message}` : p.message)).join('\n'));
    this.code = problems[0]!.code;
  }
}

/** Inside a container, these name the container itself (or no host at all), never a server beside it. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.') || name === '0.0.0.0';
  if (isIP(name) === 6) return name === '::1' || name === '::' || /^::ffff:127\./.test(name);
  return false;
}

function addressProblem(variable: string, address: { host: string; port: number }, origin: string, network: string, what: string): StartupProblem {
  return {
    code: 'settings.container-address-loopback',
    message:
      `${variable} is ${address.host}:${address.port}${origin}: a loopback address inside an n8n container is the container itself, so n8n could not reach ${what}. ` +
      `Set ${variable} to host:port as containers on the Docker network "${network}" reach ${what}: a container name on that network, or an address of the Docker host they can route to.`,
  };
}

export function startupProblems(settings: ControllerSettings, env: NodeJS.ProcessEnv): StartupProblem[] {
  const problems: StartupProblem[] = [];
  if (env.DATABASE_URL?.trim() && !masterKeyFromEnv(env)) {
    problems.push({
      code: 'settings.master-key-missing',
      message:
        'RP9_MASTER_KEY is not set, and the state store is PostgreSQL (DATABASE_URL): tenant secrets could not be stored or read. ' +
        'Set RP9_MASTER_KEY to 32 bytes as base64 or 64 hex digits, the same key on every controller sharing the store; for example: openssl rand -base64 32',
    });
  }
  // A container on the host network shares the host's loopback.
  if (settings.network !== 'host') {
    if (isLoopbackHost(settings.containerPostgres.host)) {
      const origin = env.RP9_CONTAINER_POSTGRES?.trim() ? '' : ' (taken from RP9_TENANT_DATABASE_URL, as RP9_CONTAINER_POSTGRES is unset)';
      problems.push(addressProblem('RP9_CONTAINER_POSTGRES', settings.containerPostgres, origin, settings.network, 'PostgreSQL'));
    }
    if (isLoopbackHost(settings.containerRedis.host)) problems.push(addressProblem('RP9_CONTAINER_REDIS', settings.containerRedis, '', settings.network, 'Redis'));
  }
  return problems;
}

// What the environment provides to compile: where the shared services are,
// which network and ports the n8n containers use. Everything here ends up in
// desired state, so a change to it shows up in the plan.
import type { Platform } from '../../config/types.js';
import type { DesiredContainer } from '../model.js';
import { DEFAULT_TRAEFIK_OPTIONS, type TraefikRouteOptions } from '../traefik/types.js';
import { CompileError } from './errors.js';

export type HealthcheckSpec = DesiredContainer['healthcheck'];

export interface CompileContext {
  /** platform.spec.environment; written into the rp9.io/environment label. */
  environment: string;
  /** Docker network the tenant containers join (and Traefik reaches them on). */
  network: string;
  /** The platform's one Redis; tenants are separated by queue prefix. */
  redis: { host: string; port: number };
  /** PostgreSQL as the n8n containers reach it. */
  postgres: { host: string; port: number };
  /** rp9's own HTTP server that answers for suspended tenants. */
  suspendedUrl: string;
  /** Port n8n listens on inside its container. */
  n8nPort: number;
  /** n8n's task-runner broker port; must differ from n8nPort. */
  runnersBrokerPort: number;
  /** N8N_LISTEN_ADDRESS: IPv4 so the healthcheck's 127.0.0.1 always reaches it. */
  listenAddress: string;
  /** Where the tenant volume is mounted; N8N_USER_FOLDER (n8n keeps its data in `<it>/.n8n`). */
  dataPath: string;
  healthcheck: HealthcheckSpec;
  /** Router settings; part of every route's hash, so changing them rewrites the route files. */
  traefik: TraefikRouteOptions;
}

export interface CompileContextInput {
  redis: { host: string; port: number };
  postgres: { host: string; port: number };
  suspendedUrl: string;
  environment?: string;
  network?: string;
  n8nPort?: number;
  runnersBrokerPort?: number;
  listenAddress?: string;
  dataPath?: string;
  healthcheck?: HealthcheckSpec;
  traefik?: Partial<TraefikRouteOptions>;
}

export const DEFAULT_NETWORK = 'rp9';
export const DEFAULT_N8N_PORT = 5678;
export const DEFAULT_RUNNERS_BROKER_PORT = 5679;
/**
 * The n8n user's home, not `~/.n8n`: Docker gives a new volume the owner of
 * the image directory it is mounted over, and only `/home/node` is sure to
 * exist (owned by uid 1000) in every n8n image; a volume mounted over a path
 * the image lacks is root's, and n8n exits with EACCES writing `.n8n/config`.
 * n8n_env sets N8N_USER_FOLDER to this path, so n8n keeps `.n8n` in the volume.
 */
export const DEFAULT_DATA_PATH = '/home/node';

/** A readiness probe that needs only busybox wget, as minimal images have. */
export function defaultHealthcheck(n8nPort: number): HealthcheckSpec {
  return {
    test: ['CMD-SHELL', `wget -q -O- http://127.0.0.1:${n8nPort}/healthz/readiness || exit 1`],
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 6,
    startPeriodSeconds: 60,
  };
}

/** A copy with keys in sorted order, so hashing it takes the fast path. */
function sortedHealthcheck(healthcheck: HealthcheckSpec): HealthcheckSpec {
  const { intervalSeconds, retries, startPeriodSeconds, test, timeoutSeconds } = healthcheck;
  return { intervalSeconds, retries, startPeriodSeconds, test: [...test], timeoutSeconds };
}

/** Fills defaults and checks the settings; throws CompileError (`compile.invalid-context`, `compile.port-clash`). */
export function createCompileContext(platform: Platform, input: CompileContextInput): CompileContext {
  const n8nPort = input.n8nPort ?? DEFAULT_N8N_PORT;
  const runnersBrokerPort = input.runnersBrokerPort ?? DEFAULT_RUNNERS_BROKER_PORT;
  const context: CompileContext = {
    environment: input.environment ?? platform.spec.environment,
    network: input.network ?? DEFAULT_NETWORK,
    redis: { host: input.redis.host, port: input.redis.port },
    postgres: { host: input.postgres.host, port: input.postgres.port },
    suspendedUrl: input.suspendedUrl,
    n8nPort,
    runnersBrokerPort,
    listenAddress: input.listenAddress ?? '0.0.0.0',
    dataPath: input.dataPath ?? DEFAULT_DATA_PATH,
    healthcheck: sortedHealthcheck(input.healthcheck ?? defaultHealthcheck(n8nPort)),
    traefik: { certResolver: input.traefik?.certResolver ?? DEFAULT_TRAEFIK_OPTIONS.certResolver, entryPoints: [...(input.traefik?.entryPoints ?? DEFAULT_TRAEFIK_OPTIONS.entryPoints)] },
  };
  checkContext(context);
  return context;
}

function checkContext(context: CompileContext): void {
  const ports: [string, number][] = [
    ['redis.port', context.redis.port],
    ['postgres.port', context.postgres.port],
    ['n8nPort', context.n8nPort],
    ['runnersBrokerPort', context.runnersBrokerPort],
  ];
  for (const [field, port] of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CompileError('compile.invalid-context', `${field} must be a port number (1-65535), got ${String(port)}`, field);
    }
  }
  if (context.n8nPort === context.runnersBrokerPort) {
    throw new CompileError(
      'compile.port-clash',
      `runnersBrokerPort ${context.runnersBrokerPort} equals n8nPort: n8n exits when its task broker cannot bind; pick another port`,
      'runnersBrokerPort',
    );
  }
  if (!/^https?:\/\/[^\s`]+$/.test(context.suspendedUrl) || !URL.canParse(context.suspendedUrl)) {
    throw new CompileError('compile.invalid-context', `suspendedUrl must be an http(s) URL, got ${JSON.stringify(context.suspendedUrl)}`, 'suspendedUrl');
  }
  for (const [field, value] of [['network', context.network], ['environment', context.environment]] as const) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(value)) {
      throw new CompileError('compile.invalid-context', `${field} must be a lowercase name, got ${JSON.stringify(value)}`, field);
    }
  }
  if (context.healthcheck.test.length === 0) {
    throw new CompileError('compile.invalid-context', 'healthcheck.test must not be empty', 'healthcheck.test');
  }
}

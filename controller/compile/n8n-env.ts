// Environment of a dedicated tenant's n8n containers. Built as one object
// literal per role and n8n line, keys in sorted order: literals are cheap to
// create (a spread of 25 keys is ~100x slower and ~7x larger) and sorted keys
// let canonicalJson take its fast path. Secrets appear only as SecretRefs;
// apply fills them in.
//
// The env follows the tenant's n8n major (n8nLineOf): a tenant still on 1.x
// keeps the 1.x env (and so its container hashes) until its version moves.
// 2.x differs (measured on 2.41.1, docs/n8n-image.md):
// - N8N_RUNNERS_ENABLED is gone (runners are always on; setting it logs a removal notice);
// - WEBHOOK_URL is deprecated for N8N_WEBHOOK_URL;
// - each process starts its own task broker, so each worker gets its own
//   N8N_RUNNERS_BROKER_PORT (main: runnersBrokerPort, worker i: runnersBrokerPort + i);
// - N8N_DISABLED_MODULES=mcp-registry, or the start calls api.n8n.io.
import type { ContainerRole, EnvValue } from '../model.js';
import type { CompileContext } from './context.js';

export type N8nLine = 'v1' | 'v2';

export interface N8nEnvInput {
  tenant: string;
  host: string;
  database: string;
  dbUser: string;
  /** N8N_RUNNERS_BROKER_PORT of this process, as text (runnersBrokerPortOf). */
  brokerPort: string;
  /** QUEUE_BULL_PREFIX: the colour's own queue (names.ts queuePrefix). */
  queuePrefix: string;
  /** N8N_REDIS_KEY_PREFIX: n8n's cache, locks and (2.x) pub/sub channels of the colour (names.ts redisKeyPrefix). */
  redisKeyPrefix: string;
}

/** Modules n8n 2.x must not start: they call out to the internet at start. Names n8n does not know make it exit. */
export const N8N_V2_DISABLED_MODULES = 'mcp-registry';

/** The env line of an n8n version: 'v1' for 1.x (and anything unparsable below 2), 'v2' from 2.0 on. */
export function n8nLineOf(version: string): N8nLine {
  const major = Number.parseInt(version, 10);
  return Number.isInteger(major) && major >= 2 ? 'v2' : 'v1';
}

/** The task-broker port of a container: 1.x uses one port for all; 2.x gives worker i its own. */
export function runnersBrokerPortOf(line: N8nLine, role: ContainerRole, index: number, context: CompileContext): number {
  if (line === 'v1' || role === 'main') return context.runnersBrokerPort;
  return context.runnersBrokerPort + index;
}

export function n8nEnv(role: ContainerRole, input: N8nEnvInput, context: CompileContext, line: N8nLine): Record<string, EnvValue> {
  if (line === 'v1') return role === 'main' ? mainEnvV1(input, context) : workerEnvV1(input, context);
  return role === 'main' ? mainEnvV2(input, context) : workerEnvV2(input, context);
}

function mainEnvV1(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
  return {
    DB_POSTGRESDB_DATABASE: input.database,
    DB_POSTGRESDB_HOST: context.postgres.host,
    DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
    DB_POSTGRESDB_PORT: String(context.postgres.port),
    DB_POSTGRESDB_USER: input.dbUser,
    DB_TYPE: 'postgresdb',
    EXECUTIONS_MODE: 'queue',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
    N8N_HOST: input.host,
    N8N_LISTEN_ADDRESS: context.listenAddress,
    N8N_METRICS: 'true',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_PORT: String(context.n8nPort),
    N8N_PROTOCOL: 'https',
    N8N_REDIS_KEY_PREFIX: input.redisKeyPrefix,
    N8N_RUNNERS_BROKER_PORT: input.brokerPort,
    N8N_RUNNERS_ENABLED: 'true',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    QUEUE_BULL_PREFIX: input.queuePrefix,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    WEBHOOK_URL: `https://${input.host}/`,
  };
}

/** mainEnvV1 plus the worker health server, which serves /healthz/readiness for the same probe. */
function workerEnvV1(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
  return {
    DB_POSTGRESDB_DATABASE: input.database,
    DB_POSTGRESDB_HOST: context.postgres.host,
    DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
    DB_POSTGRESDB_PORT: String(context.postgres.port),
    DB_POSTGRESDB_USER: input.dbUser,
    DB_TYPE: 'postgresdb',
    EXECUTIONS_MODE: 'queue',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
    N8N_HOST: input.host,
    N8N_LISTEN_ADDRESS: context.listenAddress,
    N8N_METRICS: 'true',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_PORT: String(context.n8nPort),
    N8N_PROTOCOL: 'https',
    N8N_REDIS_KEY_PREFIX: input.redisKeyPrefix,
    N8N_RUNNERS_BROKER_PORT: input.brokerPort,
    N8N_RUNNERS_ENABLED: 'true',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    QUEUE_BULL_PREFIX: input.queuePrefix,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    QUEUE_HEALTH_CHECK_ACTIVE: 'true',
    QUEUE_HEALTH_CHECK_PORT: String(context.n8nPort),
    WEBHOOK_URL: `https://${input.host}/`,
  };
}

function mainEnvV2(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
  return {
    DB_POSTGRESDB_DATABASE: input.database,
    DB_POSTGRESDB_HOST: context.postgres.host,
    DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
    DB_POSTGRESDB_PORT: String(context.postgres.port),
    DB_POSTGRESDB_USER: input.dbUser,
    DB_TYPE: 'postgresdb',
    EXECUTIONS_MODE: 'queue',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_DISABLED_MODULES: N8N_V2_DISABLED_MODULES,
    N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
    N8N_HOST: input.host,
    N8N_LISTEN_ADDRESS: context.listenAddress,
    N8N_METRICS: 'true',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_PORT: String(context.n8nPort),
    N8N_PROTOCOL: 'https',
    N8N_REDIS_KEY_PREFIX: input.redisKeyPrefix,
    N8N_RUNNERS_BROKER_PORT: input.brokerPort,
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_WEBHOOK_URL: `https://${input.host}/`,
    QUEUE_BULL_PREFIX: input.queuePrefix,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
  };
}

/** mainEnvV2 plus the worker health server, which serves /healthz/readiness for the same probe. */
function workerEnvV2(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
  return {
    DB_POSTGRESDB_DATABASE: input.database,
    DB_POSTGRESDB_HOST: context.postgres.host,
    DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
    DB_POSTGRESDB_PORT: String(context.postgres.port),
    DB_POSTGRESDB_USER: input.dbUser,
    DB_TYPE: 'postgresdb',
    EXECUTIONS_MODE: 'queue',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_DISABLED_MODULES: N8N_V2_DISABLED_MODULES,
    N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
    N8N_HOST: input.host,
    N8N_LISTEN_ADDRESS: context.listenAddress,
    N8N_METRICS: 'true',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_PORT: String(context.n8nPort),
    N8N_PROTOCOL: 'https',
    N8N_REDIS_KEY_PREFIX: input.redisKeyPrefix,
    N8N_RUNNERS_BROKER_PORT: input.brokerPort,
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_WEBHOOK_URL: `https://${input.host}/`,
    N8N_WORKER_SERVER_ADDRESS: context.listenAddress,
    QUEUE_BULL_PREFIX: input.queuePrefix,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    QUEUE_HEALTH_CHECK_ACTIVE: 'true',
    QUEUE_HEALTH_CHECK_PORT: String(context.n8nPort),
  };
}

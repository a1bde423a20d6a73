// Environment of a dedicated tenant's n8n containers. Built as one object
// literal per role, keys in sorted order: literals are cheap to create (a
// spread of 25 keys is ~100x slower and ~7x larger) and sorted keys let
// canonicalJson take its fast path. Secrets appear only as SecretRefs; apply
// fills them in.
import type { ContainerRole, EnvValue } from '../model.js';
import type { CompileContext } from './context.js';

export interface N8nEnvInput {
  tenant: string;
  host: string;
  database: string;
  dbUser: string;
}

export function n8nEnv(role: ContainerRole, input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
  return role === 'main' ? mainEnv(input, context) : workerEnv(input, context);
}

function mainEnv(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
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
    N8N_RUNNERS_BROKER_PORT: String(context.runnersBrokerPort),
    N8N_RUNNERS_ENABLED: 'true',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    QUEUE_BULL_PREFIX: `rp9:${input.tenant}`,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    WEBHOOK_URL: `https://${input.host}/`,
  };
}

/** mainEnv plus the worker health server, which serves /healthz/readiness for the same probe. */
function workerEnv(input: N8nEnvInput, context: CompileContext): Record<string, EnvValue> {
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
    N8N_RUNNERS_BROKER_PORT: String(context.runnersBrokerPort),
    N8N_RUNNERS_ENABLED: 'true',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_USER_FOLDER: context.dataPath,
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    QUEUE_BULL_PREFIX: `rp9:${input.tenant}`,
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    QUEUE_HEALTH_CHECK_ACTIVE: 'true',
    QUEUE_HEALTH_CHECK_PORT: String(context.n8nPort),
    WEBHOOK_URL: `https://${input.host}/`,
  };
}

// Environment of a dedicated tenant's n8n containers (main and workers), in two
// parts: what every tenant shares under one compile context, and what is the
// tenant's own. A container's env is exactly the two merged; its hash covers both.
// Secrets appear only as SecretRefs; apply fills them in.
import type { ContainerRole, EnvValue } from '../model.js';
import type { CompileContext } from './context.js';

/** The same for every tenant of a context (per role). */
export function baseEnv(role: ContainerRole, context: CompileContext): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = {
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: context.postgres.host,
    DB_POSTGRESDB_PORT: String(context.postgres.port),
    DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
    N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
    EXECUTIONS_MODE: 'queue',
    QUEUE_BULL_REDIS_HOST: context.redis.host,
    QUEUE_BULL_REDIS_PORT: String(context.redis.port),
    N8N_PROTOCOL: 'https',
    N8N_PORT: String(context.n8nPort),
    N8N_LISTEN_ADDRESS: context.listenAddress,
    N8N_METRICS: 'true',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_RUNNERS_ENABLED: 'true',
    N8N_RUNNERS_BROKER_PORT: String(context.runnersBrokerPort),
  };
  if (role === 'worker') {
    // Workers serve /healthz/readiness only with their health server on.
    env.QUEUE_HEALTH_CHECK_ACTIVE = 'true';
    env.QUEUE_HEALTH_CHECK_PORT = String(context.n8nPort);
  }
  return env;
}

export interface TenantEnvInput {
  tenant: string;
  host: string;
  database: string;
  dbUser: string;
}

/** The tenant's own variables; none of these keys is in baseEnv. */
export function tenantEnvVars(input: TenantEnvInput): Record<string, string> {
  return {
    DB_POSTGRESDB_DATABASE: input.database,
    DB_POSTGRESDB_USER: input.dbUser,
    N8N_HOST: input.host,
    QUEUE_BULL_PREFIX: `rp9:${input.tenant}`,
    WEBHOOK_URL: `https://${input.host}/`,
  };
}

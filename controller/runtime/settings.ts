// Controller settings: command-line flags over environment variables over
// defaults. One place, so `rp9 plan`, `rp9 controller` and `rp9 check-pr`
// compile the same desired state (and so the same hashes).
import { resolve } from 'node:path';
import type { Platform } from '../../config/types.js';
import { createCompileContext, type CompileContext } from '../compile/context.js';
import type { ApiAuthSettings } from '../http/api/types.js';
import { secretFromEnv } from './secret-files.js';

export interface ControllerSettings {
  /** Config repo: a URL or a local path (default: the current directory). */
  repo: string;
  branch: string;
  stateDir: string;
  routesDir: string;
  listen: { host: string; port: number };
  intervalMs: number;
  /** Leader lease: its lifetime without renewal, and how often the leader renews it (and a standby tries to take it). */
  lease: { ttlMs: number; renewMs: number };
  concurrency: number;
  /** --allow-mass-deletion <commit>: the one commit whose plan may remove more than safety.maxDeletionPercent of tenants. */
  allowMassDeletionCommit: string | undefined;
  /** unix socket path or tcp URL; undefined: /var/run/docker.sock. */
  dockerHost: string | undefined;
  /** Admin URL of the PostgreSQL server that holds tenant databases. */
  tenantDatabaseUrl: string | undefined;
  /** The shared n8n's database (per-tenant executions of shared tenants). */
  sharedDatabaseUrl: string | undefined;
  /** How rp9 reaches the shared n8n's public API (shared tenants' members): URL (default platform.yaml sharedN8n.url) and an owner's API key. */
  sharedN8nApi: { url: string | undefined; apiKey: string | undefined };
  /** How often per-tenant usage is measured for /metrics. */
  telemetryIntervalMs: number;
  /** How often the leader advances long operations (backups) and checks backup schedules and retention. */
  operationsIntervalMs: number;
  /** How n8n containers reach that server and Redis. */
  containerPostgres: { host: string; port: number };
  containerRedis: { host: string; port: number };
  network: string;
  suspendedUrl: string;
  n8nPort: number;
  runnersBrokerPort: number;
  healthTimeoutMs: number;
  webhookSecret: string | undefined;
  /** POST /hooks/stripe: signing secret, API key and endpoint (all from RP9_STRIPE_*). */
  stripe: { webhookSecret: string; apiKey: string; apiUrl?: string } | undefined;
  github: { token: string; repository: string; apiUrl: string | undefined } | undefined;
  /** RP9_PUBLIC_URL: where people open the status page; commit statuses link it. */
  publicUrl: string | undefined;
  /** RP9_STATUS_REFRESH_SECONDS: how often the status pages reload themselves. */
  statusRefreshSeconds: number;
  /** RP9_SLACK_WEBHOOK_URL: the platform channel, told about failed restore drills, failed promotions and upgrades, Stalled tenants. */
  slackWebhookUrl: string | undefined;
  /** RP9_OPERATOR_EMAIL over RP9_SMTP_URL from RP9_SMTP_FROM: the same notices by email; undefined without RP9_OPERATOR_EMAIL. */
  operatorEmail: OperatorEmailSettings | undefined;
  /** The signed API's keys (docs/api.md); undefined when none is set: the API answers 503 api.not-configured. */
  api: ApiAuthSettings | undefined;
  /** API requests per caller per minute. */
  apiRateLimitPerMinute: number;
}

export class SettingsError extends Error {
  readonly code = 'settings.invalid';
}

/** `NAME` from the environment, or the contents of the file named by `NAME_FILE` (see secret-files.ts). */
export function envSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return secretFromEnv(env, name);
}

function hostPort(text: string, what: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!match || !match[1]) throw new SettingsError(`${what} must be host:port (got "${text}")`);
  return { host: match[1], port: Number(match[2]) };
}

function positiveNumber(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SettingsError(`${what} must be a positive number (got "${text}")`);
  return value;
}

function urlHostPort(url: string | undefined, fallback: { host: string; port: number }, defaultPort: number): { host: string; port: number } {
  if (!url) return fallback;
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : defaultPort };
  } catch {
    throw new SettingsError(`not a valid URL: ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
  }
}

/** An http(s) URL or nothing: GitHub refuses a status whose target_url has another scheme. */
function publicUrlSetting(text: string | undefined): string | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new SettingsError(`RP9_PUBLIC_URL must be an http(s) URL, like https://rp9.example.com/ (got "${value}")`);
  return value;
}

export interface SettingsFlags {
  repo?: string;
  branch?: string;
  'state-dir'?: string;
  'routes-dir'?: string;
  listen?: string;
  interval?: string;
  concurrency?: string;
  'allow-mass-deletion'?: string;
}

/** A commit sha or a prefix of 7+ hex digits: the override covers that commit only. */
function commitSetting(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(value)) throw new SettingsError(`--allow-mass-deletion takes the commit it allows, a sha of 7 to 40 hex digits (got "${text}")`);
  return value;
}

function leaseSettings(env: NodeJS.ProcessEnv): ControllerSettings['lease'] {
  const ttlMs = positiveNumber(env.RP9_LEASE_TTL_SECONDS, 'RP9_LEASE_TTL_SECONDS', 15) * 1000;
  const renewMs = positiveNumber(env.RP9_LEASE_RENEW_SECONDS, 'RP9_LEASE_RENEW_SECONDS', Math.min(5, ttlMs / 3000)) * 1000;
  if (renewMs >= ttlMs) throw new SettingsError(`RP9_LEASE_RENEW_SECONDS (${renewMs / 1000}) must be shorter than RP9_LEASE_TTL_SECONDS (${ttlMs / 1000})`);
  return { ttlMs: Math.round(ttlMs), renewMs: Math.round(renewMs) };
}

export function controllerSettings(flags: SettingsFlags, env: NodeJS.ProcessEnv, cwd: string): ControllerSettings {
  const stateDir = resolve(cwd, flags['state-dir'] ?? env.RP9_STATE_DIR ?? '.rp9');
  const tenantDatabaseUrl = env.RP9_TENANT_DATABASE_URL?.trim() || env.DATABASE_URL?.trim() || undefined;
  const dbFromUrl = urlHostPort(tenantDatabaseUrl, { host: 'postgres', port: 5432 }, 5432);
  const token = envSecret(env, 'RP9_GITHUB_TOKEN');
  const repository = env.RP9_GITHUB_REPOSITORY?.trim();
  return {
    repo: flags.repo ?? env.RP9_REPO_URL ?? cwd,
    branch: flags.branch ?? env.RP9_REPO_BRANCH ?? 'main',
    stateDir,
    routesDir: resolve(cwd, flags['routes-dir'] ?? env.RP9_ROUTES_DIR ?? `${stateDir}/traefik`),
    listen: hostPort(flags.listen ?? env.RP9_LISTEN ?? '127.0.0.1:9090', '--listen'),
    intervalMs: positiveNumber(flags.interval ?? env.RP9_INTERVAL_SECONDS, '--interval', 60) * 1000,
    lease: leaseSettings(env),
    concurrency: Math.floor(positiveNumber(flags.concurrency ?? env.RP9_CONCURRENCY, '--concurrency', 4)),
    allowMassDeletionCommit: commitSetting(flags['allow-mass-deletion']),
    dockerHost: env.DOCKER_HOST?.trim() || undefined,
    tenantDatabaseUrl,
    sharedDatabaseUrl: envSecret(env, 'RP9_SHARED_N8N_DATABASE_URL'),
    sharedN8nApi: { url: env.RP9_SHARED_N8N_URL?.trim() || undefined, apiKey: envSecret(env, 'RP9_SHARED_N8N_API_KEY') },
    telemetryIntervalMs: positiveNumber(env.RP9_TELEMETRY_INTERVAL_SECONDS, 'RP9_TELEMETRY_INTERVAL_SECONDS', 60) * 1000,
    operationsIntervalMs: positiveNumber(env.RP9_OPERATIONS_INTERVAL_SECONDS, 'RP9_OPERATIONS_INTERVAL_SECONDS', 30) * 1000,
    statusRefreshSeconds: positiveNumber(env.RP9_STATUS_REFRESH_SECONDS, 'RP9_STATUS_REFRESH_SECONDS', 30),
    containerPostgres: env.RP9_CONTAINER_POSTGRES ? hostPort(env.RP9_CONTAINER_POSTGRES, 'RP9_CONTAINER_POSTGRES') : dbFromUrl,
    containerRedis: env.RP9_CONTAINER_REDIS ? hostPort(env.RP9_CONTAINER_REDIS, 'RP9_CONTAINER_REDIS') : { host: 'redis', port: 6379 },
    network: env.RP9_DOCKER_NETWORK?.trim() || 'rp9',
    suspendedUrl: env.RP9_SUSPENDED_URL?.trim() || 'http://controller:9090',
    n8nPort: positiveNumber(env.RP9_N8N_PORT, 'RP9_N8N_PORT', 5678),
    runnersBrokerPort: positiveNumber(env.RP9_N8N_RUNNERS_BROKER_PORT, 'RP9_N8N_RUNNERS_BROKER_PORT', 5679),
    healthTimeoutMs: positiveNumber(env.RP9_HEALTH_TIMEOUT_SECONDS, 'RP9_HEALTH_TIMEOUT_SECONDS', 180) * 1000,
    webhookSecret: envSecret(env, 'RP9_GITHUB_WEBHOOK_SECRET'),
    stripe: stripeSettings(env),
    github: token && repository ? { token, repository, apiUrl: env.RP9_GITHUB_API_URL?.trim() || undefined } : undefined,
    publicUrl: publicUrlSetting(env.RP9_PUBLIC_URL),
    slackWebhookUrl: envSecret(env, 'RP9_SLACK_WEBHOOK_URL'),
    operatorEmail: operatorEmailSettings(env),
    api: apiSettings(env, cwd),
    apiRateLimitPerMinute: Math.floor(positiveNumber(env.RP9_API_RATE_LIMIT, 'RP9_API_RATE_LIMIT', 300)),
  };
}
/**
 * The signed API's keys: a JWT key (RP9_API_JWT_SECRET for HS256 and/or
 * RP9_API_JWKS_PATH) and RP9_API_HMAC_SECRET; undefined when none is set.
 * Half a configuration is an error, never an open API.
 */
export function apiSettings(env: NodeJS.ProcessEnv, cwd: string): ApiAuthSettings | undefined {
  const secret = envSecret(env, 'RP9_API_JWT_SECRET');
  const jwksFile = env.RP9_API_JWKS_PATH?.trim() ? resolve(cwd, env.RP9_API_JWKS_PATH.trim()) : undefined;
  const hmacSecret = envSecret(env, 'RP9_API_HMAC_SECRET');
  if (!secret && !jwksFile && !hmacSecret) return undefined;
  if (!secret && !jwksFile) throw new SettingsError('RP9_API_HMAC_SECRET is set but no JWT key: set RP9_API_JWT_SECRET (HS256) or RP9_API_JWKS_PATH as well (docs/api.md)');
  if (!hmacSecret) throw new SettingsError('a JWT key of the API is set but RP9_API_HMAC_SECRET is not: every API request is signed with it (docs/api.md)');
  if (secret && Buffer.byteLength(secret) < 32) throw new SettingsError('RP9_API_JWT_SECRET must be at least 32 bytes');
  if (Buffer.byteLength(hmacSecret) < 32) throw new SettingsError('RP9_API_HMAC_SECRET must be at least 32 bytes');
  return {
    jwt: { issuer: env.RP9_API_JWT_ISSUER?.trim() || 'rp9', audience: env.RP9_API_JWT_AUDIENCE?.trim() || 'rp9-api', ...(secret ? { secret } : {}), ...(jwksFile ? { jwksFile } : {}) },
    hmacSecret,
  };
}

/** The compile context every command derives from the same settings. */
export function compileContextFor(settings: ControllerSettings, platform: Platform): CompileContext {
  return createCompileContext(platform, {
    redis: settings.containerRedis,
    postgres: settings.containerPostgres,
    suspendedUrl: settings.suspendedUrl,
    network: settings.network,
    n8nPort: settings.n8nPort,
    runnersBrokerPort: settings.runnersBrokerPort,
  });
}

export interface OperatorEmailSettings {
  smtpUrl: string;
  from: string;
  to: string;
}

/** The operators' address and the SMTP server to reach it; half a configuration is an error naming what is missing. */
function operatorEmailSettings(env: NodeJS.ProcessEnv): OperatorEmailSettings | undefined {
  const to = env.RP9_OPERATOR_EMAIL?.trim();
  if (!to) return undefined;
  if (!/^[^\s@]+@[^\s@]+$/.test(to)) throw new SettingsError(`RP9_OPERATOR_EMAIL must be an email address (got "${to}")`);
  const smtpUrl = envSecret(env, 'RP9_SMTP_URL');
  const from = env.RP9_SMTP_FROM?.trim();
  if (!smtpUrl || !from) throw new SettingsError(`RP9_OPERATOR_EMAIL is set but ${!smtpUrl ? 'RP9_SMTP_URL' : 'RP9_SMTP_FROM'} is not: the controller cannot send email without both`);
  return { smtpUrl, from, to };
}

function stripeSettings(env: NodeJS.ProcessEnv): ControllerSettings['stripe'] {
  const webhookSecret = envSecret(env, 'RP9_STRIPE_WEBHOOK_SECRET');
  if (!webhookSecret) return undefined;
  // The client only verifies signatures here; a key is still required to build it.
  const apiKey = envSecret(env, 'RP9_STRIPE_SECRET_KEY') ?? 'sk_unused_signature_only';
  const apiUrl = env.RP9_STRIPE_API_URL?.trim();
  return { webhookSecret, apiKey, ...(apiUrl ? { apiUrl } : {}) };
}

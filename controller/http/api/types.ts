// What the signed API needs from the rest of the controller. Every source is
// a callback: the store opens after the server listens, the config follows
// git, and the engine is built once the store is open.
import type { PrometheusClient } from '../../../bots/metrics/prometheus-client.js';
import type { RunBotDeps } from '../../../bots/runner/types.js';
import type { ConfigFiles } from '../../../config/types.js';
import type { Forge } from '../../../edges/forge/forge.js';
import type { GoodConfig } from '../../reconcile/config-tracker.js';
import type { SandboxInventoryEntry } from '../../sandbox/sandbox.js';
import type { Store } from '../../store/store.js';
import type { Operation } from '../../store/types.js';
import type { HostCapacity } from './capacity.js';
import type { DatedCommit } from './growth.js';

export type Role = 'viewer' | 'operator' | 'admin';

/** The bots the API runs on demand. */
export type OnDemandBot = 'autoscale' | 'enforcement';

export interface Caller {
  /** The JWT's `sub`. */
  subject: string;
  role: Role;
}

export interface ApiAuthSettings {
  jwt: {
    issuer: string;
    audience: string;
    /** HS256 shared secret. */
    secret?: string;
    /** A JWKS file (public keys by `kid`), read again when it changes. */
    jwksFile?: string;
  };
  /** Key of the x-rp9-signature HMAC. */
  hmacSecret: string;
  /** Accepted clock skew of x-rp9-timestamp, seconds (default 300). */
  windowSeconds?: number;
}

export type ApiStore = Pick<Store, 'status' | 'events' | 'operations' | 'backups' | 'apiRequests'>;

export interface ApiDeps {
  /** Without it every API route answers 503 api.not-configured. */
  auth?: ApiAuthSettings;
  /** Undefined while the store is opening (503 api.store-unavailable). */
  store(): ApiStore | undefined;
  /** The config in force (last valid commit read). */
  config(): GoodConfig | undefined;
  /** The config files of a commit: a new tenant is validated with them (POST /tenants); GET /analytics/growth counts the tenants of past commits. */
  configFiles?(commit: string): Promise<ConfigFiles>;
  /** Where mutations open pull requests; without it they answer 503 api.no-forge. */
  forge?: Forge;
  /** Branch the pull requests target (the branch the controller follows). */
  baseBranch: string;
  /** Journals an operation for the leader's operations loop (the engine's start); undefined until the engine is built. */
  startOperation?(kind: string, tenant: string, state: Record<string, unknown>): Promise<Operation>;
  /** Operation kinds the engine knows (`restore` needs a tenant database server). */
  operationKinds?(): readonly string[];
  /** The restore sandboxes on this controller's Docker host and tenant database server (sandbox-stack.ts inventory); without it DELETE /sandboxes/:id answers 503 api.sandboxes-unavailable. */
  sandboxInventory?(): Promise<SandboxInventoryEntry[]>;
  /** The config repo's commits from `head`, newest first, at most `max` (GET /analytics/growth, /recommendations); without it 503 api.no-history. */
  configCommits?(head: string, max: number): Promise<DatedCommit[]>;
  /** The Docker host(s) tenants run on, as their engine reports them (GET /analytics/recommendations); without it 503 api.no-docker. */
  hostCapacity?(): Promise<HostCapacity[]>;
  /** Prometheus (RP9_PROMETHEUS_URL): GET /metrics/tenant/:id; without it 503 api.no-prometheus. */
  prometheus?: PrometheusClient;
  /** Everything one scheduled run of the bot gets (base branch read with git and its history, forge, metrics, effects); without it 503 api.bots-unavailable. */
  botRunDeps?(bot: OnDemandBot, now: Date): Promise<RunBotDeps>;
  /** Requests per caller per minute (default 300). */
  rateLimitPerMinute?: number;
  now?(): Date;
}

// What the HTTP surface needs from the rest of the controller: narrow async
// callbacks the reconcile loop provides. Nothing here imports Docker, git or SQL.
import type { Registry } from 'prom-client';
import type { TenantPhase } from '../model.js';
import type { Metrics } from '../../kernel/metrics/registry.js';

/** up: reachable; down: tried and failed; disabled: not configured on purpose. */
export type DepStatus = 'up' | 'down' | 'disabled';

export interface DepState {
  status: DepStatus;
  /** Round trip of the last probe. */
  latencyMs?: number;
  /** Short, secret-free reason when down (e.g. `connect ECONNREFUSED /var/run/docker.sock`). */
  error?: string;
}

/** leader: holds the lease and applies; standby: healthy follower; unknown: lease state not known yet. */
export type ControllerRole = 'leader' | 'standby' | 'unknown';

export interface Readiness {
  role: ControllerRole;
  database: DepState;
  docker: DepState;
  git: DepState;
  /** The PostgreSQL server of tenant databases (RP9_TENANT_DATABASE_URL); absent or 'disabled' when none is configured. */
  tenantDatabase?: DepState;
  /** RP9_CONTAINER_POSTGRES and RP9_CONTAINER_REDIS probed from a container; 'disabled' until a probe could run (reported as 'not-probed'). */
  containerAddresses?: DepState;
}

/** One row of the status page; also fits recordTenants() in controller/metrics/record.ts. */
export interface TenantRow {
  name: string;
  /** metadata.displayName from the tenant's file: tenant-provided text, always shown escaped. */
  displayName?: string;
  mode: 'shared' | 'dedicated';
  plan: string;
  phase: TenantPhase;
  /** Observed state matches desired (a correctly suspended tenant is ready). */
  ready: boolean;
  /** Why not ready, or the last notable event; shown escaped. */
  reason?: string;
  /** Not ready only because it needs Docker and no engine is reachable: its own state, not a failure. */
  waitingForDocker?: boolean;
  /** A downtime change waits for the tenant's maintenance window: `Pending (window opens <time>)`. Its own state, not a failure. */
  pendingWindow?: string;
  appliedCommit?: string;
  updatedAt?: Date | string;
  /** Conditions beyond Ready that are False (a failed restore drill), as `Reason: message`. */
  warnings?: string[];
  /** The tenant's newest blue/green upgrade in one line (upgrade-summary.ts): the step of a running one, or the last result. */
  upgrade?: string;
}

/** One event of the store's log as the status page shows it (fits StoreEvent). */
export interface EventRow {
  time: Date | string;
  /** null: a platform event (a refused plan, …). */
  tenant: string | null;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  actor?: string;
  commit?: string | null;
}

/**
 * The config commit in force: the newest commit read that passed validation.
 * Reading it does not mean every tenant is applied at it: the status page
 * counts those applied, failing and still at an older commit.
 */
export interface ConfigCommit {
  sha: string;
  /** When the controller read it. */
  readAt?: Date | string;
  /** First line of the commit message. */
  message?: string;
  /** A newer commit that failed validation, so is not applied. */
  newerInvalid?: string;
}

/** A verified, de-duplicated GitHub push delivery. */
export interface GithubPushEvent {
  /** X-GitHub-Delivery. */
  delivery: string;
  /** e.g. refs/heads/main. */
  ref: string;
  /** Commit sha the ref now points at (all zeros when the ref was deleted). */
  after: string;
  before?: string;
  /** owner/name. */
  repository?: string;
  deleted: boolean;
}

export interface SuspendedPageInfo {
  /** Retry-After header, seconds (default 3600). */
  retryAfterSeconds?: number;
  /** Shown as "Contact ..." (an email address or URL). */
  contact?: string;
  /** Product name in the title (default "rp9"). */
  brand?: string;
}

export interface HttpDeps {
  /** Dependency probes and leader role; called per /readyz and /health/detailed (keep it cheap: cached probe results are fine). */
  readiness(): Promise<Readiness>;
  /** Rows of the status page. */
  tenants(): Promise<TenantRow[]>;
  /** The config commit in force (last valid commit read), if any. */
  lastCommit(): Promise<ConfigCommit | undefined>;
  /** The newest events, newest first: of one tenant, or of every tenant and the platform. Without it the status page shows none. */
  events?(query: { tenant?: string; limit: number }): Promise<EventRow[]>;
  /** A shared tenant's member on the shared n8n, as (label, value) lines for its page; undefined when it has none. */
  member?(tenant: string): Promise<[string, string][] | undefined>;
  /** Called once per verified, new push delivery; must not block (enqueue a reconcile). Throwing answers 500 so GitHub can redeliver. */
  onGithubPush(event: GithubPushEvent): void;
  /** Exposed on /metrics. */
  metricsRegistry: Registry;
  /** Counts requests and webhook deliveries when given (use the handles of the same createMetrics()). */
  /** POST /hooks/stripe (raw body and headers → answer); without it the route answers 503. */
  stripeWebhook?: (body: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>) => Promise<{ status: number; body: Record<string, unknown> }>;
  requestMetrics?: Pick<Metrics, 'httpRequests' | 'webhookDeliveries'> & Partial<Pick<Metrics, 'apiAuthFailures'>>;
  /** HMAC secret of the GitHub webhook; without it /hooks/github answers 503. */
  webhookSecret?: string;
  suspendedPage?: SuspendedPageInfo;
  /**
   * Host names the controller itself answers on (e.g. orchestrator.rp9.io). When set, a request
   * for any other host name (not an IP literal or localhost) gets the suspended page on every
   * path: that is how Traefik's suspended routes land here. When unset, every host gets the
   * controller routes and only /suspended shows the page.
   */
  controllerHosts?: string[];
  /** Controller version shown on /health/detailed and the status page. */
  version?: string;
  /** Seconds between the status pages' own reloads (a meta refresh: no JavaScript); default 30. */
  statusRefreshSeconds?: number;
}

// The controller's data model: what should exist (desired), what does exist
// (observed) and the difference (plan). All plain values: compile and plan
// are pure functions over them; observe and apply are the I/O edges.

/** Owner labels carried by every Docker object rp9 creates. */
export const LABEL = {
  managedBy: 'rp9.io/managed-by',
  environment: 'rp9.io/environment',
  tenant: 'rp9.io/tenant',
  role: 'rp9.io/role',
  specHash: 'rp9.io/spec-hash',
} as const;
export const MANAGED_BY = 'rp9';

export type ContainerRole = 'main' | 'worker';
export type ResourceKind = 'database' | 'volume' | 'container' | 'route' | 'service';

/** A value the apply step fills in from the secret store; never rendered in plans or logs. */
export interface SecretRef {
  secret: 'db-password' | 'encryption-key';
}
export type EnvValue = string | SecretRef;

export interface DesiredDatabase {
  kind: 'database';
  /** Resource name, unique across the platform: `rp9_<tenant>` with '-' as '_'. */
  name: string;
  tenant: string;
  database: string;
  role: string;
  hash: string;
}

export interface DesiredVolume {
  kind: 'volume';
  name: string;
  tenant: string;
  labels: Record<string, string>;
  sizeGb: number;
  hash: string;
}

export interface DesiredContainer {
  kind: 'container';
  /** `rp9-<tenant>-main`, `rp9-<tenant>-worker-<n>`. */
  name: string;
  tenant: string;
  role: ContainerRole;
  /** Worker index, 1-based; 0 for main. */
  index: number;
  image: string;
  command: string[];
  env: Record<string, EnvValue>;
  cpu: number;
  memoryMb: number;
  mounts: { volume: string; target: string }[];
  healthcheck: { test: string[]; intervalSeconds: number; timeoutSeconds: number; retries: number; startPeriodSeconds: number };
  restartPolicy: 'unless-stopped' | 'always' | 'on-failure' | 'no';
  network: string;
  labels: Record<string, string>;
  /** False when the tenant is suspended: stopped, not removed. */
  running: boolean;
  /** Seconds docker waits after SIGTERM before it kills (the container's StopTimeout); absent: docker's default. Not in the hash: containers made before it was set get it when next recreated. */
  stopTimeoutSeconds?: number;
  /** Hash of everything that needs a recreate to change (image, command, env, mounts, ...); cpu and memory excluded. */
  hash: string;
}

/**
 * A Docker Swarm service (`spec.runtime: swarm`): a dedicated tenant's main
 * (one replica) or its workers (one service, `workers` replicas). Compiled
 * from the same containers the single-engine runtime runs (controller/swarm/compile-services.ts).
 */
export interface DesiredService {
  kind: 'service';
  /** `rp9-<tenant>-main`, `rp9-<tenant>-worker`; main's is the DNS name the route uses. */
  name: string;
  tenant: string;
  role: ContainerRole;
  image: string;
  command: string[];
  env: Record<string, EnvValue>;
  /** 0 while the tenant is suspended: the service stays, its tasks stop. */
  replicas: number;
  /** Limits per task. */
  cpu: number;
  memoryMb: number;
  /** Reservations per task: what a node must have free to take one. */
  reserve: { cpu: number; memoryMb: number };
  /** The tenant's region: nodes labelled `rp9.io.region=<region>`. */
  region: string;
  /** Placement constraints, e.g. `node.labels.rp9.io.region==us-east`. */
  constraints: string[];
  mounts: { volume: string; target: string }[];
  healthcheck: DesiredContainer['healthcheck'];
  /** Seconds a stopping task gets before it is killed (StopGracePeriod), as the containers' stop timeout. Outside the fingerprint: a service made before it was set gets it at its next update. */
  stopTimeoutSeconds?: number;
  /** The overlay network Traefik joins. */
  network: string;
  /** Fixed host-mode ports (none by default: Traefik reaches the service by name). */
  ports: { target: number; published: number }[];
  /** stop-first when a fixed host port is published (start-first would wait forever for the port), else start-first. */
  updateOrder: 'start-first' | 'stop-first';
  labels: Record<string, string>;
  /** Hash of everything but replicas, cpu, memoryMb and reserve (those are compared as values). */
  hash: string;
}

export type RouteTarget =
  | { type: 'shared'; url: string }
  | { type: 'dedicated'; url: string }
  /** retryAfterSeconds: a short hold (an upgrade's swap, a promotion's freeze) whose page says to retry in seconds; absent: the suspended page's default. */
  | { type: 'suspended'; url: string; retryAfterSeconds?: number };

export interface DesiredRoute {
  kind: 'route';
  /** File name stem of the tenant's Traefik dynamic config: `<tenant>`. */
  name: string;
  tenant: string;
  hosts: string[];
  target: RouteTarget;
  /** A throttled tenant's rate limit (spec.throttle): a Traefik rateLimit middleware on its router. */
  rateLimit?: RouteRateLimit;
  hash: string;
}

/** Requests a minute on average, and at once above it, per request host (so for the whole tenant, not per client). */
export interface RouteRateLimit {
  perMinute: number;
  burst: number;
}

export type DesiredResource = DesiredDatabase | DesiredVolume | DesiredContainer | DesiredRoute | DesiredService;

export type TenantPhase = 'provisioning' | 'active' | 'suspended' | 'migrating' | 'failed';

export interface DesiredTenant {
  name: string;
  mode: 'shared' | 'dedicated';
  plan: string;
  suspended: boolean;
  /** spec.suspendedReason of a suspended tenant (the enforcement bot's start with "enforcement:"). */
  suspendedReason?: string;
  /** spec.throttle's limit and reason while the tenant is throttled. */
  throttle?: { limit: string; reason: string };
  /** Hash of the tenant's whole desired state; stored as the applied spec hash. */
  specHash: string;
  /** Generation of the source document (content hash of the tenant file). */
  generation: string;
  /** In apply order. */
  resources: DesiredResource[];
}

/**
 * Where a promoting tenant's route points, as its promotion's journal says
 * (controller/promotion/views.ts): still on shared, frozen (503), or moved;
 * `stopped` keeps the dedicated stack stopped after a failed promotion.
 */
export interface PromotionRoute {
  route: 'shared' | 'frozen' | 'dedicated';
  stopped: boolean;
  /**
   * For a tenant that is `mode: shared` in git, an entry is a demotion's hold (controller/demotion/views.ts):
   * its data is, or was until lately, on its dedicated stack, which compile keeps (running or stopped) with
   * this n8n version (null: the platform's).
   */
  n8nVersion?: string | null;
}

export interface DesiredState {
  commit?: string;
  environment: string;
  tenants: DesiredTenant[];
}

export interface ObservedContainer {
  kind: 'container';
  id: string;
  name: string;
  tenant: string;
  role: ContainerRole;
  image: string;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  health?: 'starting' | 'healthy' | 'unhealthy';
  cpu: number;
  memoryMb: number;
  hash: string;
  labels: Record<string, string>;
}

export interface ObservedVolume {
  kind: 'volume';
  name: string;
  tenant: string;
}

export interface ObservedDatabase {
  kind: 'database';
  name: string;
  tenant: string;
}

export interface ObservedRoute {
  kind: 'route';
  name: string;
  tenant: string;
  hash: string;
  hosts: string[];
}

/** A Swarm service rp9 made, with how many of its tasks run. */
export interface ObservedService {
  kind: 'service';
  id: string;
  name: string;
  tenant: string;
  role: ContainerRole;
  image: string;
  replicas: number;
  cpu: number;
  memoryMb: number;
  /** The rp9.io/spec-hash label rp9 wrote. */
  hash: string;
  /** True when the spec no longer matches the fingerprint rp9 wrote with it: changed outside rp9. */
  drifted: boolean;
  /** Tasks that should run and do. */
  running: number;
  /** Why the others do not: the scheduler's messages, e.g. `no suitable node (1 node not available for new tasks)`. */
  waiting: string[];
  labels: Record<string, string>;
}

export type ObservedResource = ObservedContainer | ObservedVolume | ObservedDatabase | ObservedRoute | ObservedService;

/** Whether a part of the platform could be read; an unavailable part counts as "nothing exists yet". */
export interface Availability {
  docker: { available: boolean; reason?: string };
  database: { available: boolean; reason?: string };
  routes: { available: boolean; reason?: string };
}

export interface ObservedState {
  availability: Availability;
  resources: ObservedResource[];
}

export type ActionOp = 'create' | 'update' | 'recreate' | 'start' | 'stop' | 'delete' | 'retain' | 'noop';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Action {
  op: ActionOp;
  kind: ResourceKind;
  /** Resource name. */
  name: string;
  tenant: string;
  reason: string;
  changes: FieldChange[];
  /** True when carrying it out interrupts the tenant's service. */
  downtime: boolean;
  /** Set by the maintenance-window schedule (controller/maintenance): whether it applies now or waits for the tenant's next window. */
  at?: 'now' | 'window';
  desired?: DesiredResource;
  observed?: ObservedResource;
}

export interface TenantPlan {
  tenant: string;
  /** create: the tenant is new; delete: it left git; update: something changes; noop: nothing. */
  change: 'create' | 'update' | 'delete' | 'noop';
  specHash?: string;
  generation?: string;
  /** Ordered: apply carries them out in this order. */
  actions: Action[];
  /** A journaled operation that replaces container actions (an n8n version change runs as a blue/green upgrade, not a recreate). */
  operation?: PlannedOperation;
  /** Set when a downtime change of this tenant waits for its next maintenance window (RFC 3339). */
  windowOpensAt?: string;
}

export interface PlannedOperation {
  kind: 'upgrade';
  /** start: the pass starts it; running: one is under way and the tenant's containers are left to it; failed: the last one to this version rolled back (held). */
  status: 'start' | 'running' | 'failed';
  from: string;
  to: string;
  reason: string;
  /** A starting upgrade (its swap is downtime) starts now or at the tenant's next maintenance window. */
  at?: 'now' | 'window';
}

export interface PlanRefusal {
  code: 'plan.mass-deletion';
  message: string;
}

/** An override of the mass-deletion rail that this plan relies on. */
export interface DeletionOverride {
  by: 'safety.allowDeletion' | '--allow-mass-deletion';
  /** The removed tenants it covers. */
  tenants: string[];
  reason: string;
}

export interface Plan {
  commit?: string;
  environment: string;
  tenants: TenantPlan[];
  /** Set when a safety rail refused the plan; apply must not run it. */
  refused?: PlanRefusal;
  /** Set when removals went through the rail because an override covers them. */
  deletionOverride?: DeletionOverride;
  summary: { create: number; update: number; recreate: number; delete: number; retain: number; unchanged: number; downtime: number };
}

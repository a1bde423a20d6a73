// apply(plan): carries out a plan's actions through narrow ports (Docker,
// PostgreSQL, Traefik files). Per tenant, actions run in the plan's order and
// stop at the first failure; tenants run concurrently and never block each
// other. Transient errors are retried with capped exponential backoff.
import type { Action, DesiredContainer, DesiredDatabase, DesiredRoute, DesiredService, DesiredVolume, Plan, TenantPlan } from '../model.js';
import { mapLimit } from '../../kernel/concurrency/map-limit.js';
import { recordAutoscaleEvents } from '../../controller/metrics/record.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { autoscaleEvents } from './autoscale-events.js';
import { isForcedRecreate } from '../plan/diff-container.js';
import { withRetry, type ErrorClass } from './retry.js';

/** The I/O the executor needs. Every port is idempotent. */
export interface ApplyPorts {
  ensureDatabase(database: DesiredDatabase): Promise<void>;
  ensureVolume(volume: DesiredVolume): Promise<void>;
  /** Creates the container, and starts it when `running`. */
  createContainer(container: DesiredContainer): Promise<void>;
  /** Replaces the container; unless `force`, a no-op when it already carries the desired spec hash and image. */
  recreateContainer(container: DesiredContainer, options: { force: boolean }): Promise<void>;
  updateContainerResources(container: DesiredContainer): Promise<void>;
  startContainer(name: string): Promise<void>;
  /** Stops it within `timeoutSeconds` (absent: the container's own stop timeout, set at compile). */
  stopContainer(name: string, timeoutSeconds?: number): Promise<void>;
  removeContainer(name: string): Promise<void>;
  waitHealthy(name: string): Promise<void>;
  writeRoute(route: DesiredRoute): Promise<void>;
  removeRoute(tenant: string): Promise<void>;
  /** When the tenant's route file came to hold exactly `route` (its modification time); undefined when it holds something else or nothing. */
  routedSince?(route: DesiredRoute): Promise<Date | undefined>;
  classify(error: unknown): ErrorClass;
  /** Swarm runtime only: creates or updates the service to match, and waits (bounded) until its tasks run. */
  applyService?(service: DesiredService): Promise<void>;
  /** Swarm runtime only: removes the service; its node-local volumes stay. */
  removeService?(name: string): Promise<void>;
  /**
   * Checked once before a tenant's first action; a throw fails the tenant
   * with nothing applied (the Swarm runtime's region capacity check).
   */
  preflight?(tenantPlan: TenantPlan): Promise<void>;
}

/** A service action reached ports without a Swarm edge (the platform's runtime is docker). */
export class NoSwarmError extends Error {
  readonly code = 'apply.no-swarm';
}

export interface ApplyOptions {
  /** Tenants applied at once. */
  concurrency: number;
  retry: { attempts: number; baseMs: number; maxMs: number };
  sleep?(ms: number): Promise<void>;
  onAction?(tenant: string, action: Action, outcome: 'done' | 'failed', error?: unknown): void;
  /** When given, each tenant's cpu/memory changes count on rp9_autoscale_events_total as its apply ends (see autoscale-events.ts). */
  metrics?: Pick<Metrics, 'autoscaleEvents'>;
  /** A step of `action` failed transiently and is tried again after `delayMs`. */
  onRetry?(tenant: string, action: Action, error: unknown, attempt: number, delayMs: number): void;
  /**
   * One tenant's apply ended (its result is final): awaited before that
   * tenant's worker takes the next tenant, so its status can be recorded
   * while slower tenants still apply. It must not throw: the other tenants'
   * applies would go on unawaited (the reconciler keeps its error for later).
   */
  onTenant?(result: TenantApplyResult): Promise<void>;
}

export interface ApplyError {
  code: string;
  message: string;
  transient: boolean;
  action: string;
}

export interface TenantApplyResult {
  tenant: string;
  outcome: 'applied' | 'unchanged' | 'failed';
  /** Actions carried out, in order. */
  done: Action[];
  error?: ApplyError;
}

export interface ApplyReport {
  tenants: TenantApplyResult[];
  applied: number;
  failed: number;
}

export class ApplyRefusedError extends Error {
  readonly code = 'apply.plan-refused';
}

function describeAction(action: Action): string {
  return `${action.op} ${action.kind} ${action.name}`;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'apply.failed';
}

/** The port calls that carry out one action. */
function stepsFor(action: Action, ports: ApplyPorts): (() => Promise<void>)[] {
  const desired = action.desired;
  switch (action.kind) {
    case 'database':
      if ((action.op === 'create' || action.op === 'update') && desired?.kind === 'database') return [() => ports.ensureDatabase(desired)];
      return [];
    case 'volume':
      if ((action.op === 'create' || action.op === 'update') && desired?.kind === 'volume') return [() => ports.ensureVolume(desired)];
      return [];
    case 'route':
      if ((action.op === 'create' || action.op === 'update') && desired?.kind === 'route') return [() => ports.writeRoute(desired)];
      if (action.op === 'delete') return [() => ports.removeRoute(action.tenant)];
      return [];
    case 'container': {
      const container = desired?.kind === 'container' ? desired : undefined;
      if (action.op === 'delete') return [() => ports.removeContainer(action.name)];
      if (action.op === 'stop') return [() => ports.stopContainer(action.name)];
      if (action.op === 'start') return [() => ports.startContainer(action.name)];
      if (!container) return [];
      if (action.op === 'create') return [() => ports.createContainer(container)];
      if (action.op === 'recreate') return [() => ports.recreateContainer(container, { force: isForcedRecreate(action) })];
      if (action.op === 'update') return [() => ports.updateContainerResources(container)];
      return [];
    }
    case 'service': {
      const service = desired?.kind === 'service' ? desired : undefined;
      const noSwarm = (): Promise<void> => Promise.reject(new NoSwarmError(`${action.op} service ${action.name}: no Swarm configured (spec.runtime is docker)`));
      if (action.op === 'delete') return [() => (ports.removeService ? ports.removeService(action.name) : noSwarm())];
      if (service && (action.op === 'create' || action.op === 'update')) return [() => (ports.applyService ? ports.applyService(service) : noSwarm())];
      return [];
    }
  }
}

/** Containers that must be healthy before the route sends traffic to them. */
function needsHealthWait(action: Action): boolean {
  return action.kind === 'container' && action.desired?.kind === 'container' && action.desired.running
    && (action.op === 'create' || action.op === 'recreate' || action.op === 'start');
}

/** A worker brought up: it waits for main to be healthy first (see applyTenant). */
function isWorkerBringUp(action: Action): boolean {
  return needsHealthWait(action) && action.desired?.kind === 'container' && action.desired.role === 'worker';
}

/** Waits for the containers together (they start together); throws the first failure in their order once all waits ended. */
async function waitAllHealthy(ports: ApplyPorts, names: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(names.map((name) => ports.waitHealthy(name)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function applyTenant(tenantPlan: TenantPlan, ports: ApplyPorts, options: ApplyOptions): Promise<TenantApplyResult> {
  const actions = tenantPlan.actions.filter((a) => a.op !== 'noop' && a.op !== 'retain');
  if (actions.length === 0) return { tenant: tenantPlan.tenant, outcome: 'unchanged', done: [] };
  const done: Action[] = [];
  const pendingHealth: string[] = [];
  /** Main created, recreated or started in this apply and not yet seen healthy. */
  let pendingMain: string | undefined;
  const base = { ...options.retry, classify: ports.classify, ...(options.sleep ? { sleep: options.sleep } : {}) };
  if (ports.preflight) {
    try {
      await ports.preflight(tenantPlan);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { tenant: tenantPlan.tenant, outcome: 'failed', done, error: { code: errorCode(error), message, transient: ports.classify(error) === 'transient', action: 'preflight' } };
    }
  }
  for (const action of actions) {
    const retry = { ...base, onRetry: (error: unknown, attempt: number, delayMs: number) => options.onRetry?.(tenantPlan.tenant, action, error, attempt, delayMs) };
    try {
      // Workers start only once main is healthy: main runs the database
      // migrations (n8n 1.x has no migration lock, so a worker starting beside
      // main on a fresh database races it), and a worker needs them done anyway.
      if (pendingMain && isWorkerBringUp(action)) {
        pendingHealth.splice(pendingHealth.indexOf(pendingMain), 1);
        const name = pendingMain;
        pendingMain = undefined;
        await waitAllHealthy(ports, [name]);
      }
      if (action.kind === 'route' && pendingHealth.length > 0) {
        // waitHealthy is a bounded wait of its own: not retried here.
        await waitAllHealthy(ports, pendingHealth.splice(0));
      }
      for (const step of stepsFor(action, ports)) await withRetry(step, retry);
      if (needsHealthWait(action)) {
        pendingHealth.push(action.name);
        if (action.desired?.kind === 'container' && action.desired.role === 'main') pendingMain = action.name;
      }
      done.push(action);
      options.onAction?.(tenantPlan.tenant, action, 'done');
    } catch (error) {
      options.onAction?.(tenantPlan.tenant, action, 'failed', error);
      return {
        tenant: tenantPlan.tenant,
        outcome: 'failed',
        done,
        error: {
          code: errorCode(error),
          message: `${describeAction(action)}: ${error instanceof Error ? error.message : String(error)}`,
          transient: ports.classify(error) === 'transient',
          action: describeAction(action),
        },
      };
    }
  }
  try {
    await waitAllHealthy(ports, pendingHealth);
  } catch (error) {
    return {
      tenant: tenantPlan.tenant,
      outcome: 'failed',
      done,
      error: { code: errorCode(error), message: error instanceof Error ? error.message : String(error), transient: ports.classify(error) === 'transient', action: 'wait healthy' },
    };
  }
  return { tenant: tenantPlan.tenant, outcome: 'applied', done };
}

export async function applyPlan(plan: Plan, ports: ApplyPorts, options: ApplyOptions): Promise<ApplyReport> {
  if (plan.refused) throw new ApplyRefusedError(plan.refused.message);
  const results = await mapLimit(plan.tenants, options.concurrency, async (tenantPlan) => {
    const result = await applyTenant(tenantPlan, ports, options);
    if (options.metrics) recordAutoscaleEvents(options.metrics, autoscaleEvents(tenantPlan, result.done));
    await options.onTenant?.(result);
    return result;
  });
  return {
    tenants: results,
    applied: results.filter((r) => r.outcome === 'applied').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
  };
}

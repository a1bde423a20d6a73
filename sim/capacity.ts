// What runs for each tenant: the controller's compile (controller/compile) of
// its tenant file, planned against the previous compile as observed state
// (controller/plan, convergedObserved), and the capacity those containers
// give (queue slots, cores, memory). A compile depends only on the tenant's
// spec and on whether its promotion window is still ahead, and a plan only on
// the two compiles, so both are memoised per tenant: a tenant that goes back
// to an allocation it had is not compiled or planned again.
import type { Platform } from '../config/types.js';
import type { Tenant } from '../types/tenant.js';
import type { DesiredTenant } from '../controller/model.js';
import { compileTenant, type CompileContext } from '../controller/compile/index.js';
import { awaitingPromotion, servedBy } from '../controller/compile/compile-tenant.js';
import { plan as planOf } from '../controller/plan/index.js';
import { convergedObserved } from '../controller/plan/converged-observed.js';
import { EXECUTIONS_PER_WORKER } from './trace.js';

/** One compile of a tenant and the capacity its containers give. */
interface Compiled {
  id: number;
  desired: DesiredTenant;
  dedicated: boolean;
  servers: number;
  cores: number;
  memoryMb: number;
}

interface PlanOutcome {
  actions: number;
  downtime: boolean;
}

export interface Capacity {
  /** The compile that runs (undefined before the first apply). */
  current: (Compiled | undefined)[];
  /** 1 while the tenant runs its own containers and is served by them. */
  dedicated: Uint8Array;
  /** Queue slots: workers × executions per worker, or the plan's concurrent executions on the shared n8n. */
  servers: Float64Array;
  /** Cores and MB of the tenant's containers (counted while they exist, served or not). */
  cores: Float64Array;
  memoryMb: Float64Array;
  /** The minute of the last apply whose plan had downtime (the workers restart); −1: none. */
  restartAt: Float64Array;
  memo: CompileMemo;
}

/**
 * Compiles per tenant by key (pending promotion and spec), and plan outcomes per pair of compile ids.
 * Policy-independent: runs of several policies over the same source and platform share one.
 */
export interface CompileMemo {
  compiles: Map<string, Compiled>[];
  plans: Map<string, PlanOutcome>[];
}

export function createCompileMemo(n: number): CompileMemo {
  return { compiles: Array.from({ length: n }, () => new Map()), plans: Array.from({ length: n }, () => new Map()) };
}

export function createCapacity(n: number, memo: CompileMemo = createCompileMemo(n)): Capacity {
  return {
    current: new Array(n).fill(undefined),
    dedicated: new Uint8Array(n),
    servers: new Float64Array(n),
    cores: new Float64Array(n),
    memoryMb: new Float64Array(n),
    restartAt: new Float64Array(n).fill(-1),
    memo,
  };
}

export interface Applied {
  /** The plan's container and route actions (0 for the first apply, which plans nothing). */
  actions: number;
  /** The plan had a downtime action: the workers restart this minute. */
  restart: boolean;
}

function compiled(platform: Platform, context: CompileContext, tenant: Tenant, now: Date, id: number): Compiled {
  const name = tenant.metadata.name;
  const desired = compileTenant(platform, { name, file: `tenants/${name}.yaml`, tenant, generation: '' }, context, now);
  let workers = 0;
  let cores = 0;
  let memoryMb = 0;
  for (const resource of desired.resources) {
    if (resource.kind !== 'container') continue;
    if (resource.role === 'worker') workers += 1;
    cores += resource.cpu;
    memoryMb += resource.memoryMb;
  }
  const dedicated = servedBy(tenant.spec, now, undefined) === 'dedicated' && workers > 0;
  const planDef = platform.spec.plans[tenant.spec.plan]!;
  // A shared tenant runs in the shared n8n, up to its plan's concurrent executions.
  const servers = dedicated ? workers * EXECUTIONS_PER_WORKER : Math.max(1, planDef.concurrentExecutions);
  return { id, desired, dedicated, servers, cores, memoryMb };
}

function planned(context: CompileContext, before: Compiled, next: Compiled): PlanOutcome {
  const observed = convergedObserved({ environment: context.environment, tenants: [before.desired] });
  const result = planOf({ environment: context.environment, tenants: [next.desired] }, observed, { maxDeletionPercent: 100 });
  let actions = 0;
  let downtime = false;
  for (const t of result.tenants) {
    actions += t.actions.length;
    if (t.actions.some((action) => action.downtime)) downtime = true;
  }
  return { actions, downtime };
}

/** The controller applies tenant `i`'s file at `minute` (`now`): its compile replaces what ran. */
export function applyTenant(capacity: Capacity, platform: Platform, context: CompileContext, tenant: Tenant, i: number, minute: number, now: Date): Applied {
  const compiles = capacity.memo.compiles[i]!;
  const key = `${awaitingPromotion(tenant.spec, now) ? 1 : 0}${JSON.stringify(tenant.spec)}`;
  let next = compiles.get(key);
  if (!next) {
    next = compiled(platform, context, tenant, now, compiles.size);
    compiles.set(key, next);
  }
  const before = capacity.current[i];
  let applied: Applied = { actions: 0, restart: false };
  if (before) {
    const pair = `${before.id}>${next.id}`;
    let outcome = capacity.memo.plans[i]!.get(pair);
    if (!outcome) {
      outcome = planned(context, before, next);
      capacity.memo.plans[i]!.set(pair, outcome);
    }
    applied = { actions: outcome.actions, restart: outcome.downtime };
    if (outcome.downtime) capacity.restartAt[i] = minute;
  }
  capacity.current[i] = next;
  capacity.dedicated[i] = next.dedicated ? 1 : 0;
  capacity.servers[i] = next.servers;
  capacity.cores[i] = next.cores;
  capacity.memoryMb[i] = next.memoryMb;
  return applied;
}

// The simulated platform: replays a demand source minute by minute under one
// policy. Capacity follows what the policy's merged pull requests set, through
// the real compile and plan (sim/capacity.ts); rp9's policy is the real bot
// deciders reading figures the simulator computes for the current allocation
// (sim/policies/rp9-run.ts, sim/bot-metrics.ts). This module runs the clock and
// each tenant's queue minute; see docs/simulate.md.
import type { Platform } from '../config/types.js';
import type { CompileContext } from '../controller/compile/index.js';
import { awaitingPromotion } from '../controller/compile/compile-tenant.js';
import { fieldHistoryOf, createMetricsState } from './bot-metrics.js';
import { applyTenant, createCapacity, createCompileMemo, type CompileMemo } from './capacity.js';
import { cronMatcher, type CronMatcher } from './cron.js';
import { countFlaps, type ResourceChangeRecord } from './flaps.js';
import { addMinute, createHourlySums, flushHour } from './hourly.js';
import { LOW_STEP_MINUTES, closeBlock, createMinuteRings, recordMinute, slotOf } from './minute-rings.js';
import { NAIVE_SPEC } from './policies/naive.js';
import { runNaiveAutoscale, runNaivePromotion } from './policies/naive-run.js';
import { runRp9Autoscale, runRp9Promotion } from './policies/rp9-run.js';
import type { PolicyWorld } from './policies/world.js';
import { claimMerge, createPullRequests, schedule, takeEvents, type Pr } from './pull-requests.js';
import { minuteOut, p95Of, queueMinuteInto } from './queueing.js';
import { mergeEdits, tenantOf } from './tenant-files.js';
import { MINUTE_MS, emptyDemand, type Demand, type DemandSource } from './trace.js';

export type PolicyName = 'rp9' | 'naive';

export interface SimulationOptions {
  platform: Platform;
  source: DemandSource;
  policy: PolicyName;
  context: CompileContext;
  /** Opened → merged for a pull request that merges by itself (checks, then merge). */
  mergeDelayMinutes: number;
  /** Opened → merged for one that waits for a human; Infinity = never merged. */
  reviewDelayMinutes: number;
  /** Merged → the controller has applied it. */
  applyDelayMinutes: number;
  /** The SLO: queue wait p95 above this many seconds is a bad minute. */
  sloSeconds: number;
}

export interface PolicyTotals {
  policy: PolicyName;
  sloMinutes: number;
  prsOpened: number;
  /** Of those, pull requests that wait for a human (beyond the ceiling, low-priority promotions). */
  reviewPrs: number;
  prsMerged: number;
  prsClosed: number;
  flaps: number;
  coreHours: number;
  gbHours: number;
  promotions: number;
  /** Applies whose plan had a downtime action (workers or main recreated). */
  restarts: number;
  /** Container and route actions the controller's plan carried out for the merged changes. */
  planActions: number;
  /** Minutes a tenant's memory demand exceeded its allocation. */
  memoryOverMinutes: number;
}

export interface SimulationResult {
  totals: PolicyTotals;
  /** SLO minutes per tenant (source order). */
  tenantSloMinutes: Int32Array;
  /** Hourly means per tenant, index tenant × hours + hour: executions/min demanded, and the throughput capacity (executions/min). */
  hours: number;
  hourlyDemand: Float32Array;
  hourlyCapacity: Float32Array;
  /** Every merged resource change, per tenant. */
  changes: ResourceChangeRecord[][];
  /** Allocated core-minutes and MB-minutes per tenant (totals.coreHours and gbHours sum them in tenant order, so shards join exactly). */
  coreMinutes: Float64Array;
  mbMinutes: Float64Array;
}

/** In index order: the same sum however the tenants were split across threads. */
export function sumOf(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/** One policy's simulation, advanced minute by minute by `simulateAll` (all policies share each minute's demand). */
interface PolicyRun {
  /** Events and bot runs at the start of `minute`; they see the minutes before it. */
  begin(minute: number): Promise<void>;
  /** Tenant `i`'s queue and figures in `minute`, for its demand. */
  step(i: number, minute: number, demand: Demand): void;
  finish(): SimulationResult;
}

/** Runs one policy over the whole source. */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const [result] = await simulateAll(options, [options.policy]);
  return result!;
}

/** Runs several policies over the same source in lockstep: each minute's demand is computed once. */
export async function simulateAll(options: Omit<SimulationOptions, 'policy'>, policies: readonly PolicyName[]): Promise<SimulationResult[]> {
  // Compiles and plans depend on the tenant files only, not on the policy that wrote them: one memo for all runs.
  const memo = createCompileMemo(options.source.tenants.length);
  const runs = policies.map((policy) => createRun({ ...options, policy }, memo));
  const { source } = options;
  const n = source.tenants.length;
  const demand = emptyDemand();
  for (let minute = 0; minute <= source.minutes; minute++) {
    for (const run of runs) await run.begin(minute);
    if (minute === source.minutes) break;
    for (let i = 0; i < n; i++) {
      source.demand(i, minute, demand);
      for (const run of runs) run.step(i, minute, demand);
    }
  }
  return runs.map((run) => run.finish());
}

function createRun(options: SimulationOptions, memo: CompileMemo): PolicyRun {
  const { platform, source, context } = options;
  const n = source.tenants.length;
  const startMs = source.start.getTime();
  const autoscale = platform.spec.policies.autoscale;
  const promotionPolicy = platform.spec.policies.promotion;
  const rp9 = options.policy === 'rp9';
  const autoscaleDue: CronMatcher = rp9 ? cronMatcher(autoscale.schedule, 'policies.autoscale.schedule') : (at) => ((at.getTime() - startMs) / MINUTE_MS) % NAIVE_SPEC.autoscaleEveryMinutes === 0;
  const promotionDue: CronMatcher = rp9 ? cronMatcher(promotionPolicy.schedule, 'policies.promotion.schedule') : (at) => ((at.getTime() - startMs) / MINUTE_MS) % NAIVE_SPEC.promotionEveryMinutes === 0;
  const promotionWindow = `${promotionPolicy.windowHours}h`;
  const ring = Math.max(autoscale.windowMinutes, Math.ceil(promotionPolicy.windowHours * 60), LOW_STEP_MINUTES, 1);
  // "Low since" looks back over the stabilisation and over the peak check of a scale-down.
  const lookbackMinutes = Math.max(autoscale.scaleDownStabilizationHours, autoscale.scaleDownPeakHours) * 60 + LOW_STEP_MINUTES;
  const blockRing = Math.ceil(lookbackMinutes / LOW_STEP_MINUTES) + 2;
  const stabilisationMs = autoscale.scaleDownStabilizationHours * 3_600_000;

  const names = source.tenants.map((meta) => meta.name);
  const capacity = createCapacity(n, memo);
  const rings = createMinuteRings(n, ring, blockRing);
  const metrics = createMetricsState(names, startMs, rings, capacity.dedicated);
  const prs = createPullRequests(options.mergeDelayMinutes, options.reviewDelayMinutes);
  const world: PolicyWorld = { platform, tenants: source.tenants.map((meta) => tenantOf(meta, platform)), names, capacity, metrics, history: fieldHistoryOf(metrics), prs };
  const { tenants } = world;
  const { monthExecutions } = metrics;
  const changes: ResourceChangeRecord[][] = Array.from({ length: n }, () => []);
  const totals: PolicyTotals = { policy: options.policy, sloMinutes: 0, prsOpened: 0, reviewPrs: 0, prsMerged: 0, prsClosed: 0, flaps: 0, coreHours: 0, gbHours: 0, promotions: 0, restarts: 0, planActions: 0, memoryOverMinutes: 0 };
  const hourly = createHourlySums(n, source.minutes);
  const tenantSloMinutes = new Int32Array(n);
  const at = (minute: number) => new Date(startMs + minute * MINUTE_MS);

  function apply(i: number, minute: number): void {
    const tenant = tenants[i]!;
    const now = at(minute);
    const applied = applyTenant(capacity, platform, context, tenant, i, minute, now);
    totals.planActions += applied.actions;
    if (applied.restart) totals.restarts += 1;
    // A promoted tenant's containers exist from now; its route switches when the window opens.
    if (tenant.spec.promotion && awaitingPromotion(tenant.spec, now)) {
      const window = Math.ceil((Date.parse(tenant.spec.promotion.window) - startMs) / MINUTE_MS);
      if (window > minute) schedule(prs, window, { kind: 'switch', tenant: i });
    }
  }

  function merge(pr: Pr, minute: number): void {
    if (!claimMerge(prs, pr)) return; // closed or replaced meanwhile
    const merged = mergeEdits(tenants[pr.tenant]!, pr.edits, platform);
    const mergedAt = startMs + minute * MINUTE_MS;
    for (const change of merged.resourceChanges) changes[pr.tenant]!.push({ at: mergedAt, ...change });
    if (merged.resourceChanges.length > 0) metrics.lastResourceChange[pr.tenant] = mergedAt;
    totals.promotions += merged.promotions;
    tenants[pr.tenant] = merged.tenant;
    schedule(prs, minute + options.applyDelayMinutes, { kind: 'apply', tenant: pr.tenant });
  }

  for (let i = 0; i < n; i++) apply(i, 0);
  const out = minuteOut();
  const serviceSeconds = Float64Array.from(source.tenants, (meta) => meta.serviceSeconds);
  const sloSeconds = options.sloSeconds;
  const coreMinutes = new Float64Array(n);
  const mbMinutes = new Float64Array(n);
  const backlogOf = new Float64Array(n);
  const { servers, cores, memoryMb, dedicated, restartAt } = capacity;
  const { shapes } = rings;
  let month = at(0).getUTCMonth();
  let hour = 0;
  let closesBlock = false;

  async function begin(minute: number): Promise<void> {
    const due = takeEvents(prs, minute);
    for (const event of due ?? []) {
      if (event.kind === 'merge') merge(event.pr, minute);
      else apply(event.tenant, minute);
    }
    if (minute === source.minutes) return;
    const now = at(minute);
    if (now.getUTCMonth() !== month) {
      month = now.getUTCMonth();
      monthExecutions.fill(0);
    }
    if (minute > 0 && autoscaleDue(now)) {
      if (rp9) await runRp9Autoscale(world, minute, now);
      else runNaiveAutoscale(world, minute);
    }
    if (minute > 0 && promotionDue(now)) {
      if (rp9) await runRp9Promotion(world, minute, now, promotionWindow);
      else runNaivePromotion(world, minute, now);
    }
    if (Math.floor(minute / 60) !== hour) {
      flushHour(hourly, hour);
      hour = Math.floor(minute / 60);
    }
    closesBlock = (minute + 1) % LOW_STEP_MINUTES === 0;
  }

  function step(i: number, minute: number, demand: Demand): void {
    const isDedicated = dedicated[i] === 1;
    const allocated = cores[i]!;
    // CPU below demand slows every execution in proportion.
    const service = isDedicated && demand.cpuCores > allocated ? (serviceSeconds[i]! * demand.cpuCores) / allocated : serviceSeconds[i]!;
    const restarting = restartAt[i] === minute;
    const slots = servers[i]!;
    queueMinuteInto(demand.executionsPerMinute, restarting ? 0 : slots, slots, service, backlogOf[i]!, out);
    backlogOf[i] = out.backlog;
    const slot = slotOf(rings, i, minute);
    shapes.delay[slot] = out.delay;
    shapes.waitProbability[slot] = out.waitProbability;
    shapes.rate[slot] = out.rate;
    shapes.weight[slot] = out.weight;
    // The minute's own p95 (p95Of is the delay, 0, unless more than 5 % wait).
    const p95 = out.delay > 0 || out.waitProbability > 0.05 ? p95Of(out.delay, out.waitProbability, out.rate) : 0;
    if (isDedicated) {
      const cpuPercent = (demand.cpuCores / allocated) * 100;
      const memPercent = (demand.memoryMb / memoryMb[i]!) * 100;
      if (memPercent > 100) totals.memoryOverMinutes += 1;
      recordMinute(rings, slot, i, cpuPercent > 100 ? 100 : cpuPercent, memPercent > 100 ? 100 : memPercent, demand.executionsPerMinute, out.busy, p95);
    } else {
      // A shared tenant has no CPU or memory series of its own: no data, which is never "low".
      recordMinute(rings, slot, i, Number.NaN, Number.NaN, demand.executionsPerMinute, out.busy, p95);
    }
    // Containers count from the moment they exist (a promoted tenant's before its window too); shared tenants have none.
    coreMinutes[i] = coreMinutes[i]! + allocated;
    mbMinutes[i] = mbMinutes[i]! + memoryMb[i]!;
    monthExecutions[i] = monthExecutions[i]! + demand.executionsPerMinute;
    if (p95 > sloSeconds) {
      totals.sloMinutes += 1;
      tenantSloMinutes[i] = tenantSloMinutes[i]! + 1;
    }
    addMinute(hourly, i, demand.executionsPerMinute, restarting ? 0 : slots / service);
    if (closesBlock) closeBlock(rings, i, minute);
  }
  function finish(): SimulationResult {
    if (source.minutes > 0) flushHour(hourly, hour);
    totals.coreHours = sumOf(coreMinutes) / 60;
    totals.gbHours = sumOf(mbMinutes) / 1024 / 60;
    totals.prsOpened = prs.opened;
    totals.reviewPrs = prs.review;
    totals.prsMerged = prs.merged;
    totals.prsClosed = prs.closed;
    for (const list of changes) totals.flaps += countFlaps(list, stabilisationMs);
    return { totals, tenantSloMinutes, hours: hourly.hours, hourlyDemand: hourly.demand, hourlyCapacity: hourly.capacity, changes, coreMinutes, mbMinutes };
  }

  return { begin, step, finish };
}

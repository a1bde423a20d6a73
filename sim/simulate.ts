// The simulated platform: replays a demand source minute by minute under one
// policy. Capacity follows what the policy's merged pull requests set, through
// the real compile and plan (controller/compile, controller/plan); rp9's
// policy is the real bot deciders (bots/runner decide-autoscale,
// decide-promotion) reading figures the simulator computes for the current
// allocation. See docs/simulate.md.
import type { Platform } from '../config/types.js';
import type { Tenant } from '../types/tenant.js';
import type { DesiredTenant } from '../controller/model.js';
import { compileTenant, type CompileContext } from '../controller/compile/index.js';
import { servedBy } from '../controller/compile/compile-tenant.js';
import { plan as planOf } from '../controller/plan/index.js';
import { convergedObserved } from '../controller/plan/converged-observed.js';
import { decideAutoscaleRun } from '../bots/runner/decide-autoscale.js';
import { decidePromotionRun } from '../bots/runner/decide-promotion.js';
import { autoMergeDecision } from '../bots/core/auto-merge.js';
import type { FieldEdit, Proposal } from '../bots/core/types.js';
import { formatWindow, nextMaintenanceWindow } from '../bots/promotion/window.js';
import type { LowThresholds } from '../bots/metrics/tenant-queries.js';
import type { BotMetrics, FieldHistory, WindowFigures } from '../bots/sources/types.js';
import { cronMatcher, type CronMatcher } from './cron.js';
import { countFlaps, type ResourceChangeRecord } from './flaps.js';
import { NAIVE_SPEC, naiveAutoscale, naivePromotes } from './policies/naive.js';
import { minuteOut, mixtureP95Columns, p95Of, queueMinuteInto, type ShapeColumns } from './queueing.js';
import { EXECUTIONS_PER_WORKER, MINUTE_MS, emptyDemand, type Demand, type DemandSource, type TenantMeta } from './trace.js';

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

interface Pr {
  bot: 'autoscale' | 'promotion';
  tenant: number;
  edits: FieldEdit[];
  mergeAt: number;
  /** A beyond-ceiling autoscale proposal (labelled `risk:beyondCeiling`), which a run may keep open. */
  beyondCeiling: boolean;
}

type SimEvent = { kind: 'merge'; pr: Pr } | { kind: 'apply'; tenant: number } | { kind: 'switch'; tenant: number };

const RESOURCE_FIELDS = new Set(['cpu', 'memoryMb', 'workers']);
const LOW_STEP_MINUTES = 5;

function tenantOf(meta: TenantMeta, platform: Platform): Tenant {
  const plan = platform.spec.plans[meta.plan]!;
  const region = Object.keys(platform.spec.regions ?? {})[0] ?? 'us-east';
  const resources: Record<string, number> = {};
  if (meta.recorded.cpu !== plan.cpu) resources.cpu = meta.recorded.cpu;
  if (meta.recorded.memoryMb !== plan.memoryMb) resources.memoryMb = meta.recorded.memoryMb;
  if (meta.recorded.workers !== plan.workers) resources.workers = meta.recorded.workers;
  return {
    apiVersion: 'rp9.io/v1',
    kind: 'Tenant',
    metadata: { name: meta.name, email: `ops@${meta.name}.example` },
    spec: {
      plan: meta.plan,
      mode: meta.mode,
      region,
      subdomain: meta.name,
      customDomains: [],
      suspended: false,
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
    },
  } as unknown as Tenant;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function sameEdits(a: readonly FieldEdit[], b: readonly FieldEdit[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.path.join('.') !== y.path.join('.')) return false;
    if (x.value !== y.value && JSON.stringify(x.value) !== JSON.stringify(y.value)) return false;
  }
  return true;
}

/** In index order: the same sum however the tenants were split across threads. */
export function sumOf(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

function minutesOf(window: string): number {
  const match = /^(\d+)(m|h)$/.exec(window);
  if (!match) throw new RangeError(`window ${window} is not minutes or hours`);
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
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
  const runs = policies.map((policy) => createRun({ ...options, policy }));
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

function createRun(options: SimulationOptions): PolicyRun {
  const { platform, source, context } = options;
  const n = source.tenants.length;
  const startMs = source.start.getTime();
  const autoscale = platform.spec.policies.autoscale;
  const promotionPolicy = platform.spec.policies.promotion;
  const rp9 = options.policy === 'rp9';
  const autoscaleDue: CronMatcher = rp9 ? cronMatcher(autoscale.schedule, 'policies.autoscale.schedule') : (at) => ((at.getTime() - startMs) / MINUTE_MS) % NAIVE_SPEC.autoscaleEveryMinutes === 0;
  const promotionDue: CronMatcher = rp9 ? cronMatcher(promotionPolicy.schedule, 'policies.promotion.schedule') : (at) => ((at.getTime() - startMs) / MINUTE_MS) % NAIVE_SPEC.promotionEveryMinutes === 0;
  const promotionWindow = `${promotionPolicy.windowHours}h`;
  const autoscaleWindowMinutes = autoscale.windowMinutes;
  const ring = Math.max(autoscaleWindowMinutes, Math.ceil(promotionPolicy.windowHours * 60), LOW_STEP_MINUTES, 1);
  // "Low since" looks back over the stabilisation and over the peak check of a scale-down.
  const lookbackMinutes = Math.max(autoscale.scaleDownStabilizationHours, autoscale.scaleDownPeakHours) * 60 + LOW_STEP_MINUTES;
  const blockRing = Math.ceil(lookbackMinutes / LOW_STEP_MINUTES) + 2;
  const stabilisationMs = autoscale.scaleDownStabilizationHours * 3_600_000;

  // Per tenant: the git state, what runs, the queue.
  const tenants = source.tenants.map((meta) => tenantOf(meta, platform));
  const desired: (DesiredTenant | undefined)[] = new Array(n).fill(undefined);
  const servers = new Float64Array(n);
  const cores = new Float64Array(n);
  const memoryMb = new Float64Array(n);
  const dedicated = new Uint8Array(n);
  const restartAt = new Float64Array(n).fill(-1);
  const backlog = new Float64Array(n);
  const monthExecutions = new Float64Array(n);
  const lastResourceChange = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const changes: ResourceChangeRecord[][] = Array.from({ length: n }, () => []);
  const open = { autoscale: new Map<number, Pr>(), promotion: new Map<number, Pr>() };
  const events = new Map<number, SimEvent[]>();
  const totals: PolicyTotals = { policy: options.policy, sloMinutes: 0, prsOpened: 0, reviewPrs: 0, prsMerged: 0, prsClosed: 0, flaps: 0, coreHours: 0, gbHours: 0, promotions: 0, restarts: 0, planActions: 0, memoryOverMinutes: 0 };

  // Rings of per-minute figures (index tenant × ring + minute % ring) and of 5-minute blocks.
  const shapes: ShapeColumns = { delay: new Float64Array(n * ring), waitProbability: new Float64Array(n * ring), rate: new Float64Array(n * ring), weight: new Float64Array(n * ring) };
  const cpuRing = new Float64Array(n * ring);
  const memRing = new Float64Array(n * ring);
  const epmRing = new Float64Array(n * ring);
  const busyRing = new Float64Array(n * ring);
  const blockLow = { cpu: new Float64Array(n * blockRing), mem: new Float64Array(n * blockRing), epm: new Float64Array(n * blockRing), p95: new Float64Array(n * blockRing) };

  const hours = Math.ceil(source.minutes / 60);
  const hourlyDemand = new Float32Array(n * hours);
  const hourlyCapacity = new Float32Array(n * hours);
  // The current hour's sums per tenant, kept contiguous (the hourly arrays are tenant-major) and rounded to
  // float32 at every step as the arrays would round them; written out when the hour ends.
  const hourDemand = new Float64Array(n);
  const hourCapacity = new Float64Array(n);
  function flushHour(h: number): void {
    for (let i = 0; i < n; i++) {
      hourlyDemand[i * hours + h] = hourDemand[i]!;
      hourlyCapacity[i * hours + h] = hourCapacity[i]!;
    }
    hourDemand.fill(0);
    hourCapacity.fill(0);
  }
  const tenantSloMinutes = new Int32Array(n);

  const at = (minute: number) => new Date(startMs + minute * MINUTE_MS);
  const schedule = (minute: number, event: SimEvent) => {
    const list = events.get(minute);
    if (list) list.push(event);
    else events.set(minute, [event]);
  };

  function applyTenant(i: number, minute: number): void {
    const tenant = tenants[i]!;
    const now = at(minute);
    const next = compileTenant(platform, { name: tenant.metadata.name, file: `tenants/${tenant.metadata.name}.yaml`, tenant, generation: '' }, context, now);
    const before = desired[i];
    const observed = convergedObserved({ environment: context.environment, tenants: before ? [before] : [] });
    const planned = planOf({ environment: context.environment, tenants: [next] }, observed, { maxDeletionPercent: 100 });
    const actions = planned.tenants.flatMap((t) => t.actions);
    if (before) totals.planActions += actions.length;
    if (before && actions.some((action) => action.downtime)) {
      totals.restarts += 1;
      restartAt[i] = minute;
    }
    desired[i] = next;
    let workers = 0;
    let c = 0;
    let m = 0;
    for (const resource of next.resources) {
      if (resource.kind !== 'container') continue;
      if (resource.role === 'worker') workers += 1;
      c += resource.cpu;
      m += resource.memoryMb;
    }
    const served = servedBy(tenant.spec, now, undefined);
    dedicated[i] = served === 'dedicated' && workers > 0 ? 1 : 0;
    const planDef = platform.spec.plans[tenant.spec.plan]!;
    // A shared tenant runs in the shared n8n, up to its plan's concurrent executions.
    servers[i] = dedicated[i] ? workers * EXECUTIONS_PER_WORKER : Math.max(1, planDef.concurrentExecutions);
    cores[i] = c;
    memoryMb[i] = m;
    if (tenant.spec.mode === 'dedicated' && served === 'shared' && tenant.spec.promotion) {
      const window = Math.ceil((Date.parse(tenant.spec.promotion.window) - startMs) / MINUTE_MS);
      if (window > minute) schedule(window, { kind: 'switch', tenant: i });
    }
  }

  function merge(pr: Pr, minute: number): void {
    const map = open[pr.bot];
    if (map.get(pr.tenant) !== pr) return; // closed or replaced meanwhile
    map.delete(pr.tenant);
    totals.prsMerged += 1;
    const tenant = tenants[pr.tenant]!;
    const spec = structuredClone(tenant.spec) as unknown as Record<string, unknown>;
    const planDef = platform.spec.plans[tenant.spec.plan]!;
    const res = (tenant.spec.resources ?? {}) as Record<string, number | undefined>;
    for (const edit of pr.edits) {
      const field = edit.path[2];
      if (edit.path[1] === 'resources' && field && RESOURCE_FIELDS.has(field)) {
        const from = res[field] ?? (planDef as unknown as Record<string, number>)[field]!;
        changes[pr.tenant]!.push({ at: startMs + minute * MINUTE_MS, resource: field as ResourceChangeRecord['resource'], from, to: edit.value as number });
        lastResourceChange[pr.tenant] = startMs + minute * MINUTE_MS;
      }
      if (edit.path[1] === 'mode' && edit.value === 'dedicated') totals.promotions += 1;
      setPath(spec, edit.path.slice(1), edit.value);
    }
    tenants[pr.tenant] = { ...tenant, spec: spec as unknown as Tenant['spec'] };
    schedule(minute + options.applyDelayMinutes, { kind: 'apply', tenant: pr.tenant });
  }

  function propose(bot: Pr['bot'], i: number, edits: FieldEdit[], autoMerge: boolean, minute: number, beyondCeiling = false): void {
    const map = open[bot];
    const existing = map.get(i);
    if (existing && sameEdits(existing.edits, edits)) return;
    if (!existing) {
      totals.prsOpened += 1;
      if (!autoMerge) totals.reviewPrs += 1;
    }
    const mergeAt = minute + (autoMerge ? options.mergeDelayMinutes : options.reviewDelayMinutes);
    const pr: Pr = { bot, tenant: i, edits, mergeAt, beyondCeiling };
    map.set(i, pr);
    if (Number.isFinite(mergeAt)) schedule(Math.max(minute + 1, Math.ceil(mergeAt)), { kind: 'merge', pr });
  }

  function closeUnwanted(bot: Pr['bot'], wanted: Set<string> | undefined, keepBeyondCeiling?: Set<string>): void {
    if (!wanted) return;
    for (const [i, pr] of open[bot]) {
      if (wanted.has(tenants[i]!.metadata.name)) continue;
      if (pr.beyondCeiling && keepBeyondCeiling?.has(tenants[i]!.metadata.name)) continue;
      open[bot].delete(i);
      void pr;
      totals.prsClosed += 1;
    }
  }

  // Window figures computed from the rings, for the tenants a bot asks about.
  const indexByName = new Map(source.tenants.map((meta, i) => [meta.name, i]));
  const pick = new Int32Array(ring);
  /** The first LOW_STEP_MINUTES of `pick`, one view for every block (no view allocated per tenant and block). */
  const blockPick = pick.subarray(0, LOW_STEP_MINUTES);
  function windowFigures(i: number, minute: number, windowMinutes: number): WindowFigures {
    const count = Math.min(windowMinutes, minute, ring);
    const figures: WindowFigures = { queueWaitP95Seconds: undefined, cpuPercent: undefined, memoryPercent: undefined, executionsPerMinute: undefined, executionsMonth: undefined, concurrentExecutions: undefined };
    if (count <= 0) return figures;
    let cpu = 0;
    let mem = 0;
    let measured = 0;
    let epm = 0;
    let busy = 0;
    for (let k = 0; k < count; k++) {
      const slot = i * ring + ((minute - 1 - k) % ring);
      pick[k] = slot;
      // CPU and memory exist only for minutes the tenant ran dedicated (NaN before: no series).
      if (!Number.isNaN(cpuRing[slot]!)) {
        cpu += cpuRing[slot]!;
        mem += memRing[slot]!;
        measured += 1;
      }
      epm += epmRing[slot]!;
      if (busyRing[slot]! > busy) busy = busyRing[slot]!;
    }
    figures.queueWaitP95Seconds = mixtureP95Columns(shapes, pick.subarray(0, count));
    figures.executionsPerMinute = epm / count;
    figures.executionsMonth = monthExecutions[i]!;
    figures.concurrentExecutions = busy;
    if (dedicated[i] && measured > 0) {
      figures.cpuPercent = cpu / measured;
      figures.memoryPercent = mem / measured;
    }
    return figures;
  }

  function isLowBlock(i: number, b: number, thresholds: LowThresholds): boolean {
    const slot = i * blockRing + (b % blockRing);
    return (
      (thresholds.cpuPercent === undefined || blockLow.cpu[slot]! < thresholds.cpuPercent) &&
      (thresholds.memoryPercent === undefined || blockLow.mem[slot]! < thresholds.memoryPercent) &&
      (thresholds.executionsPerMinute === undefined || blockLow.epm[slot]! < thresholds.executionsPerMinute) &&
      (thresholds.queueWaitP95Seconds === undefined || blockLow.p95[slot]! < thresholds.queueWaitP95Seconds)
    );
  }

  /** Per tenant and thresholds: the closed blocks seen so far, and the first block of the trailing low run (undefined: the last block was not low). */
  const lowRuns = new Map<string, { checkedUpTo: number; start: number | undefined }>();

  /** The first block of the trailing low run over the closed blocks before `blocksDone`, as far back as the ring holds. */
  function trailingRun(i: number, thresholds: LowThresholds, blocksDone: number): number | undefined {
    const key = `${i}|${thresholds.cpuPercent}|${thresholds.memoryPercent}|${thresholds.executionsPerMinute}|${thresholds.queueWaitP95Seconds}`;
    const kept = lowRuns.get(key);
    if (kept && kept.checkedUpTo <= blocksDone && blocksDone - kept.checkedUpTo < blockRing) {
      for (let b = kept.checkedUpTo; b < blocksDone; b++) {
        if (isLowBlock(i, b, thresholds)) kept.start ??= b;
        else kept.start = undefined;
      }
      kept.checkedUpTo = blocksDone;
      return kept.start;
    }
    const floor = Math.max(0, blocksDone - blockRing + 1);
    let start: number | undefined;
    for (let b = blocksDone - 1; b >= floor && isLowBlock(i, b, thresholds); b--) start = b;
    lowRuns.set(key, { checkedUpTo: blocksDone, start });
    return start;
  }

  function metricsFor(minute: number, names: readonly string[]): BotMetrics {
    return {
      async window(window) {
        const minutes = minutesOf(window);
        const map = new Map<string, WindowFigures>();
        for (const name of names) map.set(name, windowFigures(indexByName.get(name)!, minute, minutes));
        return map;
      },
      async lowSince(name, thresholds: LowThresholds, now, lookbackSeconds) {
        const i = indexByName.get(name)!;
        const blocksDone = Math.floor(minute / LOW_STEP_MINUTES);
        const oldest = Math.max(0, blocksDone - Math.floor(lookbackSeconds / 60 / LOW_STEP_MINUTES), blocksDone - blockRing + 1);
        if (blocksDone - 1 < oldest) return undefined;
        // What Prometheus's trailing low run gives (bots/metrics/tenant-queries.ts, trailingLowRun) over
        // the closed blocks, kept per tenant and thresholds and extended by the blocks closed since the
        // last call: the same answer as a scan back from now, without the scan (168 h = 2,016 blocks).
        const run = trailingRun(i, thresholds, blocksDone);
        if (run === undefined) return undefined;
        return new Date(startMs + Math.max(run, oldest) * LOW_STEP_MINUTES * MINUTE_MS);
      },
      async ready() {
        return new Map(names.map((name) => [name, true]));
      },
    };
  }

  const history: FieldHistory = {
    async lastChangeAt(file, _field, since) {
      const i = indexByName.get(file.replace(/^tenants\//, '').replace(/\.yaml$/, ''));
      if (i === undefined) return undefined;
      const changed = lastResourceChange[i]!;
      return changed >= since.getTime() ? new Date(changed) : undefined;
    },
  };

  async function runRp9Autoscale(minute: number): Promise<void> {
    const now = at(minute);
    const running = tenants.filter((t, i) => t.spec.mode === 'dedicated' && dedicated[i]);
    const decision = await decideAutoscaleRun({ platform, tenants: running, metrics: metricsFor(minute, running.map((t) => t.metadata.name)), history, now });
    for (const proposal of decision.proposals) propose('autoscale', indexByName.get(proposal.tenant)!, proposal.edits, autoMergeDecision(proposal as Proposal, platform).autoMerge, minute, proposal.riskClass === 'beyondCeiling');
    closeUnwanted('autoscale', decision.wanted, decision.keepBeyondCeiling);
  }

  async function runRp9Promotion(minute: number): Promise<void> {
    const now = at(minute);
    const shared = tenants.filter((t) => t.spec.mode === 'shared');
    const decision = await decidePromotionRun({ platform, tenants: shared, metrics: metricsFor(minute, shared.map((t) => t.metadata.name)), window: promotionWindow, now });
    for (const proposal of decision.proposals) propose('promotion', indexByName.get(proposal.tenant)!, proposal.edits, autoMergeDecision(proposal as Proposal, platform).autoMerge, minute);
    closeUnwanted('promotion', decision.wanted);
  }

  function lastMinute(i: number, minute: number) {
    const slot = i * ring + ((minute - 1) % ring);
    return { slot, p95: p95Of(shapes.delay[slot]!, shapes.waitProbability[slot]!, shapes.rate[slot]!) };
  }

  function runNaiveAutoscale(minute: number): void {
    for (let i = 0; i < n; i++) {
      const tenant = tenants[i]!;
      if (tenant.spec.mode !== 'dedicated' || !dedicated[i] || minute < 1) continue;
      const planDef = platform.spec.plans[tenant.spec.plan]!;
      const { slot, p95 } = lastMinute(i, minute);
      const current = { cpu: tenant.spec.resources?.cpu ?? planDef.cpu, memoryMb: tenant.spec.resources?.memoryMb ?? planDef.memoryMb, workers: tenant.spec.resources?.workers ?? planDef.workers };
      const next = naiveAutoscale(current, planDef.ceiling, { queueWaitP95Seconds: p95, cpuPercent: cpuRing[slot]!, memoryPercent: memRing[slot]!, executionsPerMinute: epmRing[slot]! });
      const edits: FieldEdit[] = [];
      for (const field of ['cpu', 'memoryMb', 'workers'] as const) {
        if (next[field] !== current[field]) edits.push({ path: ['spec', 'resources', field], value: next[field], previous: current[field] });
      }
      if (edits.length > 0) propose('autoscale', i, edits, true, minute);
    }
  }

  function runNaivePromotion(minute: number): void {
    const now = at(minute);
    for (let i = 0; i < n; i++) {
      const tenant = tenants[i]!;
      if (tenant.spec.mode !== 'shared' || minute < 1) continue;
      const { slot, p95 } = lastMinute(i, minute);
      const requiresDedicated = platform.spec.plans[tenant.spec.plan]?.requiresDedicated === true;
      if (!naivePromotes({ queueWaitP95Seconds: p95, executionsMonth: monthExecutions[i]!, concurrentExecutions: busyRing[slot]! }, requiresDedicated)) continue;
      const window = formatWindow(nextMaintenanceWindow(promotionPolicy.maintenanceWindow, now));
      propose('promotion', i, [
        { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
        { path: ['spec', 'promotion'], value: { window, ttlMinutes: promotionPolicy.ttlMinutes, reason: 'spec Trigger A' }, previous: undefined },
      ], true, minute);
    }
  }

  for (let i = 0; i < n; i++) applyTenant(i, 0);
  const out = minuteOut();
  const serviceSeconds = Float64Array.from(source.tenants, (meta) => meta.serviceSeconds);
  const sloSeconds = options.sloSeconds;
  const coreMinutes = new Float64Array(n);
  const mbMinutes = new Float64Array(n);
  let month = at(0).getUTCMonth();
  let hour = 0;
  let closesBlock = false;

  async function begin(minute: number): Promise<void> {
    const due = events.get(minute);
    if (due) {
      events.delete(minute);
      for (const event of due) {
        if (event.kind === 'merge') merge(event.pr, minute);
        else applyTenant(event.tenant, minute);
      }
    }
    if (minute === source.minutes) return;
    const now = at(minute);
    if (now.getUTCMonth() !== month) {
      month = now.getUTCMonth();
      monthExecutions.fill(0);
    }
    if (minute > 0 && autoscaleDue(now)) {
      if (rp9) await runRp9Autoscale(minute);
      else runNaiveAutoscale(minute);
    }
    if (minute > 0 && promotionDue(now)) {
      if (rp9) await runRp9Promotion(minute);
      else runNaivePromotion(minute);
    }
    if (Math.floor(minute / 60) !== hour) {
      flushHour(hour);
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
    queueMinuteInto(demand.executionsPerMinute, restarting ? 0 : slots, slots, service, backlog[i]!, out);
    backlog[i] = out.backlog;
    const slot = i * ring + (minute % ring);
    shapes.delay[slot] = out.delay;
    shapes.waitProbability[slot] = out.waitProbability;
    shapes.rate[slot] = out.rate;
    shapes.weight[slot] = out.weight;
    if (isDedicated) {
      const cpuPercent = (demand.cpuCores / allocated) * 100;
      const memPercent = (demand.memoryMb / memoryMb[i]!) * 100;
      if (memPercent > 100) totals.memoryOverMinutes += 1;
      cpuRing[slot] = cpuPercent > 100 ? 100 : cpuPercent;
      memRing[slot] = memPercent > 100 ? 100 : memPercent;
      // Containers count from the moment they exist (a promoted tenant's before its window too); shared tenants have none.
      coreMinutes[i] = coreMinutes[i]! + allocated;
      mbMinutes[i] = mbMinutes[i]! + memoryMb[i]!;
    } else {
      // A shared tenant has no CPU or memory series of its own: no data, which is never "low".
      cpuRing[slot] = Number.NaN;
      memRing[slot] = Number.NaN;
      coreMinutes[i] = coreMinutes[i]! + allocated;
      mbMinutes[i] = mbMinutes[i]! + memoryMb[i]!;
    }
    epmRing[slot] = demand.executionsPerMinute;
    busyRing[slot] = out.busy;
    monthExecutions[i] = monthExecutions[i]! + demand.executionsPerMinute;
    if ((out.delay > 0 || out.waitProbability > 0.05) && p95Of(out.delay, out.waitProbability, out.rate) > sloSeconds) {
      totals.sloMinutes += 1;
      tenantSloMinutes[i] = tenantSloMinutes[i]! + 1;
    }
    hourDemand[i] = Math.fround(hourDemand[i]! + demand.executionsPerMinute / 60);
    hourCapacity[i] = Math.fround(hourCapacity[i]! + (restarting ? 0 : slots / service));
    if (closesBlock) {
      const block = Math.floor(minute / LOW_STEP_MINUTES);
      const bslot = i * blockRing + (block % blockRing);
      let cpuMax = Number.NaN;
      let memMax = Number.NaN;
      let epmMax = 0;
      for (let k = 0; k < LOW_STEP_MINUTES; k++) {
        const s = i * ring + ((minute - k) % ring);
        pick[k] = s;
        // max_over_time of the samples there are; a step without any is NaN (a gap).
        if (!(cpuRing[s]! <= cpuMax)) cpuMax = Number.isNaN(cpuRing[s]!) ? cpuMax : cpuRing[s]!;
        if (!(memRing[s]! <= memMax)) memMax = Number.isNaN(memRing[s]!) ? memMax : memRing[s]!;
        if (epmRing[s]! > epmMax) epmMax = epmRing[s]!;
      }
      blockLow.cpu[bslot] = cpuMax;
      blockLow.mem[bslot] = memMax;
      blockLow.epm[bslot] = epmMax;
      blockLow.p95[bslot] = mixtureP95Columns(shapes, blockPick);
    }
  }

  function finish(): SimulationResult {
    if (source.minutes > 0) flushHour(hour);
    totals.coreHours = sumOf(coreMinutes) / 60;
    totals.gbHours = sumOf(mbMinutes) / 1024 / 60;
    for (const list of changes) totals.flaps += countFlaps(list, stabilisationMs);
    return { totals, tenantSloMinutes, hours, hourlyDemand, hourlyCapacity, changes, coreMinutes, mbMinutes };
  }

  return { begin, step, finish };
}

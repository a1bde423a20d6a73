// Seeded synthetic traces: N tenants over D days at one-minute resolution.
// Each tenant's demand is a product of shapes drawn once from the seed:
// a base rate, a daily cycle (peak hour and depth), a weekly cycle (weekend
// share), steady growth, a step change, bursts, and ±15 % noise per minute;
// quiet tenants keep a tiny base and none of the rest. Pure and stateless per
// minute, so 1,000 × 30 days needs no memory for the trace itself.
import { hashUnit, lcg, lognormal } from './random.js';
import { EXECUTIONS_PER_WORKER, MINUTE_MS, recordedCores, type Demand, type DemandSource, type RecordedAllocation, type TenantMeta, type TenantMode } from './trace.js';

export interface GeneratePlan extends RecordedAllocation {
  name: string;
  /** The plan's concurrent executions: a shared tenant's slots on the shared n8n. */
  concurrentExecutions: number;
}

export interface GenerateOptions {
  tenants: number;
  days: number;
  seed: number;
  /** The plans tenants are spread over, with the allocation they start on. */
  plans: GeneratePlan[];
  /** Minute 0 (UTC, whole minute); default 2026-11-02T00:00:00Z, a Monday. */
  start?: Date;
}

export type TenantShape = 'quiet' | 'steady' | 'diurnal' | 'bursty' | 'growing' | 'step';

/** What a generated tenant's demand is made of (kept for the shape tests and the report). */
export interface TenantProfile {
  shape: TenantShape;
  /** Executions per minute before the cycles. */
  base: number;
  /** Depth of the daily cycle, 0–0.9: the rate swings between base·(1−d) and base·(1+d). */
  dailyDepth: number;
  peakHourUtc: number;
  /** Rate on Saturday and Sunday, as a share of the weekday rate. */
  weekendShare: number;
  /** Growth per day (0.02 = 2 %/day). */
  growthPerDay: number;
  step?: { minute: number; factor: number };
  bursts: { start: number; end: number; factor: number }[];
  /** Cores one running execution uses. */
  coresPerExecution: number;
  /** MB per container at rest, MB per running execution. */
  baseMemoryMb: number;
  memoryPerExecutionMb: number;
}

export interface GeneratedSource extends DemandSource {
  profiles: TenantProfile[];
}

export const DEFAULT_START = new Date('2026-11-02T00:00:00Z');

const SHAPES: { shape: TenantShape; share: number }[] = [
  { shape: 'quiet', share: 0.15 },
  { shape: 'steady', share: 0.15 },
  { shape: 'diurnal', share: 0.3 },
  { shape: 'bursty', share: 0.2 },
  { shape: 'growing', share: 0.1 },
  { shape: 'step', share: 0.1 },
];

function pick<T extends { share: number }>(items: T[], u: number): T {
  let sum = 0;
  for (const item of items) {
    sum += item.share;
    if (u < sum) return item;
  }
  return items[items.length - 1]!;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Plans by share: the first 30 %, the second 55 %, the third 15 % (more plans share the rest evenly). */
function planShares(plans: GeneratePlan[]): { plan: GeneratePlan; share: number }[] {
  const fixed = [0.3, 0.55, 0.15];
  if (plans.length <= 3) {
    const shares = fixed.slice(0, plans.length);
    const total = shares.reduce((a, b) => a + b, 0);
    return plans.map((plan, i) => ({ plan, share: shares[i]! / total }));
  }
  return plans.map((plan) => ({ plan, share: 1 / plans.length }));
}

function profileOf(next: () => number, minutes: number, serviceSeconds: number, slots: number): TenantProfile {
  const shape = pick(SHAPES, next()).shape;
  const quiet = shape === 'quiet';
  // Sized against the slots it starts with: the base rate uses 2–60 % of them (median 12 %).
  const slotsPerMinute = (slots * 60) / serviceSeconds;
  const base = quiet ? 0.02 + next() * 0.3 : clamp(lognormal(next, 0.12, 0.7), 0.02, 0.6) * slotsPerMinute;
  const profile: TenantProfile = {
    shape,
    base,
    dailyDepth: quiet || shape === 'steady' ? 0.05 * next() : 0.3 + 0.6 * next(),
    peakHourUtc: Math.floor(next() * 24),
    weekendShare: quiet || shape === 'steady' ? 1 : 0.2 + 0.8 * next(),
    growthPerDay: shape === 'growing' ? 0.01 + 0.04 * next() : 0,
    bursts: [],
    coresPerExecution: 0.05 + 0.3 * next(),
    baseMemoryMb: 180 + 200 * next(),
    memoryPerExecutionMb: 10 + 60 * next(),
  };
  if (shape === 'step') profile.step = { minute: Math.floor((0.2 + 0.6 * next()) * minutes), factor: next() < 0.7 ? 2 + 3 * next() : 0.2 + 0.3 * next() };
  if (shape === 'bursty' || (!quiet && next() < 0.3)) {
    const perDay = shape === 'bursty' ? 0.5 + 2.5 * next() : 0.2 * next();
    const count = Math.round((perDay * minutes) / 1440);
    for (let i = 0; i < count; i++) {
      const start = Math.floor(next() * minutes);
      const length = 5 + Math.floor(next() * 115);
      profile.bursts.push({ start, end: Math.min(minutes, start + length), factor: 2 + 6 * next() });
    }
    profile.bursts.sort((a, b) => a.start - b.start);
  }
  return profile;
}

/** The demand multiplier of the bursts covering `minute` (1 without one). */
function burstFactor(bursts: TenantProfile['bursts'], minute: number): number {
  let factor = 1;
  for (const burst of bursts) {
    if (burst.start > minute) break;
    if (minute < burst.end) factor = Math.max(factor, burst.factor);
  }
  return factor;
}

/** Executions per minute of a profile at `minute` (before noise). */
export function rateAt(profile: TenantProfile, startMs: number, minute: number): number {
  const at = startMs + minute * MINUTE_MS;
  const hour = (at / 3_600_000) % 24;
  const daily = 1 + profile.dailyDepth * Math.cos((2 * Math.PI * (hour - profile.peakHourUtc)) / 24);
  return rateWith(profile, at, minute, daily, burstFactor(profile.bursts, minute));
}

/** rateAt with the daily cycle's factor and the bursts' given (the fleet's demand computes them faster). */
function rateWith(profile: TenantProfile, at: number, minute: number, daily: number, bursts: number): number {
  // 1970-01-01 was a Thursday (4).
  const day = (Math.floor(at / 86_400_000) + 4) % 7;
  const weekly = day === 0 || day === 6 ? profile.weekendShare : 1;
  const growth = profile.growthPerDay > 0 ? Math.exp((Math.log1p(profile.growthPerDay) * minute) / 1440) : 1;
  const step = profile.step && minute >= profile.step.minute ? profile.step.factor : 1;
  return profile.base * daily * weekly * growth * step * bursts;
}

/**
 * burstFactor from the first burst that can still cover `minute`: bursts are sorted by start and none is
 * longer than `longest` minutes, so those starting `longest` minutes or more before it are over.
 */
function burstFactorNear(bursts: TenantProfile['bursts'], minute: number, longest: number): number {
  let low = 0;
  let high = bursts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (bursts[mid]!.start <= minute - longest) low = mid + 1;
    else high = mid;
  }
  let factor = 1;
  for (let k = low; k < bursts.length; k++) {
    const burst = bursts[k]!;
    if (burst.start > minute) break;
    if (minute < burst.end) factor = Math.max(factor, burst.factor);
  }
  return factor;
}

/**
 * The daily cycle's cosine for every whole peak hour at one minute (the same for all tenants): computed
 * once per minute instead of once per tenant, with the expression rateAt uses, so the same numbers.
 */
function dailyCosines(): (at: number, peakHourUtc: number) => number {
  const cosines = new Float64Array(24);
  let cachedAt = Number.NaN;
  return (at, peakHourUtc) => {
    const hour = (at / 3_600_000) % 24;
    if (!(Number.isInteger(peakHourUtc) && peakHourUtc >= 0 && peakHourUtc < 24)) return Math.cos((2 * Math.PI * (hour - peakHourUtc)) / 24);
    if (at !== cachedAt) {
      for (let p = 0; p < 24; p++) cosines[p] = Math.cos((2 * Math.PI * (hour - p)) / 24);
      cachedAt = at;
    }
    return cosines[peakHourUtc]!;
  };
}

export function generateTraces(options: GenerateOptions): GeneratedSource {
  const { seed, days } = options;
  if (!(Number.isInteger(options.tenants) && options.tenants >= 1)) throw new RangeError(`--generate must be a whole number of tenants ≥ 1 (got ${options.tenants})`);
  if (!(days > 0)) throw new RangeError(`--days must be > 0 (got ${days})`);
  if (options.plans.length === 0) throw new RangeError('no plans to spread tenants over');
  const start = options.start ?? DEFAULT_START;
  const startMs = start.getTime();
  const minutes = Math.round(days * 1440);
  const next = lcg(seed);
  const shares = planShares(options.plans);
  const tenants: TenantMeta[] = [];
  const profiles: TenantProfile[] = [];
  const width = String(options.tenants - 1).length;
  for (let i = 0; i < options.tenants; i++) {
    const { plan } = pick(shares, next());
    // The last plan (enterprise in the example) runs dedicated; the others are shared one time in four.
    const mode: TenantMode = plan === options.plans[options.plans.length - 1] && options.plans.length > 1 ? 'dedicated' : next() < 0.25 ? 'shared' : 'dedicated';
    const serviceSeconds = clamp(lognormal(next, 6, 0.8), 0.5, 120);
    const recorded = { cpu: plan.cpu, memoryMb: plan.memoryMb, workers: plan.workers };
    tenants.push({ name: `t${String(i).padStart(width, '0')}`, plan: plan.name, mode, serviceSeconds, recorded });
    const slots = mode === 'dedicated' ? recorded.workers * EXECUTIONS_PER_WORKER : Math.max(1, plan.concurrentExecutions);
    profiles.push(profileOf(next, minutes, serviceSeconds, slots));
  }
  const longest = Int32Array.from(profiles, (profile) => profile.bursts.reduce((most, burst) => Math.max(most, burst.end - burst.start), 0));
  const cosine = dailyCosines();
  return {
    start,
    minutes,
    tenants,
    profiles,
    demand(index, minute, out) {
      const profile = profiles[index]!;
      const meta = tenants[index]!;
      const noise = 0.85 + 0.3 * hashUnit(seed, index, minute);
      const at = startMs + minute * MINUTE_MS;
      const daily = 1 + profile.dailyDepth * cosine(at, profile.peakHourUtc);
      const rate = rateWith(profile, at, minute, daily, burstFactorNear(profile.bursts, minute, longest[index]!)) * noise;
      const running = (rate / 60) * meta.serviceSeconds;
      const containers = 1 + meta.recorded.workers;
      out.executionsPerMinute = rate;
      out.cpuCores = 0.02 * containers + running * profile.coresPerExecution;
      out.memoryMb = profile.baseMemoryMb * containers + running * profile.memoryPerExecutionMb;
    },
    shard(indices) {
      return { kind: 'generate', options: { ...options, start }, indices: [...indices] };
    },
  };
}

/** The recorded cpu % of a demand (what a trace row says). */
export function cpuPercentOf(demand: Demand, recorded: RecordedAllocation): number {
  return (demand.cpuCores / recordedCores(recorded)) * 100;
}

// GET /analytics/growth: tenants by plan and mode over time. The config's git
// history is the record of who was a tenant when: at each sample time (every
// day of the period, every hour below two days) the config is the newest
// commit dated at or before it, and a point counts its tenants by plan and
// mode, the suspended ones, and the cores and memory the dedicated ones
// allocate. Growth rates are least-squares slopes over the points, per 30
// days. Pure: the commits and each commit's tenants come from the edge.
import { linearFit } from './trend.js';

export type Mode = 'shared' | 'dedicated';

export interface TenantFacts {
  plan: string;
  mode: Mode;
  suspended: boolean;
  /** Allocated on the Docker host (allocation.ts). */
  cores: number;
  memoryMb: number;
}

export interface DatedCommit {
  commit: string;
  date: Date;
}

export interface GrowthPoint {
  at: string;
  /** The commit in force at `at`; null before the first commit or beyond the history read (no figures). */
  commit: string | null;
  tenants: number | null;
  by_mode: Record<Mode, number> | null;
  /** Per plan: tenants in each mode. */
  by_plan: Record<string, Record<Mode, number>> | null;
  suspended: number | null;
  allocated: { cores: number; memory_mb: number } | null;
}

export interface GrowthRates {
  /** Least-squares slope over the points with figures, per 30 days; null with fewer than two. */
  tenants_per_30d: number | null;
  shared_per_30d: number | null;
  dedicated_per_30d: number | null;
  cores_per_30d: number | null;
  memory_mb_per_30d: number | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `<n>h`, `<n>d` or `<n>w` in milliseconds. */
export function periodMs(period: string): number {
  const match = /^(\d+)(h|d|w)$/.exec(period);
  if (!match) throw new RangeError(`period ${JSON.stringify(period)} is not <n>h, <n>d or <n>w`);
  const n = Number(match[1]);
  return n * (match[2] === 'h' ? HOUR_MS : match[2] === 'd' ? DAY_MS : 7 * DAY_MS);
}

/** A day between points, an hour for periods under two days. */
export function stepMs(period: string): number {
  return periodMs(period) < 2 * DAY_MS ? HOUR_MS : DAY_MS;
}

/** now − period, then every step, ending exactly at now. */
export function sampleTimes(now: Date, period: string): Date[] {
  const span = periodMs(period);
  const step = stepMs(period);
  const start = now.getTime() - span;
  const times: Date[] = [];
  for (let t = start; t < now.getTime(); t += step) times.push(new Date(t));
  times.push(now);
  return times;
}

/**
 * The commit in force at each time: the newest commit dated at or before it
 * (`commits` newest first). A time older than every commit read — before the
 * repository's first commit, or beyond the history read — has none.
 */
export function commitsAt(commits: readonly DatedCommit[], times: readonly Date[]): (string | undefined)[] {
  return times.map((time) => commits.find((c) => c.date.getTime() <= time.getTime())?.commit);
}

export function growthPoint(at: Date, commit: string | undefined, tenants: readonly TenantFacts[] | undefined): GrowthPoint {
  if (commit === undefined || tenants === undefined) return { at: at.toISOString(), commit: null, tenants: null, by_mode: null, by_plan: null, suspended: null, allocated: null };
  const byMode: Record<Mode, number> = { shared: 0, dedicated: 0 };
  const byPlan: Record<string, Record<Mode, number>> = {};
  let suspended = 0;
  let cores = 0;
  let memoryMb = 0;
  for (const t of tenants) {
    byMode[t.mode] += 1;
    const plan = (byPlan[t.plan] ??= { shared: 0, dedicated: 0 });
    plan[t.mode] += 1;
    if (t.suspended) suspended += 1;
    cores += t.cores;
    memoryMb += t.memoryMb;
  }
  const sortedPlans = Object.fromEntries(Object.keys(byPlan).sort().map((p) => [p, byPlan[p] as Record<Mode, number>]));
  return { at: at.toISOString(), commit, tenants: tenants.length, by_mode: byMode, by_plan: sortedPlans, suspended, allocated: { cores, memory_mb: memoryMb } };
}

function per30Days(points: readonly GrowthPoint[], value: (p: GrowthPoint) => number | null): number | null {
  const xy = points.flatMap((p) => {
    const y = value(p);
    return y === null ? [] : [{ x: Date.parse(p.at) / DAY_MS, y }];
  });
  const fit = linearFit(xy);
  return fit ? fit.slope * 30 : null;
}

export function growthRates(points: readonly GrowthPoint[]): GrowthRates {
  return {
    tenants_per_30d: per30Days(points, (p) => p.tenants),
    shared_per_30d: per30Days(points, (p) => p.by_mode?.shared ?? null),
    dedicated_per_30d: per30Days(points, (p) => p.by_mode?.dedicated ?? null),
    cores_per_30d: per30Days(points, (p) => p.allocated?.cores ?? null),
    memory_mb_per_30d: per30Days(points, (p) => p.allocated?.memory_mb ?? null),
  };
}

// The simulator's queueing model: what a tenant's queue wait would be for a
// given demand and capacity. Pure. See docs/simulate.md#queueing-model.
//
// Steady state is M/M/c: Poisson arrivals at rate λ, c identical servers
// (c = workers × executions per worker), exponential service with mean S.
// An arrival waits with probability C(c, a) (Erlang C, a = λS offered load in
// Erlangs), and then P(W > t) = C·exp(−(c/S − λ)·t). Overload (λ ≥ c/S) has no
// steady state: the excess piles up as a fluid backlog B that drains at c/S − λ
// once demand falls, and every arrival first waits B/(c/S) for the backlog ahead.

/** Erlang C: the probability that an arrival waits, for c servers and offered load a (Erlangs). 1 when a ≥ c. */
export function erlangC(c: number, a: number): number {
  if (!(a > 0) || c < 1) return a > 0 ? 1 : 0;
  if (a >= c) return 1;
  // Erlang B by its stable recurrence, then C = B / (1 − ρ(1 − B)).
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/**
 * A minute's wait distribution: P(W > t) = 1 for t < delay, then
 * waitProbability·exp(−rate·(t − delay)). `weight` is the minute's arrivals (executions).
 */
export interface WaitShape {
  delay: number;
  waitProbability: number;
  /** Per second. */
  rate: number;
  weight: number;
}

/** The share of arrivals that wait longer than p95 must be 5 %. */
const TAIL = 0.05;
/** In overload or while a backlog drains, the M/M/c part is taken at this utilisation at most. */
export const SATURATED_RHO = 0.95;

/** The 95th percentile of one minute's wait, seconds. */
export function waitP95(shape: WaitShape): number {
  return p95Of(shape.delay, shape.waitProbability, shape.rate);
}

export function p95Of(delay: number, waitProbability: number, rate: number): number {
  if (waitProbability <= TAIL) return delay;
  return delay + Math.log(waitProbability / TAIL) / rate;
}

/**
 * Below this offered load (Erlangs) c servers make an arrival wait with
 * probability under 10⁻⁴, which the simulator takes as 0 (it skips Erlang C
 * for most minutes of most tenants). Computed once per c.
 */
const NEGLIGIBLE_WAIT = 1e-4;
const lightLoad: number[] = [];

export function lightLoadBelow(c: number): number {
  const known = lightLoad[c];
  if (known !== undefined) return known;
  let low = 0;
  let high = c;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (erlangC(c, mid) < NEGLIGIBLE_WAIT) low = mid;
    else high = mid;
  }
  lightLoad[c] = low;
  return low;
}

/** Minutes' wait shapes as columns (the simulator keeps them in rings). */
export interface ShapeColumns {
  delay: Float64Array;
  waitProbability: Float64Array;
  rate: Float64Array;
  weight: Float64Array;
}

function tail(columns: ShapeColumns, i: number, t: number): number {
  const delay = columns.delay[i]!;
  if (t < delay) return 1;
  return columns.waitProbability[i]! * Math.exp(-columns.rate[i]! * (t - delay));
}

/**
 * The p95 of all waits in several minutes (what the histogram over a window
 * reads): the t where the arrival-weighted share of waits above t is 5 %.
 * 0 for a window without arrivals, as the controller's gauge reads for an idle tenant.
 * The first `count` of `indices` pick the minutes of `columns`.
 */
export function mixtureP95Columns(columns: ShapeColumns, indices: ArrayLike<number>, count: number = indices.length): number {
  let total = 0;
  let high = 0;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    const weight = columns.weight[i]!;
    if (weight <= 0) continue;
    total += weight;
    const p = p95Of(columns.delay[i]!, columns.waitProbability[i]!, columns.rate[i]!);
    if (p > high) high = p;
  }
  // Every minute's own p95 is 0: no minute has more than 5 % of its arrivals waiting at all.
  if (total <= 0 || high <= 0) return 0;
  const share = (t: number) => {
    let above = 0;
    for (let k = 0; k < count; k++) {
      const i = indices[k]!;
      const weight = columns.weight[i]!;
      if (weight > 0) above += weight * tail(columns, i, t);
    }
    return above / total;
  };
  if (share(0) <= TAIL) return 0;
  // share() falls from > 5 % at 0 to ≤ 5 % at the largest single p95: bisect to a millisecond.
  let low = 0;
  for (let i = 0; i < 50 && high - low > 1e-3; i++) {
    const mid = (low + high) / 2;
    if (share(mid) > TAIL) low = mid;
    else high = mid;
  }
  return high;
}

export function mixtureP95(shapes: readonly WaitShape[]): number {
  const columns: ShapeColumns = {
    delay: Float64Array.from(shapes, (s) => s.delay),
    waitProbability: Float64Array.from(shapes, (s) => s.waitProbability),
    rate: Float64Array.from(shapes, (s) => s.rate),
    weight: Float64Array.from(shapes, (s) => s.weight),
  };
  return mixtureP95Columns(columns, shapes.map((_, i) => i));
}

export interface QueueMinuteInput {
  /** Arrivals per minute. */
  executionsPerMinute: number;
  /** Servers: workers × executions per worker; 0 while the workers restart. */
  servers: number;
  /** Mean service time, seconds (already slowed by CPU throttling). */
  serviceSeconds: number;
  /** Executions waiting beyond steady state at the start of the minute. */
  backlog: number;
  /** Servers once a restart is over (the backlog drains at their rate); defaults to `servers`. */
  serversAfter?: number;
}

export interface QueueMinute {
  shape: WaitShape;
  /** Backlog at the end of the minute. */
  backlog: number;
  /** Busy servers on average (for the concurrency gauge). */
  busy: number;
}

/** One minute of one tenant's queue. */
export function queueMinute(input: QueueMinuteInput): QueueMinute {
  const out = minuteOut();
  queueMinuteInto(input.executionsPerMinute, input.servers, input.serversAfter ?? input.servers, input.serviceSeconds, input.backlog, out);
  return { shape: { delay: out.delay, waitProbability: out.waitProbability, rate: out.rate, weight: out.weight }, backlog: out.backlog, busy: out.busy };
}

/** queueMinute's result as one reusable object (the simulator's hot loop allocates nothing). */
export interface MinuteOut {
  delay: number;
  waitProbability: number;
  rate: number;
  weight: number;
  backlog: number;
  busy: number;
}

export function minuteOut(): MinuteOut {
  return { delay: 0, waitProbability: 0, rate: 0, weight: 0, backlog: 0, busy: 0 };
}

export function queueMinuteInto(executionsPerMinute: number, servers: number, serversAfter: number, serviceSeconds: number, backlogBefore: number, out: MinuteOut): void {
  const lambda = executionsPerMinute / 60;
  out.weight = executionsPerMinute;
  if (servers < 1) {
    // Nothing is served: every arrival waits at least for the restart, then for the pile-up ahead of it.
    const after = Math.max(1, serversAfter) / serviceSeconds;
    out.backlog = backlogBefore + lambda * 60;
    out.delay = out.backlog / after;
    out.waitProbability = 1;
    out.rate = after;
    out.busy = 0;
    return;
  }
  const capacity = servers / serviceSeconds;
  const end = Math.max(0, backlogBefore + (lambda - capacity) * 60);
  if (backlogBefore <= 0 && end <= 0) {
    const a = lambda * serviceSeconds;
    out.delay = 0;
    out.waitProbability = a < lightLoadBelow(servers) ? 0 : erlangC(servers, a);
    out.rate = capacity - lambda;
    out.backlog = 0;
    out.busy = a;
    return;
  }
  const lambdaSteady = Math.min(lambda, SATURATED_RHO * capacity);
  out.waitProbability = erlangC(servers, lambdaSteady * serviceSeconds);
  out.delay = (backlogBefore + end) / 2 / capacity;
  out.rate = capacity - lambdaSteady;
  out.backlog = end;
  out.busy = servers;
}

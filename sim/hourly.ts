// Hourly means per tenant (executions/min demanded and capacity), for the
// chart. The current hour's sums are kept contiguous per tenant (the hourly
// arrays are tenant-major) and rounded to float32 at every add, as the arrays
// would round them; flushHour writes them out when the hour ends.

export interface HourlySums {
  n: number;
  hours: number;
  /** Index tenant × hours + hour. */
  demand: Float32Array;
  capacity: Float32Array;
  hourDemand: Float64Array;
  hourCapacity: Float64Array;
}

export function createHourlySums(n: number, minutes: number): HourlySums {
  const hours = Math.ceil(minutes / 60);
  return { n, hours, demand: new Float32Array(n * hours), capacity: new Float32Array(n * hours), hourDemand: new Float64Array(n), hourCapacity: new Float64Array(n) };
}

/** Adds one minute of tenant `i`: executions/min demanded and served capacity (executions/min), each over 60. */
export function addMinute(sums: HourlySums, i: number, executionsPerMinute: number, capacityPerSecond: number): void {
  sums.hourDemand[i] = Math.fround(sums.hourDemand[i]! + executionsPerMinute / 60);
  sums.hourCapacity[i] = Math.fround(sums.hourCapacity[i]! + capacityPerSecond);
}

export function flushHour(sums: HourlySums, hour: number): void {
  const { n, hours, demand, capacity, hourDemand, hourCapacity } = sums;
  for (let i = 0; i < n; i++) {
    demand[i * hours + hour] = hourDemand[i]!;
    capacity[i * hours + hour] = hourCapacity[i]!;
  }
  hourDemand.fill(0);
  hourCapacity.fill(0);
}

// The upgrade watch's error-rate verdict: blue's execution error rate since
// the swap against green's before the copy (the baseline). A rise of more
// than `maxRise` (a share: 0.1 is ten percentage points) rolls the upgrade
// back; too few finished executions on blue to judge is `unmeasured`, never a
// rollback. Green with too few executions counts as a baseline of 0. Pure.

/** Finished executions in a window: those that succeeded and those that ended in error or crashed. */
export interface ExecutionCounts {
  success: number;
  failed: number;
}

export interface ErrorRatePolicy {
  /** policies.upgrades.errorRateRise: the largest rise of the error rate (a share, 0–1) the watch accepts. */
  maxRise: number;
  /** policies.upgrades.errorRateMinExecutions: finished executions needed to compute a rate. */
  minExecutions: number;
}

export interface ErrorRateVerdict {
  verdict: 'steady' | 'rose' | 'unmeasured';
  /** Green's rate before the copy (null: too few executions, taken as 0). */
  greenRate: number | null;
  /** Blue's rate since the swap (null: too few executions). */
  blueRate: number | null;
  green: ExecutionCounts | null;
  blue: ExecutionCounts;
  maxRise: number;
  reason: string;
}

function rateOf(counts: ExecutionCounts | null | undefined, min: number): number | null {
  if (!counts) return null;
  const finished = counts.success + counts.failed;
  return finished >= Math.max(1, min) ? counts.failed / finished : null;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

export function errorRateVerdict(green: ExecutionCounts | null | undefined, blue: ExecutionCounts, policy: ErrorRatePolicy): ErrorRateVerdict {
  const greenRate = rateOf(green, policy.minExecutions);
  const blueRate = rateOf(blue, policy.minExecutions);
  const base = { greenRate, blueRate, green: green ?? null, blue, maxRise: policy.maxRise };
  const finished = blue.success + blue.failed;
  if (blueRate === null) return { ...base, verdict: 'unmeasured', reason: `blue finished ${finished} executions since the swap, fewer than the ${policy.minExecutions} needed to compute an error rate` };
  const baseline = greenRate ?? 0;
  const against = greenRate === null ? `green's 0 % (green had too few executions to measure)` : `green's ${percent(greenRate)} before the copy`;
  const rise = blueRate - baseline;
  if (rise > policy.maxRise) return { ...base, verdict: 'rose', reason: `blue's error rate ${percent(blueRate)} (${blue.failed} of ${finished} failed) is more than ${percent(policy.maxRise)} above ${against}` };
  return { ...base, verdict: 'steady', reason: `blue's error rate ${percent(blueRate)} (${blue.failed} of ${finished} failed) is within ${percent(policy.maxRise)} of ${against}` };
}

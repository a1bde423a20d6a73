// The product spec's autoscale and promotion rules, as written there
// ("Auto-scaling Inteligente", "Triggers de Promoción"): plain thresholds on
// the figures of the moment, every 15 minutes (promotion every 4 hours), with
// no tolerance band, no cooldown, no stabilisation and no window. Pure. The
// thresholds are the spec's constants, not platform.yaml's, so tuning rp9's
// bots never moves the baseline they are compared with.

export interface NaiveFigures {
  queueWaitP95Seconds: number;
  cpuPercent: number;
  memoryPercent: number;
  executionsPerMinute: number;
}

export interface NaiveResources {
  cpu: number;
  memoryMb: number;
  workers: number;
}

export const NAIVE_SPEC = {
  autoscaleEveryMinutes: 15,
  promotionEveryMinutes: 240,
  up: { queueWaitP95Seconds: 5, cpuPercent: 80, memoryPercent: 85, executionsPerMinute: 10 },
  down: { cpuPercent: 20, memoryPercent: 30, queueWaitP95Seconds: 1, executionsPerMinute: 2 },
  memoryStepPercent: 50,
  promotion: { queueWaitP95Seconds: 5, cpuPercent: 80, executionsMonth: 5000, concurrentExecutions: 5 },
} as const;

/**
 * The resources after one naive run. Up: +1 worker for p95 > 5 s and another
 * for executions/min > 10, +1 core for CPU > 80 %, +50 % memory for memory > 85 %.
 * Down: −1 core when CPU < 20 % and memory < 30 %, −1 worker when p95 < 1 s and
 * executions/min < 2, never below 1; memory is never reduced (the spec has no rule).
 * Capped at the plan's ceiling, which the spec's plans table implies.
 */
export function naiveAutoscale(current: NaiveResources, ceiling: NaiveResources, figures: NaiveFigures): NaiveResources {
  const { up, down } = NAIVE_SPEC;
  const next = { ...current };
  if (figures.queueWaitP95Seconds > up.queueWaitP95Seconds) next.workers += 1;
  if (figures.executionsPerMinute > up.executionsPerMinute) next.workers += 1;
  if (figures.cpuPercent > up.cpuPercent) next.cpu += 1;
  if (figures.memoryPercent > up.memoryPercent) next.memoryMb = Math.ceil((current.memoryMb * (100 + NAIVE_SPEC.memoryStepPercent)) / 100);
  if (figures.cpuPercent < down.cpuPercent && figures.memoryPercent < down.memoryPercent) next.cpu = Math.max(1, next.cpu - 1);
  if (figures.queueWaitP95Seconds < down.queueWaitP95Seconds && figures.executionsPerMinute < down.executionsPerMinute) next.workers = Math.max(1, next.workers - 1);
  next.cpu = Math.min(next.cpu, Math.max(current.cpu, ceiling.cpu));
  next.workers = Math.min(next.workers, Math.max(current.workers, ceiling.workers));
  next.memoryMb = Math.min(next.memoryMb, Math.max(current.memoryMb, ceiling.memoryMb));
  return next;
}

export interface NaivePromotionFigures {
  queueWaitP95Seconds: number;
  executionsMonth: number;
  concurrentExecutions: number;
}

/** Trigger A of the spec, any one signal (a shared tenant has no CPU figure of its own), or a plan that requires dedicated. */
export function naivePromotes(figures: NaivePromotionFigures, requiresDedicated: boolean): boolean {
  const t = NAIVE_SPEC.promotion;
  return requiresDedicated || figures.queueWaitP95Seconds > t.queueWaitP95Seconds || figures.executionsMonth > t.executionsMonth || figures.concurrentExecutions > t.concurrentExecutions;
}

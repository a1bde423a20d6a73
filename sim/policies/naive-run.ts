// The spec's naive rules in the simulator (sim/policies/naive.ts) on the
// figures of the last minute: every change merges by itself.
import type { FieldEdit } from '../../bots/core/types.js';
import { formatWindow, nextMaintenanceWindow } from '../../bots/promotion/window.js';
import { slotOf } from '../minute-rings.js';
import { p95Of } from '../queueing.js';
import { propose } from '../pull-requests.js';
import { naiveAutoscale, naivePromotes } from './naive.js';
import type { PolicyWorld } from './world.js';

/** Tenant `i`'s last minute before `minute`: its slot in the rings and its queue wait p95. */
function lastMinute(world: PolicyWorld, i: number, minute: number): { slot: number; p95: number } {
  const { shapes } = world.metrics.rings;
  const slot = slotOf(world.metrics.rings, i, minute - 1);
  return { slot, p95: p95Of(shapes.delay[slot]!, shapes.waitProbability[slot]!, shapes.rate[slot]!) };
}

export function runNaiveAutoscale(world: PolicyWorld, minute: number): void {
  const { platform, tenants, capacity, prs } = world;
  const { rings } = world.metrics;
  for (let i = 0; i < tenants.length; i++) {
    const tenant = tenants[i]!;
    if (tenant.spec.mode !== 'dedicated' || !capacity.dedicated[i] || minute < 1) continue;
    const planDef = platform.spec.plans[tenant.spec.plan]!;
    const { slot, p95 } = lastMinute(world, i, minute);
    const current = { cpu: tenant.spec.resources?.cpu ?? planDef.cpu, memoryMb: tenant.spec.resources?.memoryMb ?? planDef.memoryMb, workers: tenant.spec.resources?.workers ?? planDef.workers };
    const next = naiveAutoscale(current, planDef.ceiling, { queueWaitP95Seconds: p95, cpuPercent: rings.cpu[slot]!, memoryPercent: rings.mem[slot]!, executionsPerMinute: rings.epm[slot]! });
    const edits: FieldEdit[] = [];
    for (const field of ['cpu', 'memoryMb', 'workers'] as const) {
      if (next[field] !== current[field]) edits.push({ path: ['spec', 'resources', field], value: next[field], previous: current[field] });
    }
    if (edits.length > 0) propose(prs, 'autoscale', i, edits, true, minute);
  }
}

export function runNaivePromotion(world: PolicyWorld, minute: number, now: Date): void {
  const { platform, tenants, prs } = world;
  const { rings, monthExecutions } = world.metrics;
  const promotionPolicy = platform.spec.policies.promotion;
  for (let i = 0; i < tenants.length; i++) {
    const tenant = tenants[i]!;
    if (tenant.spec.mode !== 'shared' || minute < 1) continue;
    const { slot, p95 } = lastMinute(world, i, minute);
    const requiresDedicated = platform.spec.plans[tenant.spec.plan]?.requiresDedicated === true;
    if (!naivePromotes({ queueWaitP95Seconds: p95, executionsMonth: monthExecutions[i]!, concurrentExecutions: rings.busy[slot]! }, requiresDedicated)) continue;
    const window = formatWindow(nextMaintenanceWindow(promotionPolicy.maintenanceWindow, now));
    propose(prs, 'promotion', i, [
      { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
      { path: ['spec', 'promotion'], value: { window, ttlMinutes: promotionPolicy.ttlMinutes, reason: 'spec Trigger A' }, previous: undefined },
    ], true, minute);
  }
}

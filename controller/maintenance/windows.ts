// Maintenance windows, pure: which windows a tenant has (its own
// spec.maintenance, else its plan's plans.<plan>.maintenanceWindows), whether
// a downtime change may apply at a given instant, and when the next window
// opens. A window opens at startHourUtc on each of its weekdays and stays
// open durationHours, possibly past midnight. The emergency override is the
// tenant label `rp9.io/maintenance-override: "<RFC 3339 time>"`: until that
// time downtime changes apply at once; after it the label is spent (a label
// left behind does not switch windows off for good).
import type { Platform, Tenant } from '../../config/types.js';
import { isOverrideTime, MAINTENANCE_OVERRIDE_LABEL } from '../../config/tenant-rules.js';
import type { MaintenanceWindow } from '../../types/platform.js';

export type { MaintenanceWindow };

export { MAINTENANCE_OVERRIDE_LABEL };

/** The Ready condition's reason of a tenant whose downtime change waits for its window. */
export const MAINTENANCE_WINDOW_REASON = 'MaintenanceWindow';

export interface TenantMaintenance {
  /** Empty: the tenant has no windows, downtime changes apply at once. */
  windows: readonly MaintenanceWindow[];
  /** From the override label, when it is a valid time. */
  overrideUntil?: Date;
}

/** Why a downtime change may apply now, or when it will. */
export type WindowDecision =
  | { at: 'now'; why: 'no-windows' }
  | { at: 'now'; why: 'in-window'; closesAt: Date }
  | { at: 'now'; why: 'override'; until: Date }
  | { at: 'window'; opensAt: Date };

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** The override label's time, or undefined when absent; `invalid` when it is not an RFC 3339 time with a zone. */
export function parseOverride(value: string | undefined): Date | 'invalid' | undefined {
  if (value === undefined) return undefined;
  return isOverrideTime(value) ? new Date(value) : 'invalid';
}

/** The tenant's windows (its own override its plan's) and its override label. */
export function tenantMaintenance(platform: Platform, tenant: Tenant): TenantMaintenance {
  const windows = tenant.spec.maintenance?.windows ?? platform.spec.plans[tenant.spec.plan]?.maintenanceWindows ?? [];
  const override = parseOverride(tenant.metadata.labels?.[MAINTENANCE_OVERRIDE_LABEL]);
  return override instanceof Date ? { windows, overrideUntil: override } : { windows };
}

/** Openings of `window` whose span [start, start + duration) may contain or follow `now`, for eight days. */
function openings(window: MaintenanceWindow, now: Date): { start: number; end: number }[] {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const duration = (window.durationHours ?? 2) * HOUR_MS;
  const out: { start: number; end: number }[] = [];
  // From yesterday (a window may run past midnight) to a week ahead.
  for (let day = -1; day <= 7; day++) {
    const date = midnight + day * DAY_MS;
    if (!window.weekdays.includes(new Date(date).getUTCDay())) continue;
    const start = date + window.startHourUtc * HOUR_MS;
    out.push({ start, end: start + duration });
  }
  return out;
}

/** Whether a downtime change may apply at `now`, and if not, when the next window opens. */
export function windowDecision(maintenance: TenantMaintenance, now: Date): WindowDecision {
  const t = now.getTime();
  if (maintenance.overrideUntil && t < maintenance.overrideUntil.getTime()) return { at: 'now', why: 'override', until: maintenance.overrideUntil };
  if (maintenance.windows.length === 0) return { at: 'now', why: 'no-windows' };
  let closesAt: number | undefined;
  let opensAt: number | undefined;
  for (const window of maintenance.windows) {
    for (const span of openings(window, now)) {
      if (span.start <= t && t < span.end) closesAt = Math.max(closesAt ?? 0, span.end);
      else if (span.start > t) opensAt = Math.min(opensAt ?? Infinity, span.start);
    }
  }
  if (closesAt !== undefined) return { at: 'now', why: 'in-window', closesAt: new Date(closesAt) };
  // Every window has at least one weekday, so one opens within the week.
  return { at: 'window', opensAt: new Date(opensAt!) };
}

/** `2026-12-06 22:00 UTC` */
export function formatWindowTime(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The `Pending (window opens …)` part of a MaintenanceWindow condition message (`<pending>: <what waits>`). */
export function pendingOf(message: string): string {
  const end = message.indexOf('): ');
  return end >= 0 ? message.slice(0, end + 1) : message;
}

/** `Pending (window opens 2026-12-06 22:00 UTC)`: how a waiting downtime change shows in status, the status page and plans. */
export function pendingText(opensAt: Date): string {
  return `Pending (window opens ${formatWindowTime(opensAt)})`;
}

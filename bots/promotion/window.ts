// The next maintenance window for a scheduled promotion: the first configured
// weekday at hourUtc that starts strictly more than one hour from now. All in
// UTC, so daylight-saving changes never move it.
import type { Policies } from '../../types/platform.js';
import { BotError } from '../core/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lead time: a window must start strictly after now + 1 h. */
export const MIN_LEAD_MS = HOUR;

export function nextMaintenanceWindow(window: Policies['promotion']['maintenanceWindow'], now: Date): Date {
  if (window.weekdays.length === 0) {
    throw new BotError('promotion.no-maintenance-window', 'platform.yaml: spec.policies.promotion.maintenanceWindow.weekdays is empty: no window to schedule promotions in');
  }
  const earliest = now.getTime() + MIN_LEAD_MS;
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), window.hourUtc);
  for (let day = 0; day <= 8; day += 1) {
    const start = first + day * DAY;
    if (start > earliest && window.weekdays.includes(new Date(start).getUTCDay())) return new Date(start);
  }
  throw new BotError('promotion.no-maintenance-window', `platform.yaml: spec.policies.promotion.maintenanceWindow.weekdays ${JSON.stringify(window.weekdays)} has no day 0–6`);
}

/** RFC 3339 in UTC without milliseconds, as tenant files write it: `2026-03-14T22:00:00Z`. */
export function formatWindow(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

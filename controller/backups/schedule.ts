// When scheduled backups are due, pure. Slots (UTC): daily 02:00, weekly
// Sunday 03:00, monthly day 1 04:00. A kind is due when the tenant has no
// backup of it since its latest slot, so a leader that was down for several
// slots catches up once, not once per missed slot. A failed attempt is
// retried after `retryAfterMs`.
export type ScheduleKind = 'daily' | 'weekly' | 'monthly';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['daily', 'weekly', 'monthly'];

/** The latest slot of `kind` at or before `now`. */
export function latestSlot(kind: ScheduleKind, now: Date): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (kind === 'daily') {
    const today = Date.UTC(y, m, d, 2);
    return new Date(today <= now.getTime() ? today : today - 86_400_000);
  }
  if (kind === 'weekly') {
    const sunday = Date.UTC(y, m, d - now.getUTCDay(), 3);
    return new Date(sunday <= now.getTime() ? sunday : sunday - 7 * 86_400_000);
  }
  const first = Date.UTC(y, m, 1, 4);
  return new Date(first <= now.getTime() ? first : Date.UTC(y, m - 1, 1, 4));
}

export interface TenantSchedule {
  tenant: string;
  schedules: readonly ScheduleKind[];
  /** Newest successful backup per kind. */
  lastSuccess: Partial<Record<ScheduleKind, Date>>;
  /** Newest attempt (any outcome) per kind. */
  lastAttempt: Partial<Record<ScheduleKind, Date>>;
}

export interface DueBackup {
  tenant: string;
  kind: ScheduleKind;
  slot: Date;
}

/** Due backups, at most one per tenant (the longest-period kind first: a monthly also serves as that day's proof). */
export function dueBackups(now: Date, tenants: readonly TenantSchedule[], retryAfterMs: number): DueBackup[] {
  const due: DueBackup[] = [];
  for (const t of tenants) {
    for (const kind of ['monthly', 'weekly', 'daily'] as const) {
      if (!t.schedules.includes(kind)) continue;
      const slot = latestSlot(kind, now);
      const success = t.lastSuccess[kind];
      if (success && success.getTime() >= slot.getTime()) continue;
      const attempt = t.lastAttempt[kind];
      if (attempt && attempt.getTime() >= slot.getTime() && now.getTime() - attempt.getTime() < retryAfterMs) continue;
      due.push({ tenant: t.tenant, kind, slot });
      break;
    }
  }
  return due;
}

/** The latest quarterly drill slot (UTC): the 1st of January, April, July and October at 05:00. */
export function latestQuarterSlot(now: Date): Date {
  const y = now.getUTCFullYear();
  const q = Math.floor(now.getUTCMonth() / 3) * 3;
  const slot = Date.UTC(y, q, 1, 5);
  return new Date(slot <= now.getTime() ? slot : Date.UTC(y, q - 3, 1, 5));
}

/** Tenants due a drill: a verified backup to drill, and no drill started since the latest quarterly slot. */
export function dueDrills(now: Date, tenants: readonly { tenant: string; hasVerifiedBackup: boolean; lastDrill: Date | undefined }[]): string[] {
  const slot = latestQuarterSlot(now).getTime();
  return tenants.filter((t) => t.hasVerifiedBackup && (!t.lastDrill || t.lastDrill.getTime() < slot)).map((t) => t.tenant);
}

// When scheduled backups are due, pure. Slots (UTC): daily 02:00, weekly
// Sunday 03:00, monthly day 1 04:00. A kind is due when the tenant has no
// backup of it since its latest slot, so a leader that was down for several
// slots catches up once, not once per missed slot. A failed attempt is
// retried after `retryAfterMs`.
import { createHash } from 'node:crypto';
export type ScheduleKind = 'daily' | 'weekly' | 'monthly';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['daily', 'weekly', 'monthly'];

/**
 * Since when each scheduled kind of each tenant is expected to have succeeded, for the tenants that
 * have none yet (`BackupMissed` measures from it until a first success): the first attempt in the
 * journal, else when this controller first saw the schedule (`firstSeen`, kept by the caller,
 * filled here). Pure but for that map.
 */
export function expectedSince(tenants: readonly TenantSchedule[], firstSeen: Map<string, Date>, now: Date): { tenant: string; kind: ScheduleKind; since: Date }[] {
  const out: { tenant: string; kind: ScheduleKind; since: Date }[] = [];
  for (const t of tenants) {
    for (const kind of t.schedules) {
      const key = `${t.tenant}\0${kind}`;
      if (!firstSeen.has(key)) firstSeen.set(key, now);
      if (t.lastSuccess[kind]) continue;
      const seen = firstSeen.get(key)!;
      const attempt = t.firstAttempt?.[kind];
      out.push({ tenant: t.tenant, kind, since: attempt && attempt < seen ? attempt : seen });
    }
  }
  return out;
}

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
  /** Oldest attempt per kind among those the journal lists (its newest 50 operations). */
  firstAttempt?: Partial<Record<ScheduleKind, Date>>;
}

export interface DueBackup {
  tenant: string;
  kind: ScheduleKind;
  slot: Date;
}

/** Each kind with the kinds whose success also serves its slot: itself and the longer periods. */
const SERVED_BY: Record<ScheduleKind, readonly ScheduleKind[]> = { daily: ['daily', 'weekly', 'monthly'], weekly: ['weekly', 'monthly'], monthly: ['monthly'] };

/**
 * Due backups, at most one per tenant, the longest-period kind first. For a
 * kind that never succeeded yet, a success of a longer-period kind since its
 * latest slot serves that slot (a new tenant's first monthly, taken at
 * 10:00, is also that day's daily): a new tenant gets one backup, not a
 * monthly, a weekly and a daily on three passes in a row. Once a kind has
 * succeeded, only its own success serves its slot: the BackupMissed alert
 * reads the daily's own last success, so a weekly standing in for a daily
 * would let it fire for a day with a fresh backup in store. The next slot
 * of each kind is its own.
 */
export function dueBackups(now: Date, tenants: readonly TenantSchedule[], retryAfterMs: number): DueBackup[] {
  const due: DueBackup[] = [];
  for (const t of tenants) {
    for (const kind of ['monthly', 'weekly', 'daily'] as const) {
      if (!t.schedules.includes(kind)) continue;
      const slot = latestSlot(kind, now);
      const servedBy = t.lastSuccess[kind] ? [kind] : SERVED_BY[kind];
      const served = servedBy.some((k) => t.schedules.includes(k) && (t.lastSuccess[k]?.getTime() ?? -Infinity) >= slot.getTime());
      if (served) continue;
      const attempt = t.lastAttempt[kind];
      if (attempt && attempt.getTime() >= slot.getTime() && now.getTime() - attempt.getTime() < retryAfterMs) continue;
      due.push({ tenant: t.tenant, kind, slot });
      break;
    }
  }
  return due;
}

/** How often every tenant (or the sampled share of them) gets a restore drill: `spec.backups.drills.every`. */
export type DrillCadence = 'monthly' | 'quarterly' | 'yearly' | 'never';

export interface DrillPolicy {
  every: DrillCadence;
  /** The share of tenants drilled each slot, (0, 1]; which ones is a stable draw per slot. */
  sample: number;
}

export const DEFAULT_DRILL_POLICY: DrillPolicy = { every: 'quarterly', sample: 1 };

/** The latest quarterly drill slot (UTC): the 1st of January, April, July and October at 05:00. */
export function latestQuarterSlot(now: Date): Date {
  return latestDrillSlot(now, 'quarterly')!;
}

/** The latest drill slot (UTC, the 1st of the month at 05:00) of a cadence; undefined for `never`. */
export function latestDrillSlot(now: Date, every: DrillCadence): Date | undefined {
  if (every === 'never') return undefined;
  const months = every === 'monthly' ? 1 : every === 'quarterly' ? 3 : 12;
  const y = now.getUTCFullYear();
  const m = Math.floor(now.getUTCMonth() / months) * months;
  const slot = Date.UTC(y, m, 1, 5);
  return new Date(slot <= now.getTime() ? slot : Date.UTC(y, m - months, 1, 5));
}

/** A stable draw in [0, 1) for a tenant in a slot: the same tenants are sampled all slot long, others the next. */
export function drillDraw(tenant: string, slot: Date): number {
  return createHash('sha256').update(`${tenant}@${slot.toISOString()}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Tenants due a drill: a verified backup to drill, no drill started since the latest slot of the
 * policy's cadence, and (with `sample` < 1) drawn for this slot.
 */
export function dueDrills(now: Date, tenants: readonly { tenant: string; hasVerifiedBackup: boolean; lastDrill: Date | undefined }[], policy: DrillPolicy = DEFAULT_DRILL_POLICY): string[] {
  const slot = latestDrillSlot(now, policy.every);
  if (!slot) return [];
  return tenants
    .filter((t) => t.hasVerifiedBackup && (!t.lastDrill || t.lastDrill.getTime() < slot.getTime()))
    .filter((t) => policy.sample >= 1 || drillDraw(t.tenant, slot) < policy.sample)
    .map((t) => t.tenant);
}

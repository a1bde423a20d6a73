// The billing period a usage figure counts over, pure: the tenant's Stripe
// subscription's current period when it has one, else the calendar month in
// UTC. Shared by the enforcement bot (notice keys, suspension reasons) and the
// metering that counts "this period".
/** A subscription's current period as Stripe gives it (current_period_start/end). */
export interface SubscriptionPeriod {
  start: Date;
  end: Date;
}

export interface BillingPeriod {
  start: Date;
  end: Date;
  /** `2026-12` for a calendar month; `2026-12-03` (the start's UTC date) for a Stripe period. */
  key: string;
  source: 'calendar' | 'stripe';
}

const DAY_MS = 86_400_000;

/** The calendar month in UTC that holds `now`. */
export function calendarPeriod(now: Date): BillingPeriod {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end, key: now.toISOString().slice(0, 7), source: 'calendar' };
}

/** `anchor` moved by `months` calendar months, its day clamped to the month's last (Jan 31 + 1 month = Feb 28), as Stripe bills. */
function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

/** Whole months a period spans (1 for monthly, 12 for yearly), or 0 for a shorter one (weekly, daily). */
function monthsIn(period: SubscriptionPeriod): number {
  const days = (period.end.getTime() - period.start.getTime()) / DAY_MS;
  return days < 27 ? 0 : Math.max(1, Math.round(days / 30.4375));
}

function stripePeriod(start: Date, end: Date): BillingPeriod {
  return { start, end, key: start.toISOString().slice(0, 10), source: 'stripe' };
}

/**
 * The period `now` falls in. With a subscription period: that period while
 * it lasts; once it has ended (Stripe renewed it and the hourly reconcile has
 * not read the new one yet) the next ones of the same length, anchored on
 * its start (months for monthly and yearly plans, fixed days for shorter
 * ones). Without one, one that is malformed (end not after start), or one
 * that has not begun: the calendar month.
 */
export function billingPeriodAt(now: Date, subscription?: SubscriptionPeriod): BillingPeriod {
  if (!subscription) return calendarPeriod(now);
  const { start, end } = subscription;
  if (!(end.getTime() > start.getTime()) || now.getTime() < start.getTime()) return calendarPeriod(now);
  if (now.getTime() < end.getTime()) return stripePeriod(start, end);
  const months = monthsIn(subscription);
  if (months === 0) {
    const length = end.getTime() - start.getTime();
    const steps = Math.floor((now.getTime() - start.getTime()) / length);
    return stripePeriod(new Date(start.getTime() + steps * length), new Date(start.getTime() + (steps + 1) * length));
  }
  let n = Math.floor((now.getTime() - start.getTime()) / (months * 28 * DAY_MS));
  // n underestimates the periods passed; walk forward to the one holding now.
  while (addMonths(start, (n + 1) * months).getTime() <= now.getTime()) n += 1;
  while (n > 0 && addMonths(start, n * months).getTime() > now.getTime()) n -= 1;
  return stripePeriod(addMonths(start, n * months), addMonths(start, (n + 1) * months));
}

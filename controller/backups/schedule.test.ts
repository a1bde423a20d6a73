import { describe, expect, it } from 'vitest';
import { drillDraw, dueBackups, dueDrills, expectedSince, latestDrillSlot, latestQuarterSlot, latestSlot, type TenantSchedule } from './schedule.js';
import { expiredBackups, retentionFor, type RetainedBackup } from './retention.js';

const at = (iso: string) => new Date(iso);

describe('latestSlot', () => {
  it.each([
    ['daily', '2026-12-05T02:00:00Z', '2026-12-05T02:00:00Z'],
    ['daily', '2026-12-05T01:59:59Z', '2026-12-04T02:00:00Z'],
    ['weekly', '2026-12-05T12:00:00Z', '2026-11-29T03:00:00Z'], // Saturday → last Sunday
    ['weekly', '2026-12-06T03:00:00Z', '2026-12-06T03:00:00Z'], // Sunday at 03:00
    ['weekly', '2026-12-06T02:00:00Z', '2026-11-29T03:00:00Z'],
    ['monthly', '2026-12-01T04:00:00Z', '2026-12-01T04:00:00Z'],
    ['monthly', '2026-12-01T03:00:00Z', '2026-11-01T04:00:00Z'],
    ['monthly', '2026-01-01T00:00:00Z', '2025-12-01T04:00:00Z'],
  ] as const)('%s at %s is %s', (kind, now, slot) => {
    expect(latestSlot(kind, at(now)).toISOString()).toBe(at(slot).toISOString());
  });
});

describe('dueBackups', () => {
  const base: TenantSchedule = { tenant: 'acme', schedules: ['daily', 'weekly', 'monthly'], lastSuccess: {}, lastAttempt: {} };
  const now = at('2026-12-05T10:00:00Z');
  const done = { daily: at('2026-12-05T02:01:00Z'), weekly: at('2026-11-29T03:01:00Z'), monthly: at('2026-12-01T04:01:00Z') };

  it.each<[string, Partial<TenantSchedule>, string[]]>([
    ['nothing ever ran: one backup, the monthly first', {}, ['acme:monthly:2026-12-01T04:00:00.000Z']],
    ['a first monthly taken today also serves this week\'s and today\'s slots: nothing more', { lastSuccess: { monthly: at('2026-12-05T09:00:00Z') } }, []],
    ['a monthly from before today\'s daily slot does not serve it', { lastSuccess: { monthly: done.monthly, weekly: done.weekly } }, ['acme:daily:2026-12-05T02:00:00.000Z']],
    ['a daily that succeeded before is served only by its own success (BackupMissed reads it): a weekly caught up today does not', { lastSuccess: { daily: at('2026-12-04T02:01:00Z'), weekly: at('2026-12-05T09:00:00Z'), monthly: done.monthly } }, ['acme:daily:2026-12-05T02:00:00.000Z']],
    ['a weekly serves the daily slot after it, not the monthly', { lastSuccess: { weekly: at('2026-12-05T09:00:00Z') } }, ['acme:monthly:2026-12-01T04:00:00.000Z']],
    ['a daily never serves a longer slot', { schedules: ['daily', 'weekly'], lastSuccess: { daily: at('2026-12-05T09:00:00Z') } }, ['acme:weekly:2026-11-29T03:00:00.000Z']],
    ['only a kind the tenant schedules serves: a leftover monthly of an old schedule does not', { schedules: ['daily'], lastSuccess: { monthly: at('2026-12-05T09:00:00Z') } }, ['acme:daily:2026-12-05T02:00:00.000Z']],
    ['all slots served: nothing', { lastSuccess: done }, []],
    ['daily missed for three days while no leader ran: caught up once', { lastSuccess: { ...done, daily: at('2026-12-02T02:01:00Z') } }, ['acme:daily:2026-12-05T02:00:00.000Z']],
    ['a schedule the tenant does not have is never due', { schedules: ['weekly'], lastSuccess: { weekly: done.weekly } }, []],
    ['a failed attempt is retried only after retryAfter', { lastSuccess: { ...done, daily: undefined as unknown as Date }, lastAttempt: { daily: at('2026-12-05T09:50:00Z') } }, []],
    ['and retried after it', { lastSuccess: { ...done, daily: undefined as unknown as Date }, lastAttempt: { daily: at('2026-12-05T09:00:00Z') } }, ['acme:daily:2026-12-05T02:00:00.000Z']],
  ])('%s', (_label, patch, expected) => {
    const tenant = { ...base, ...patch, lastSuccess: Object.fromEntries(Object.entries(patch.lastSuccess ?? {}).filter(([, v]) => v)) };
    expect(dueBackups(now, [tenant], 30 * 60_000).map((d) => `${d.tenant}:${d.kind}:${d.slot.toISOString()}`)).toEqual(expected);
  });
});

describe('expiredBackups (GFS)', () => {
  const now = at('2026-12-05T10:00:00Z');
  const policy = () => ({ daily: 2, weekly: 1, monthly: 1 });
  const b = (id: string, kind: string, day: number, extra: Partial<RetainedBackup> = {}): RetainedBackup => ({ id, tenant: 'acme', kind, status: 'verified', createdAt: at(`2026-11-${String(day).padStart(2, '0')}T02:00:00Z`), keepUntil: null, ...extra });

  it('keeps the newest N per scheduled kind and expires the rest', () => {
    const list = [b('d1', 'daily', 1), b('d2', 'daily', 2), b('d3', 'daily', 3), b('w1', 'weekly', 1), b('w2', 'weekly', 8), b('m1', 'monthly', 1)];
    expect(expiredBackups(list, now, policy).map((e) => e.id)).toEqual(['d1', 'w1']);
  });

  it('expires manual and pre-* backups at keepUntil, and keeps those without one', () => {
    const list = [b('d9', 'daily', 9), b('m', 'manual', 2, { keepUntil: at('2026-12-01T00:00:00Z') }), b('m2', 'manual', 3, { keepUntil: at('2026-12-31T00:00:00Z') }), b('p', 'pre-upgrade', 4, { keepUntil: at('2026-12-04T00:00:00Z') }), b('n', 'manual', 5)];
    expect(expiredBackups(list, now, policy).map((e) => e.id)).toEqual(['m', 'p']);
  });

  it.each([
    { name: 'defaults', platform: {}, plan: undefined, want: { daily: 7, weekly: 4, monthly: 12 } },
    { name: 'platform', platform: { retention: { daily: 3, weekly: 2, monthly: 6 } }, plan: undefined, want: { daily: 3, weekly: 2, monthly: 6 } },
    { name: 'plan overrides one count', platform: { retention: { daily: 3, weekly: 2, monthly: 6 } }, plan: { backupRetention: { daily: 30 } }, want: { daily: 30, weekly: 2, monthly: 6 } },
    { name: 'plan without override', platform: { retention: { daily: 3 } }, plan: {}, want: { daily: 3, weekly: 4, monthly: 12 } },
  ])('retention per plan: $name', ({ platform, plan, want }) => {
    expect(retentionFor(platform, plan)).toEqual(want);
  });

  it('prunes each tenant by its own plan\'s retention', () => {
    const other = (id: string, day: number): RetainedBackup => ({ ...b(id, 'daily', day), tenant: 'bigco' });
    const list = [b('a1', 'daily', 1), b('a2', 'daily', 2), b('a3', 'daily', 3), other('b1', 1), other('b2', 2), other('b3', 3)];
    const policies: Record<string, ReturnType<typeof retentionFor>> = { acme: retentionFor({ retention: { daily: 2 } }, undefined), bigco: retentionFor({ retention: { daily: 2 } }, { backupRetention: { daily: 30 } }) };
    expect(expiredBackups(list, now, (tenant) => policies[tenant]!).map((e) => e.id)).toEqual(['a1']);
  });

  it('never expires the tenant\'s newest verified backup', () => {
    const list = [b('old', 'manual', 1, { keepUntil: at('2026-11-02T00:00:00Z') }), b('x', 'daily', 3, { status: 'completed' })];
    expect(expiredBackups(list, now, () => ({ daily: 1, weekly: 1, monthly: 1 }))).toEqual([]);
  });
});

describe('quarterly drills', () => {
  it.each([
    ['2026-12-05T10:00:00Z', '2026-10-01T05:00:00Z'],
    ['2026-01-01T04:00:00Z', '2025-10-01T05:00:00Z'],
    ['2026-04-01T05:00:00Z', '2026-04-01T05:00:00Z'],
  ])('at %s the slot is %s', (now, slot) => {
    expect(latestQuarterSlot(at(now)).toISOString()).toBe(at(slot).toISOString());
  });

  it('drills tenants with a verified backup and no drill this quarter, once', () => {
    const now = at('2026-12-05T10:00:00Z');
    expect(dueDrills(now, [
      { tenant: 'a', hasVerifiedBackup: true, lastDrill: undefined },
      { tenant: 'b', hasVerifiedBackup: true, lastDrill: at('2026-10-02T00:00:00Z') },
      { tenant: 'c', hasVerifiedBackup: true, lastDrill: at('2026-09-30T00:00:00Z') },
      { tenant: 'd', hasVerifiedBackup: false, lastDrill: undefined },
    ])).toEqual(['a', 'c']);
  });
});

describe('drill policy (spec.backups.drills)', () => {
  it.each([
    ['monthly', '2026-12-05T10:00:00Z', '2026-12-01T05:00:00Z'],
    ['monthly', '2026-12-01T04:59:00Z', '2026-11-01T05:00:00Z'],
    ['monthly', '2026-01-01T04:00:00Z', '2025-12-01T05:00:00Z'],
    ['quarterly', '2026-12-05T10:00:00Z', '2026-10-01T05:00:00Z'],
    ['yearly', '2026-12-05T10:00:00Z', '2026-01-01T05:00:00Z'],
    ['yearly', '2026-01-01T04:00:00Z', '2025-01-01T05:00:00Z'],
  ] as const)('%s at %s: the slot is %s', (every, now, slot) => {
    expect(latestDrillSlot(at(now), every)?.toISOString()).toBe(at(slot).toISOString());
  });

  it('never: no slot, no drills', () => {
    expect(latestDrillSlot(at('2026-12-05T10:00:00Z'), 'never')).toBeUndefined();
    expect(dueDrills(at('2026-12-05T10:00:00Z'), [{ tenant: 'a', hasVerifiedBackup: true, lastDrill: undefined }], { every: 'never', sample: 1 })).toEqual([]);
  });

  it('monthly: a tenant drilled last month is due again this month', () => {
    const tenants = [
      { tenant: 'a', hasVerifiedBackup: true, lastDrill: at('2026-11-15T00:00:00Z') },
      { tenant: 'b', hasVerifiedBackup: true, lastDrill: at('2026-12-02T00:00:00Z') },
    ];
    expect(dueDrills(at('2026-12-05T10:00:00Z'), tenants, { every: 'monthly', sample: 1 })).toEqual(['a']);
    expect(dueDrills(at('2026-12-05T10:00:00Z'), tenants, { every: 'quarterly', sample: 1 })).toEqual([]);
  });

  it('sample: about that share of 1,000 tenants, the same ones all slot long, other ones the next slot', () => {
    const tenants = Array.from({ length: 1000 }, (_, i) => ({ tenant: `t${i}`, hasVerifiedBackup: true, lastDrill: undefined }));
    const policy = { every: 'quarterly' as const, sample: 0.25 };
    const december = dueDrills(at('2026-12-05T10:00:00Z'), tenants, policy);
    expect(december.length).toBeGreaterThan(200);
    expect(december.length).toBeLessThan(300);
    // Later in the same slot: the same draw.
    expect(dueDrills(at('2026-12-28T10:00:00Z'), tenants, policy)).toEqual(december);
    // Next slot: a different sample.
    const january = dueDrills(at('2027-01-05T10:00:00Z'), tenants, policy);
    expect(january).not.toEqual(december);
    expect(january.length).toBeGreaterThan(200);
  });

  it('draws are stable numbers in [0, 1)', () => {
    const slot = at('2026-10-01T05:00:00Z');
    const draw = drillDraw('acme', slot);
    expect(draw).toBe(drillDraw('acme', slot));
    expect(draw).toBeGreaterThanOrEqual(0);
    expect(draw).toBeLessThan(1);
    expect(drillDraw('acme', at('2027-01-01T05:00:00Z'))).not.toBe(draw);
  });
});

describe('expectedSince (BackupMissed for a tenant with no success yet)', () => {
  const schedule = (fields: Partial<TenantSchedule>): TenantSchedule => ({ tenant: 'a', schedules: ['daily'], lastSuccess: {}, lastAttempt: {}, ...fields });
  it.each([
    { name: 'never attempted: since this controller first saw it', tenant: schedule({}), seen: undefined, expected: '2026-12-05T10:00:00Z' },
    { name: 'seen earlier by this controller: that time', tenant: schedule({}), seen: '2026-12-01T00:00:00Z', expected: '2026-12-01T00:00:00Z' },
    { name: 'a first attempt older than the first sight (a restarted controller): the attempt', tenant: schedule({ firstAttempt: { daily: at('2026-11-20T02:00:00Z') } }), seen: undefined, expected: '2026-11-20T02:00:00Z' },
    { name: 'a success: nothing (the last-success gauge speaks)', tenant: schedule({ lastSuccess: { daily: at('2026-12-05T02:10:00Z') } }), seen: undefined, expected: undefined },
  ])('$name', ({ tenant, seen, expected }) => {
    const firstSeen = new Map<string, Date>(seen ? [['a\0daily', at(seen)]] : []);
    const out = expectedSince([tenant], firstSeen, at('2026-12-05T10:00:00Z'));
    expect(out.map((e) => e.since.toISOString())).toEqual(expected ? [at(expected).toISOString()] : []);
    expect(firstSeen.has('a\0daily')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideEnforcement, suspendedLimit, throttleFor, type EnforcementTenantInput } from './decide.js';
import { billingPeriod, BYTES_PER_GB, levelOf, limitStatuses, type TenantUsage } from './levels.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root);
const now = new Date('2026-12-06T01:30:00Z');

function input(usage: TenantUsage | undefined, options: { plan?: string; mode?: string; extra?: string[]; name?: string } = {}): EnforcementTenantInput {
  const name = options.name ?? 'acme';
  const text = tenantYaml(name, [`plan: ${options.plan ?? 'starter'}`, `mode: ${options.mode ?? 'shared'}`, ...(options.extra ?? [])]);
  return { tenant: tenantFromYaml(text, schemasDirOf(root)), ...(usage ? { usage } : {}) };
}

function edits(inputs: EnforcementTenantInput[]) {
  return decideEnforcement(inputs, platform, now).proposals.map((p) => ({
    riskClass: p.riskClass,
    edits: Object.fromEntries(p.edits.map((e) => [e.path.join('.'), e.value === undefined ? '(removed)' : typeof e.value === 'object' ? (e.value as { limit: string }).limit : e.value])),
  }));
}

const THROTTLED = ['throttle: { reason: "enforcement: x", limit: executionsMonthly, requestsPerMinute: 17, burst: 17 }'];
const SUSPENDED = ['suspended: true', 'suspendedReason: "enforcement: executionsMonthly at 100 % of 1,000 in 2026-11"'];

describe('levelOf: the example policy (80 / 95 / 100)', () => {
  it.each<[number, string]>([
    [0, 'ok'], [79.99, 'ok'], [80, 'warning'], [94.9, 'warning'], [95, 'throttle'], [99.9, 'throttle'], [100, 'limit'], [250, 'limit'], [Number.POSITIVE_INFINITY, 'limit'],
  ])('%s %% is %s', (percent, level) => {
    expect(levelOf(percent, platform)).toBe(level);
  });
});

describe('limitStatuses', () => {
  it('reads the plan limits, the tenant overrides, and skips unmeasured figures', () => {
    const { tenant } = input(undefined, { extra: ['limits: { executionsMonthly: 2000 }'] });
    const statuses = limitStatuses(tenant, { executionsMonth: 1000, apiCallsHour: 900 }, platform);
    expect(statuses).toEqual([
      { limit: 'executionsMonthly', used: 1000, allowed: 2000, percent: 50, level: 'ok' },
      { limit: 'apiCallsHourly', used: 900, allowed: 1000, percent: 90, level: 'warning' },
    ]);
  });

  it('an allowance of 0 with any use is over the limit', () => {
    const { tenant } = input(undefined, { extra: ['limits: { concurrentExecutions: 0 }'] });
    expect(limitStatuses(tenant, { concurrentPeak: 1 }, platform)[0]).toMatchObject({ percent: Number.POSITIVE_INFINITY, level: 'limit' });
  });
});

describe('decideEnforcement: proposals (starter: 1,000 executions, 2 concurrent, 1,000 API calls an hour)', () => {
  it.each<[string, TenantUsage, { plan?: string; mode?: string; extra?: string[] }, ReturnType<typeof edits>]>([
    ['below the warning: nothing', { executionsMonth: 799, concurrentPeak: 1, apiCallsHour: 10 }, {}, []],
    ['a warning alone opens no pull request', { executionsMonth: 800 }, {}, []],
    ['95 % of executions throttles', { executionsMonth: 950 }, {}, [{ riskClass: 'throttle', edits: { 'spec.throttle': 'executionsMonthly' } }]],
    ['94.9 % does not throttle', { executionsMonth: 949 }, {}, []],
    ['100 % of executions on starter suspends (and throttles)', { executionsMonth: 1000 }, {},
      [{ riskClass: 'suspend', edits: { 'spec.throttle': 'executionsMonthly', 'spec.suspended': true, 'spec.suspendedReason': 'enforcement: executionsMonthly at 100 % of 1,000 in 2026-12' } }]],
    ['API calls at 100 % throttle but never suspend (an hourly limit)', { apiCallsHour: 1200 }, {}, [{ riskClass: 'throttle', edits: { 'spec.throttle': 'apiCallsHourly' } }]],
    ['the worst limit names the throttle', { executionsMonth: 960, apiCallsHour: 990 }, {}, [{ riskClass: 'throttle', edits: { 'spec.throttle': 'apiCallsHourly' } }]],
    ['pro over its executions is billed, not throttled or suspended', { executionsMonth: 12000 }, { plan: 'pro' }, []],
    ['pro at 96 % of its API calls is throttled', { apiCallsHour: 4800 }, { plan: 'pro' }, [{ riskClass: 'throttle', edits: { 'spec.throttle': 'apiCallsHourly' } }]],
    ['already throttled the same way: no change', { executionsMonth: 970 }, { extra: THROTTLED }, []],
    ['a new period lifts the throttle', { executionsMonth: 3 }, { extra: THROTTLED }, [{ riskClass: 'lift', edits: { 'spec.throttle': '(removed)' } }]],
    ['a new period lifts an enforcement suspension', { executionsMonth: 0 }, { extra: SUSPENDED },
      [{ riskClass: 'lift', edits: { 'spec.suspended': false, 'spec.suspendedReason': '(removed)' } }]],
    ['an upgrade to pro lifts an enforcement suspension although over the old limit', { executionsMonth: 1500 }, { plan: 'pro', extra: SUSPENDED },
      [{ riskClass: 'lift', edits: { 'spec.suspended': false, 'spec.suspendedReason': '(removed)' } }]],
    ['a suspension by hand is never lifted', { executionsMonth: 0 }, { extra: ['suspended: true', 'suspendedReason: unpaid invoice'] }, []],
    ['a suspension without reason is never lifted', { executionsMonth: 0 }, { extra: ['suspended: true'] }, []],
    ['still over the limit: the enforcement suspension stays', { executionsMonth: 1100 }, { extra: [...SUSPENDED, ...THROTTLED] }, []],
    ['a limit override lifts the throttle', { executionsMonth: 970 }, { extra: [...THROTTLED, 'limits: { executionsMonthly: 5000 }'] }, [{ riskClass: 'lift', edits: { 'spec.throttle': '(removed)' } }]],
  ])('%s', (_name, usage, options, expected) => {
    expect(edits([input(usage, options)])).toEqual(expected);
  });

  it('leaves a tenant without figures alone and lists it', () => {
    const decision = decideEnforcement([input(undefined, { extra: THROTTLED })], platform, now);
    expect(decision.proposals).toEqual([]);
    expect(decision.noData).toEqual(['acme']);
  });

  it('opens one proposal per tenant, in input order, with the bot labels', () => {
    const decision = decideEnforcement([input({ executionsMonth: 1000 }, { name: 'b' }), input({ executionsMonth: 960 }, { name: 'a' })], platform, now);
    expect(decision.proposals.map((p) => [p.tenant, p.file, p.labels])).toEqual([
      ['b', 'tenants/b.yaml', ['rp9-bot', 'bot:enforcement', 'risk:suspend']],
      ['a', 'tenants/a.yaml', ['rp9-bot', 'bot:enforcement', 'risk:throttle']],
    ]);
    expect(decision.proposals[0]?.evidence).toContainEqual({ metric: 'executionsMonthly', value: 100, threshold: 100, comparator: '>=', window: 'period', unit: '%' });
  });
});

describe('throttleFor', () => {
  it('spreads the hourly API allowance over the minutes; a dedicated tenant also gets half its concurrency', () => {
    const status = { limit: 'executionsMonthly' as const, used: 9600, allowed: 10000, percent: 96, level: 'throttle' as const };
    expect(throttleFor(input(undefined, { plan: 'pro', mode: 'dedicated' }).tenant, platform, status, '2026-12')).toEqual({
      reason: 'enforcement: executionsMonthly at 96 % of 10,000 in 2026-12', limit: 'executionsMonthly', requestsPerMinute: 84, burst: 84, concurrency: 5,
    });
    expect(throttleFor(input(undefined).tenant, platform, status, '2026-12')).not.toHaveProperty('concurrency');
  });
});

const GB = BYTES_PER_GB;
const STORAGE_SUSPENDED = ['suspended: true', 'suspendedReason: "enforcement: storageGb at 104 % of 5 in 2026-12"'];
const STORAGE_THROTTLED = ['throttle: { reason: "enforcement: x", limit: storageGb, requestsPerMinute: 17, burst: 17 }'];

describe('limitStatuses: storage (starter 5 GB, pro 20 GB)', () => {
  it.each<[string, { plan?: string; mode?: string; extra?: string[] }, number, { used: number; allowed: number; percent: number; level: string }]>([
    ['bytes count in GiB against the plan', {}, 4 * GB, { used: 4, allowed: 5, percent: 80, level: 'warning' }],
    ['a shared tenant has the plan allowance', { plan: 'pro' }, 19 * GB, { used: 19, allowed: 20, percent: 95, level: 'throttle' }],
    ["a dedicated tenant's own spec.resources.storageGb is its allowance", { plan: 'pro', mode: 'dedicated', extra: ['resources: { storageGb: 40 }'] }, 19 * GB, { used: 19, allowed: 40, percent: 47.5, level: 'ok' }],
    ['a shared tenant has no resources of its own: the plan decides', { plan: 'pro' }, 21 * GB, { used: 21, allowed: 20, percent: 105, level: 'limit' }],
  ])('%s', (_name, options, bytes, expected) => {
    const { tenant } = input(undefined, options);
    expect(limitStatuses(tenant, { storageBytes: bytes }, platform)).toEqual([{ limit: 'storageGb', ...expected }]);
  });
});

describe('decideEnforcement: storage', () => {
  it.each<[string, TenantUsage, { plan?: string; mode?: string; extra?: string[] }, ReturnType<typeof edits>]>([
    ['79 % of storage: nothing', { storageBytes: 3.95 * GB }, {}, []],
    ['80 % of storage warns only', { storageBytes: 4 * GB }, {}, []],
    ['95 % of storage throttles a starter tenant (slows what arrives, and so what is saved)', { storageBytes: 4.75 * GB }, {}, [{ riskClass: 'throttle', edits: { 'spec.throttle': 'storageGb' } }]],
    ['100 % of storage suspends a starter tenant, naming storage', { storageBytes: 5 * GB }, {},
      [{ riskClass: 'suspend', edits: { 'spec.throttle': 'storageGb', 'spec.suspended': true, 'spec.suspendedReason': 'enforcement: storageGb at 100 % of 5 in 2026-12' } }]],
    ['the worse of executions and storage names the suspension', { storageBytes: 5.5 * GB, executionsMonth: 1000 }, {},
      [{ riskClass: 'suspend', edits: { 'spec.throttle': 'storageGb', 'spec.suspended': true, 'spec.suspendedReason': 'enforcement: storageGb at 110 % of 5 in 2026-12' } }]],
    ['pro over its storage is billed, neither throttled nor suspended', { storageBytes: 25 * GB }, { plan: 'pro' }, []],
    ['enterprise over its storage is billed too', { storageBytes: 101 * GB }, { plan: 'enterprise', mode: 'dedicated' }, []],
    ['storage back under the limit lifts a storage suspension', { storageBytes: 4 * GB }, { extra: STORAGE_SUSPENDED },
      [{ riskClass: 'lift', edits: { 'spec.suspended': false, 'spec.suspendedReason': '(removed)' } }]],
    ['a new period does not lift a storage suspension: storage still over', { storageBytes: 5.2 * GB, executionsMonth: 0 }, { extra: [...STORAGE_SUSPENDED, ...STORAGE_THROTTLED] }, []],
    ['without a storage figure a storage suspension stays, whatever the executions', { executionsMonth: 0 }, { extra: STORAGE_SUSPENDED }, []],
    ['an upgrade to pro lifts a storage suspension (billed from now on)', { storageBytes: 6 * GB }, { plan: 'pro', extra: STORAGE_SUSPENDED },
      [{ riskClass: 'lift', edits: { 'spec.suspended': false, 'spec.suspendedReason': '(removed)' } }]],
    ['an executions suspension is not lifted by storage alone', { storageBytes: 1 * GB }, { extra: SUSPENDED }, []],
  ])('%s', (_name, usage, options, expected) => {
    expect(edits([input(usage, options)])).toEqual(expected);
  });

  it('bills storage above the allowance in whole GB, on its own identifier', () => {
    const decision = decideEnforcement([input({ storageBytes: 21.2 * GB, executionsMonth: 10250 }, { plan: 'pro', extra: ['billing: { stripeCustomerId: cus_Acme1 }'] })], platform, now);
    expect(decision.meterEvents).toEqual([
      { tenant: 'acme', customer: 'cus_Acme1', limit: 'executionsMonthly', value: 250, identifier: 'acme:executionsMonthly:2026-12-06T01', hour: '2026-12-06T01' },
      { tenant: 'acme', customer: 'cus_Acme1', limit: 'storageGb', value: 2, identifier: 'acme:storageGb:2026-12-06T01', hour: '2026-12-06T01' },
    ]);
  });

  it('warns on storage once per period, like the other limits', () => {
    const decision = decideEnforcement([input({ storageBytes: 4.2 * GB })], platform, now);
    expect(decision.notices).toEqual([expect.objectContaining({ kind: 'warning', limit: 'storageGb', used: 4.2, allowed: 5, key: 'acme/storageGb/warning/2026-12' })]);
  });

  it.each<[string, string | undefined]>([
    ['enforcement: storageGb at 104 % of 5 in 2026-12', 'storageGb'],
    ['enforcement: executionsMonthly at 100 % of 1,000 in 2026-11', 'executionsMonthly'],
    ['enforcement: something older', 'executionsMonthly'],
    ['unpaid invoice', undefined],
  ])('suspendedLimit(%j) is %s', (reason, limit) => {
    expect(suspendedLimit(reason)).toBe(limit);
  });
});

describe('decideEnforcement: notices and meter events', () => {
  it('warns once per limit and period: the key names tenant, limit, level and period', () => {
    const decision = decideEnforcement([input({ executionsMonth: 850, apiCallsHour: 10 })], platform, now);
    expect(decision.notices).toEqual([
      expect.objectContaining({ tenant: 'acme', email: 'ops@acme.example', kind: 'warning', limit: 'executionsMonthly', used: 850, allowed: 1000, percent: 85, key: 'acme/executionsMonthly/warning/2026-12' }),
    ]);
    const nextMonth = decideEnforcement([input({ executionsMonth: 850 })], platform, new Date('2027-01-01T00:10:00Z'));
    expect(nextMonth.notices[0]?.key).toBe('acme/executionsMonthly/warning/2027-01');
  });

  it('notifies the throttle, the suspension and the lifting', () => {
    const kinds = (usage: TenantUsage, extra: string[] = []) => decideEnforcement([input(usage, { extra })], platform, now).notices.map((n) => n.kind);
    expect(kinds({ executionsMonth: 1000 })).toEqual(['warning', 'throttle', 'suspend']);
    expect(kinds({ executionsMonth: 1 }, SUSPENDED)).toEqual(['lifted']);
  });

  it('reports a pro tenant\'s overage as the period total, one identifier per tenant, limit and hour', () => {
    const decision = decideEnforcement([input({ executionsMonth: 10250 }, { plan: 'pro', extra: ['billing: { stripeCustomerId: cus_Acme1 }'] })], platform, now);
    expect(decision.meterEvents).toEqual([{ tenant: 'acme', customer: 'cus_Acme1', limit: 'executionsMonthly', value: 250, identifier: 'acme:executionsMonthly:2026-12-06T01', hour: '2026-12-06T01' }]);
    const sameHour = decideEnforcement([input({ executionsMonth: 10300 }, { plan: 'pro' })], platform, new Date('2026-12-06T01:59:00Z'));
    expect(sameHour.meterEvents[0]?.identifier).toBe('acme:executionsMonthly:2026-12-06T01');
    expect(sameHour.meterEvents[0]).not.toHaveProperty('customer');
  });

  it('bills nothing at or under the limit, and nothing for starter', () => {
    expect(decideEnforcement([input({ executionsMonth: 10000 }, { plan: 'pro' }), input({ executionsMonth: 5000 }, { name: 'b' })], platform, now).meterEvents).toEqual([]);
  });

  it("a tenant with a Stripe subscription is keyed and suspended on the subscription's period", () => {
    const period = { start: new Date('2026-11-15T10:00:00Z'), end: new Date('2026-12-15T10:00:00Z') };
    const decision = decideEnforcement([{ ...input({ executionsMonth: 1000 }), period }], platform, now);
    expect(decision.notices.map((n) => n.key)).toEqual(['acme/executionsMonthly/warning/2026-11-15', 'acme/executionsMonthly/throttle/2026-11-15', 'acme/executionsMonthly/suspend/2026-11-15']);
    expect(decision.proposals[0]?.edits.find((e) => e.path.join('.') === 'spec.suspendedReason')?.value).toBe('enforcement: executionsMonthly at 100 % of 1,000 in 2026-11-15');
    // Past its end (renewed, not read yet): the next period on the same anchor.
    const later = decideEnforcement([{ ...input({ executionsMonth: 850 }), period }], platform, new Date('2026-12-20T00:00:00Z'));
    expect(later.notices[0]?.key).toBe('acme/executionsMonthly/warning/2026-12-15');
  });

  it('the billing period is the UTC calendar month', () => {
    expect(billingPeriod(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(billingPeriod(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01');
  });
});

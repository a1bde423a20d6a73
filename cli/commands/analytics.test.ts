import { describe, expect, it } from 'vitest';
import { renderCosts, renderForecast, renderGrowth, renderRecommendations } from './analytics.js';

describe('renderCosts', () => {
  it('prints the tenants, the plans and the total, in cents', () => {
    const text = renderCosts({
      currency: 'EUR',
      tenants: [{ tenant: 'acme', plan: 'pro', mode: 'dedicated', suspended: false, monthly: { total: 71.7 } }, { tenant: 'cold', plan: 'pro', mode: 'dedicated', suspended: true, monthly: { total: 6 } }],
      plans: [{ plan: 'pro', tenants: 2, monthly: 77.7 }],
      total_monthly_cost: 77.7,
    });
    expect(text).toBe([
      'Monthly cost per tenant (EUR)',
      'TENANT  PLAN  MODE                   MONTHLY EUR',
      'acme    pro   dedicated              71.70',
      'cold    pro   dedicated (suspended)  6.00',
      '',
      'By plan',
      'PLAN  TENANTS  MONTHLY EUR',
      'pro   2        77.70',
      '',
      'Total: 77.70 EUR a month',
      '',
    ].join('\n'));
  });
});

describe('renderGrowth, renderForecast, renderRecommendations', () => {
  it('growth: a row a point (dashes before the first commit), the rates and the phases', () => {
    const text = renderGrowth({
      period: '2d',
      step: '1d',
      points: [
        { at: '2026-12-04T00:00:00.000Z', tenants: null, by_mode: null, suspended: null, allocated: null },
        { at: '2026-12-05T00:00:00.000Z', tenants: 2, by_mode: { shared: 1, dedicated: 1 }, suspended: 0, allocated: { cores: 6, memory_mb: 6144 } },
        { at: '2026-12-06T00:00:00.000Z', tenants: 3, by_mode: { shared: 2, dedicated: 1 }, suspended: 1, allocated: { cores: 6, memory_mb: 6144 } },
      ],
      rates: { tenants_per_30d: 30, shared_per_30d: 30, dedicated_per_30d: 0, cores_per_30d: 0, memory_mb_per_30d: null },
      phases: { active: 2 },
    });
    expect(text.split('\n')).toEqual([
      "Tenants over 2d (a point every 1d, from the config's git history)",
      'AT          TENANTS  SHARED  DEDICATED  SUSPENDED  CORES  MEMORY MB',
      '2026-12-04  -        -       -          -          -      -',
      '2026-12-05  2        1       1          0          6      6144',
      '2026-12-06  3        2       1          1          6      6144',
      '',
      'Per 30 days: tenants +30.00, shared +30.00, dedicated +0.00, cores +0.00, memory MB -',
      'Phases now (store): active 2',
      '',
    ]);
  });

  it('forecast: a row a candidate, or (none)', () => {
    const candidate = { tenant: 'hooli', plan: 'pro', first_day: 16, first_date: '2026-12-22T00:00:00.000Z', score_first: 20, score: 34, priority: 'low', reasons: ['High queue latency: 8.6 s p95'] };
    expect(renderForecast({ period: '14d', horizon_days: 30, candidates: [candidate] }).split('\n').slice(1, 3)).toEqual([
      'TENANT  PLAN  DAY  DATE        SCORE THEN  SCORE DAY 30  PRIORITY  REASONS',
      'hooli   pro   16   2026-12-22  20          34            low       High queue latency: 8.6 s p95',
    ]);
    expect(renderForecast({ period: '14d', horizon_days: 30, candidates: [] })).toBe('Promotion candidates within 30 days on the trends of the last 14d\n(none)\n');
  });

  it('recommendations: hosts, allocation, the advice, the over-allocated tenants', () => {
    const text = renderRecommendations({
      period: '30d',
      hosts: [{ name: 'host-a', cpus: 24, memory_mb: 65536, source: 'docker-info' }],
      capacity: { cores: 24, memory_mb: 65536 },
      allocated: { cores: 18, memory_mb: 18432 },
      over_allocated: [{ tenant: 'acme', plan: 'pro', containers: 3, allocated: { cpu: 2, memory_mb: 2048 }, p95: { cpu_percent: 10, memory_percent: null }, suggested: { cpu: 0.5, memory_mb: 2048 }, reclaimable: { cores: 4.5, memory_mb: 0 } }],
      recommendations: ['CPU: full in 60 days (2027-02-04) at +3 cores per 30 days'],
    });
    expect(text.split('\n')).toEqual([
      'Hosts: host-a: 24 CPUs, 65536 MB (docker-info)',
      'Allocated to dedicated tenants: 18 of 24 cores, 18432 of 65536 MB',
      '- CPU: full in 60 days (2027-02-04) at +3 cores per 30 days',
      '',
      'Over-allocated over 30d',
      'TENANT  PLAN  CONTAINERS  CPU  MEMORY MB  P95 CPU %  P95 MEM %  SUGGESTED CPU  SUGGESTED MB  FREES CORES  FREES MB',
      'acme    pro   3           2    2048       10         -          0.5            2048          4.5          0',
      '',
    ]);
  });
});

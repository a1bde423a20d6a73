import { describe, expect, it } from 'vitest';
import { renderCosts } from './analytics.js';

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

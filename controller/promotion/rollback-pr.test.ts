import { describe, expect, it } from 'vitest';
import type { Operation } from '../store/types.js';
import { rollbackEdit, rollbackPrBody } from './rollback-pr.js';

const UMBRELLA = `apiVersion: rp9.io/v1
kind: Tenant
metadata:
  name: umbrella
spec:
  plan: enterprise
  # moving
  mode: dedicated
  subdomain: umbrella
  promotion:
    window: "2026-12-05T22:00:00Z"
    ttlMinutes: 10
  billing: { stripeCustomerId: cus_Umbrella9 }
`;

describe('rollbackEdit', () => {
  it('sets mode shared and removes spec.promotion, keeping comments and the rest', () => {
    expect(rollbackEdit(UMBRELLA, 'tenants/umbrella.yaml')).toBe(`apiVersion: rp9.io/v1
kind: Tenant
metadata:
  name: umbrella
spec:
  plan: enterprise
  # moving
  mode: shared
  subdomain: umbrella
  billing: { stripeCustomerId: cus_Umbrella9 }
`);
  });
  it('refuses a file it cannot parse, naming it', () => {
    expect(() => rollbackEdit('spec: [', 'tenants/x.yaml')).toThrow(/tenants\/x.yaml: cannot edit/);
  });
});

describe('rollbackPrBody', () => {
  it('names the operation, the failed step and the error', () => {
    const op = {
      id: 'op-1', tenant: 'umbrella', kind: 'promotion', status: 'rolled-back', currentStep: 0, state: {}, error: '[promotion.freeze-expired] too long',
      steps: [{ name: 'verify', status: 'rolled-back', startedAt: null, finishedAt: null, error: '[promotion.freeze-expired] too long' }],
      startedAt: new Date(), updatedAt: new Date(), finishedAt: new Date(),
    } as Operation;
    const body = rollbackPrBody(op);
    expect(body).toContain('`op-1`');
    expect(body).toContain('Failed at step: `verify`');
    expect(body).toContain('[promotion.freeze-expired] too long');
  });
});

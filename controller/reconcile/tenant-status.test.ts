import { describe, expect, it } from 'vitest';
import { deriveTenantStatus, reasonFromCode, type PreviousStatus, type TenantOutcome } from './tenant-status.js';

const commit = 'abcdef1234567890abcdef1234567890abcdef12';
const readyActive: PreviousStatus = {
  phase: 'active',
  appliedSpecHash: 'h1',
  conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision abcdef123456' }],
};
const failingTransient: PreviousStatus = {
  phase: 'active',
  appliedSpecHash: 'h1',
  conditions: [{ type: 'Ready', status: 'False', reason: 'Unreachable', message: 'docker down' }],
};
const applied = (actions: string[], suspended = false): TenantOutcome => ({ kind: 'applied', commit, generation: 'g', specHash: 'h2', suspended, actions });
const failed = (transient: boolean, message = 'docker down', code = 'docker.unreachable'): TenantOutcome => ({ kind: 'failed', commit, generation: 'g', code, message, transient, actions: [] });

describe('reasonFromCode', () => {
  it.each([
    ['docker.image-missing', 'ImageMissing'],
    ['apply.failed', 'Failed'],
    ['plan.mass-deletion', 'MassDeletion'],
    ['weird', 'Weird'],
    ['', 'Unknown'],
  ])('%s → %s', (code, reason) => expect(reasonFromCode(code)).toBe(reason));
});

const waiting: TenantOutcome = { kind: 'waiting', commit, generation: 'g', reason: 'WaitingForDocker', message: 'Waiting for Docker: connect ENOENT' };

describe('deriveTenantStatus', () => {
  it.each<[string, PreviousStatus | undefined, TenantOutcome, { phase?: string; ready: string; stalled: string; reconciling: string; events: string[] }]>([
    ['first apply of a new tenant', undefined, applied(['create container rp9-acme-main']), { phase: 'active', ready: 'True', stalled: 'False', reconciling: 'False', events: ['Applied'] }],
    ['a no-op reconcile of a ready tenant records nothing', readyActive, applied([]), { phase: 'active', ready: 'True', stalled: 'False', reconciling: 'False', events: [] }],
    ['recovery after a failure is an event even without actions', failingTransient, applied([]), { phase: 'active', ready: 'True', stalled: 'False', reconciling: 'False', events: ['Recovered'] }],
    ['suspension moves the phase and says so', readyActive, applied(['stop container rp9-acme-main'], true), { phase: 'suspended', ready: 'True', stalled: 'False', reconciling: 'False', events: ['Applied', 'Suspended'] }],
    ['a transient failure keeps the phase and retries', readyActive, failed(true), { phase: 'active', ready: 'False', stalled: 'False', reconciling: 'True', events: ['Unreachable'] }],
    ['the same transient failure again records no new event', failingTransient, failed(true), { phase: 'active', ready: 'False', stalled: 'False', reconciling: 'True', events: [] }],
    ['a terminal failure stalls with a reason', readyActive, failed(false, 'image rp9/n8n:9 not found', 'docker.image-missing'), { phase: 'failed', ready: 'False', stalled: 'True', reconciling: 'False', events: ['ImageMissing'] }],
    ['a new tenant waiting for Docker is provisioning, reconciling, not stalled', undefined, waiting, { phase: 'provisioning', ready: 'False', stalled: 'False', reconciling: 'True', events: ['WaitingForDocker'] }],
    ['still waiting for Docker records no new event', { phase: 'provisioning', conditions: [{ type: 'Ready', status: 'False', reason: 'WaitingForDocker', message: waiting.message }], appliedSpecHash: null }, waiting, { phase: 'provisioning', ready: 'False', stalled: 'False', reconciling: 'True', events: [] }],
    ['an invalid tenant file stalls without touching the phase', readyActive, { kind: 'invalid', commit, message: 'tenants/acme.yaml:3: unknown field' }, { ready: 'False', stalled: 'True', reconciling: 'False', events: ['ValidationFailed'] }],
  ])('%s', (_name, previous, outcome, expected) => {
    // Act
    const { update, events } = deriveTenantStatus(previous, outcome);

    // Assert
    const status = (type: string) => update.conditions.find((c) => c.type === type)?.status;
    expect(update.phase).toBe(expected.phase);
    expect({ ready: status('Ready'), stalled: status('Stalled'), reconciling: status('Reconciling') }).toEqual({
      ready: expected.ready,
      stalled: expected.stalled,
      reconciling: expected.reconciling,
    });
    expect(events.map((e) => e.reason)).toEqual(expected.events);
    expect(update.observedCommit).toBe(commit);
  });

  it('records the applied commit and spec hash only when applied', () => {
    expect(deriveTenantStatus(readyActive, applied([])).update).toMatchObject({ appliedCommit: commit, appliedSpecHash: 'h2' });
    expect(deriveTenantStatus(readyActive, failed(true)).update.appliedCommit).toBeUndefined();
    expect(deriveTenantStatus(undefined, waiting).update.appliedCommit).toBeUndefined();
  });
});

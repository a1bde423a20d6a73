import { describe, expect, it } from 'vitest';
import type { Operation } from '../store/types.js';
import { CLEANUP_KIND, dueCleanups } from './cleanup-due.js';

const NOW = new Date('2026-12-20T12:00:00Z');
const DAY = 86_400_000;

function op(kind: string, fields: Partial<Operation> & { state?: Record<string, unknown> } = {}): Operation {
  const startedAt = fields.startedAt ?? new Date(NOW.getTime() - 10 * DAY);
  return {
    id: `${kind}-${startedAt.getTime()}`,
    tenant: 'acme',
    kind,
    status: 'done',
    steps: [],
    currentStep: 0,
    state: {},
    error: null,
    startedAt,
    updatedAt: startedAt,
    finishedAt: new Date(startedAt.getTime() + 60_000),
    ...fields,
  };
}

const promoted = op('promotion', { id: 'p1', state: { cleanupAfter: new Date(NOW.getTime() - DAY).toISOString() } });
const dedicated = [{ name: 'acme', mode: 'dedicated' as const }];

describe('dueCleanups', () => {
  it.each([
    { name: 'grace passed, nothing else: due', tenants: dedicated, ops: [promoted], expected: [{ tenant: 'acme', promotionId: 'p1' }] },
    { name: 'grace not passed yet', tenants: dedicated, ops: [op('promotion', { id: 'p1', state: { cleanupAfter: new Date(NOW.getTime() + 1000).toISOString() } })], expected: [] },
    { name: 'no cleanupAfter recorded (an older journal)', tenants: dedicated, ops: [op('promotion', { id: 'p1' })], expected: [] },
    { name: 'git says shared now', tenants: [{ name: 'acme', mode: 'shared' as const }], ops: [promoted], expected: [] },
    { name: 'tenant gone from git', tenants: [], ops: [promoted], expected: [] },
    { name: 'latest promotion rolled back', tenants: dedicated, ops: [op('promotion', { id: 'p2', status: 'rolled-back', startedAt: new Date(NOW.getTime() - DAY) }), promoted], expected: [] },
    { name: 'latest promotion still running', tenants: dedicated, ops: [op('promotion', { id: 'p2', status: 'running', finishedAt: null, startedAt: new Date(NOW.getTime() - DAY) }), promoted], expected: [] },
    { name: 'demoted since: the shared copy is live', tenants: dedicated, ops: [op('demotion', { startedAt: new Date(NOW.getTime() - 2 * DAY) }), promoted], expected: [] },
    { name: 'a demotion before the promotion does not count', tenants: dedicated, ops: [promoted, op('demotion', { startedAt: new Date(NOW.getTime() - 30 * DAY) })], expected: [{ tenant: 'acme', promotionId: 'p1' }] },
    { name: 'already cleaned up', tenants: dedicated, ops: [op(CLEANUP_KIND, { state: { promotionId: 'p1' }, startedAt: new Date(NOW.getTime() - DAY / 2) }), promoted], expected: [] },
    { name: 'cleanup running', tenants: dedicated, ops: [op(CLEANUP_KIND, { status: 'running', finishedAt: null, state: { promotionId: 'p1' }, startedAt: new Date(NOW.getTime() - 60_000) }), promoted], expected: [] },
    { name: 'a cleanup of an older promotion does not count', tenants: dedicated, ops: [op(CLEANUP_KIND, { state: { promotionId: 'p0' }, startedAt: new Date(NOW.getTime() - DAY / 2) }), promoted], expected: [{ tenant: 'acme', promotionId: 'p1' }] },
    { name: 'failed less than an hour ago: wait', tenants: dedicated, ops: [op(CLEANUP_KIND, { status: 'failed', state: { promotionId: 'p1' }, startedAt: new Date(NOW.getTime() - 30 * 60_000) }), promoted], expected: [] },
    { name: 'failed over an hour ago: again', tenants: dedicated, ops: [op(CLEANUP_KIND, { status: 'failed', state: { promotionId: 'p1' }, startedAt: new Date(NOW.getTime() - 2 * 3_600_000) }), promoted], expected: [{ tenant: 'acme', promotionId: 'p1' }] },
    {
      name: 'failed three times: given up (the events say why)',
      tenants: dedicated,
      ops: [1, 2, 3].map((h) => op(CLEANUP_KIND, { id: `c${h}`, status: 'failed', state: { promotionId: 'p1' }, startedAt: new Date(NOW.getTime() - h * 2 * 3_600_000) })).concat(promoted),
      expected: [],
    },
  ])('$name', ({ tenants, ops, expected }) => {
    expect(dueCleanups(tenants, ops, NOW)).toEqual(expected);
  });
});

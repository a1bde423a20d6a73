import { describe, expect, it } from 'vitest';
import type { Action, Availability, Plan, TenantPlan } from '../model.js';
import { gatePlan } from './gate.js';

function action(kind: Action['kind'], op: Action['op'] = 'create'): Action {
  return { op, kind, name: `${kind}-x`, tenant: 't', reason: 'r', changes: [], downtime: false };
}
function tenant(name: string, actions: Action[]): TenantPlan {
  return { tenant: name, change: 'update', actions: actions.map((a) => ({ ...a, tenant: name })) };
}
const plan = (tenants: TenantPlan[]): Plan => ({ environment: 'e', tenants, summary: { create: 0, update: 0, recreate: 0, delete: 0, retain: 0, unchanged: 0, downtime: 0 } });
const up = { available: true };
const down = { available: false, reason: 'ENOENT' };
const all: Availability = { docker: up, database: up, routes: up };

describe('gatePlan', () => {
  const shared = tenant('shared', [action('route')]);
  const dedicated = tenant('dedicated', [action('database'), action('volume'), action('container'), action('route')]);
  const retained = tenant('gone', [action('route', 'delete'), action('database', 'retain')]);

  it.each<[string, Availability, boolean, string[], string[]]>([
    ['everything reachable: all tenants run', all, true, ['shared', 'dedicated', 'gone'], []],
    ['no Docker: routes-only tenants still run', { ...all, docker: down }, true, ['shared', 'gone'], ['dedicated:docker.waiting-for-docker']],
    ['no tenant database server configured: dedicated stalls', all, false, ['shared', 'gone'], ['dedicated:controller.no-tenant-database']],
    ['tenant database server down: dedicated waits', { ...all, database: down }, true, ['shared', 'gone'], ['dedicated:postgres.unreachable']],
  ])('%s', (_name, availability, tenantDatabases, runs, holds) => {
    // Act
    const gated = gatePlan(plan([shared, dedicated, retained]), availability, { tenantDatabases });

    // Assert
    expect(gated.plan.tenants.map((t) => t.tenant)).toEqual(runs);
    expect(gated.held.map((h) => `${h.tenant}:${h.code}`)).toEqual(holds);
  });

  it('marks a missing tenant database server as terminal and an unreachable one as transient', () => {
    const noServer = gatePlan(plan([dedicated]), all, { tenantDatabases: false }).held[0];
    const serverDown = gatePlan(plan([dedicated]), { ...all, database: down }, { tenantDatabases: true }).held[0];
    expect([noServer?.transient, serverDown?.transient]).toEqual([false, true]);
  });
});

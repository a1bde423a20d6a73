import { describe, expect, it } from 'vitest';
import type { Action, FieldChange, TenantPlan } from '../model.js';
import { actionDirections, autoscaleEvents, scaleDirection, type AutoscaleEvent } from './autoscale-events.js';

const change = (field: string, from: unknown, to: unknown): FieldChange => ({ field, from, to });

function container(name: string, op: Action['op'], changes: FieldChange[]): Action {
  return { op, kind: 'container', name, tenant: 'acme', reason: 'test', changes, downtime: false };
}

function tenantPlan(change: TenantPlan['change'], actions: Action[]): TenantPlan {
  return { tenant: 'acme', change, actions };
}

describe('scaleDirection', () => {
  it.each<[FieldChange, string | undefined]>([
    [change('cpu', 2, 3), 'scale_up'],
    [change('cpu', 3, 2), 'scale_down'],
    [change('cpu', 0.5, 1), 'scale_up'],
    [change('memoryMb', 2048, 4096), 'scale_up'],
    [change('memoryMb', 4096, 2048), 'scale_down'],
    [change('cpu', 2, 2), undefined],
    [change('cpu', 0, 2), undefined], // 0 is "no limit" in Docker
    [change('cpu', 2, 0), undefined],
    [change('cpu', -1, 2), undefined],
    [change('cpu', '2', 3), undefined],
    [change('cpu', 2, Number.POSITIVE_INFINITY), undefined],
    [change('cpu', Number.NaN, 2), undefined],
    [change('image', 'n8n:1.123.4', 'n8n:1.123.5'), undefined],
    [change('state', 'exited', 'running'), undefined],
    [change('config', 'a', 'b'), undefined],
  ])('%j → %s', (fieldChange, expected) => {
    expect(scaleDirection(fieldChange)).toBe(expected);
  });
});

describe('actionDirections', () => {
  it.each<[string, Action, string[]]>([
    ['an in-place cpu update', container('rp9-acme-main', 'update', [change('cpu', 2, 3)]), ['scale_up']],
    ['a recreate that also changes memory', container('rp9-acme-main', 'recreate', [change('image', 'a', 'b'), change('memoryMb', 2048, 1024)]), ['scale_down']],
    ['cpu up and memory down at once', container('rp9-acme-main', 'update', [change('cpu', 2, 3), change('memoryMb', 2048, 1024)]), ['scale_up', 'scale_down']],
    ['cpu and memory up: one direction', container('rp9-acme-main', 'update', [change('cpu', 2, 3), change('memoryMb', 2048, 4096)]), ['scale_up']],
    ['a start is not scaling', container('rp9-acme-main', 'start', [change('state', 'exited', 'running')]), []],
    ['a worker created is not counted (no from → to)', container('rp9-acme-worker-3', 'create', []), []],
    ['a worker deleted is not counted', container('rp9-acme-worker-3', 'delete', []), []],
    ['a route update is not scaling', { op: 'update', kind: 'route', name: 'acme', tenant: 'acme', reason: 'hosts', changes: [change('cpu', 1, 2)], downtime: false }, []],
  ])('%s', (_name, action, expected) => {
    expect(actionDirections(action)).toEqual(expected);
  });
});

describe('autoscaleEvents', () => {
  const mainUp = container('rp9-acme-main', 'update', [change('cpu', 2, 3)]);
  const worker1Up = container('rp9-acme-worker-1', 'update', [change('cpu', 2, 3)]);
  const worker2Up = container('rp9-acme-worker-2', 'update', [change('cpu', 2, 3)]);
  const mainDown = container('rp9-acme-main', 'update', [change('memoryMb', 4096, 2048)]);
  const route = { op: 'update', kind: 'route', name: 'acme', tenant: 'acme', reason: 'hosts changed', changes: [], downtime: false } satisfies Action;
  const up = (success: boolean): AutoscaleEvent => ({ tenant: 'acme', action: 'scale_up', success });
  const down = (success: boolean): AutoscaleEvent => ({ tenant: 'acme', action: 'scale_down', success });

  it.each<[string, TenantPlan, Action[], AutoscaleEvent[]]>([
    ['cpu 2 → 3 on main and two workers, all applied: one scale_up', tenantPlan('update', [mainUp, worker1Up, worker2Up]), [mainUp, worker1Up, worker2Up], [up(true)]],
    ['one of them failed: the scale_up failed', tenantPlan('update', [mainUp, worker1Up, worker2Up]), [mainUp, worker1Up], [up(false)]],
    ['nothing was carried out (an earlier action failed)', tenantPlan('update', [route, mainUp]), [], [up(false)]],
    ['up and down in one change: one of each', tenantPlan('update', [mainUp, mainDown]), [mainUp, mainDown], [up(true), down(true)]],
    ['a down that applied next to an up that did not', tenantPlan('update', [mainDown, worker1Up]), [mainDown], [up(false), down(true)]],
    ['no resource change', tenantPlan('update', [route]), [route], []],
    ['a new tenant is not scaling', tenantPlan('create', [container('rp9-acme-main', 'create', [])]), [], []],
    ['a removed tenant is not scaling', tenantPlan('delete', [container('rp9-acme-main', 'delete', [])]), [], []],
    ['a noop plan', tenantPlan('noop', []), [], []],
  ])('%s', (_name, plan, done, expected) => {
    expect(autoscaleEvents(plan, done)).toEqual(expected);
  });

  it('matches carried-out actions by what they are, not by object identity', () => {
    const plan = tenantPlan('update', [mainUp]);

    expect(autoscaleEvents(plan, [structuredClone(mainUp)])).toEqual([up(true)]);
  });
});

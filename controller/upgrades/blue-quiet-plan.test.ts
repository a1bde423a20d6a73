import { describe, expect, it } from 'vitest';
import { activationItems, activationPlan, carriedQuietly, quietModeFor, quietOf, quietSet, withPublishedVersions, type VersionContent } from './blue-quiet-plan.js';

const schedule = [{ type: 'n8n-nodes-base.scheduleTrigger' }];
const webhook = [{ type: 'n8n-nodes-base.webhook' }];

describe('quietModeFor', () => {
  it.each([
    ['2.41.1', 'quiet'],
    ['2.0.0', 'quiet'],
    ['1.123.81', 'live'],
  ])('blue on %s is %s', (version, mode) => {
    expect(quietModeFor(version).mode).toBe(mode);
  });

  it('says why a 1.x blue stays live', () => {
    expect(quietModeFor('1.123.81')).toEqual({ mode: 'live', reason: expect.stringContaining('cannot activate a workflow in a running instance') });
  });
});

describe('quietSet', () => {
  it.each([
    { name: 'nothing active', active: [], out: { active: [], quiet: [] } },
    { name: 'webhook-only stays', active: [{ id: 'a', nodes: webhook }], out: { active: ['a'], quiet: [] } },
    { name: 'a schedule is quieted', active: [{ id: 'b', nodes: schedule }, { id: 'a', nodes: webhook }], out: { active: ['a', 'b'], quiet: ['b'] } },
    { name: 'the active version decides too', active: [{ id: 'a', nodes: webhook, activeNodes: schedule }], out: { active: ['a'], quiet: ['a'] } },
    { name: 'a draft with a schedule over a webhook-only active version', active: [{ id: 'a', nodes: schedule, activeNodes: webhook }], out: { active: ['a'], quiet: ['a'] } },
    { name: 'an unpublished draft: the active version is journaled', active: [{ id: 'a', nodes: webhook, activeNodes: schedule, versionId: 'v2', activeVersionId: 'v1' }, { id: 'b', nodes: schedule, activeNodes: schedule, versionId: 'v3', activeVersionId: 'v3' }], out: { active: ['a', 'b'], quiet: ['a', 'b'], published: { a: 'v1' } } },
    { name: 'a webhook-only workflow with a draft is not quieted', active: [{ id: 'a', nodes: webhook, activeNodes: webhook, versionId: 'v2', activeVersionId: 'v1' }], out: { active: ['a'], quiet: [] } },
    { name: 'code-unit order (mixed-case ids)', active: [{ id: 'b', nodes: schedule }, { id: 'Z', nodes: schedule }, { id: 'a', nodes: schedule }], out: { active: ['Z', 'a', 'b'], quiet: ['Z', 'a', 'b'] } },
  ])('$name', ({ active, out }) => {
    expect(quietSet(active)).toEqual({ mode: 'quiet', ...out });
  });
});

describe('quietOf', () => {
  it.each([
    { state: {}, out: undefined },
    { state: { quiet: { mode: 'live', reason: '1.x' } }, out: undefined },
    { state: { quiet: { mode: 'quiet', active: ['a'] } }, out: undefined },
    { state: { quiet: { mode: 'quiet', active: ['a', 'b'], quiet: ['b'] } }, out: { mode: 'quiet', active: ['a', 'b'], quiet: ['b'] } },
  ])('%j', ({ state, out }) => {
    expect(quietOf(state)).toEqual(out);
  });
});

describe('activationPlan', () => {
  it.each([
    { green: ['a', 'b'], blue: [], plan: { activate: ['a', 'b'], already: [], blueOnly: [] } },
    { green: ['b', 'a'], blue: ['a'], plan: { activate: ['b'], already: ['a'], blueOnly: [] } },
    { green: ['a'], blue: ['a', 'sub'], plan: { activate: [], already: ['a'], blueOnly: ['sub'] } },
    { green: [], blue: ['sub'], plan: { activate: [], already: [], blueOnly: ['sub'] } },
    { green: [], blue: [], plan: { activate: [], already: [], blueOnly: [] } },
  ])('green $green, blue $blue', ({ green, blue, plan }) => {
    expect(activationPlan(green, blue)).toEqual(plan);
  });
});

describe('activationItems', () => {
  const exported = [{ id: 'a', name: 'A', active: false, nodes: [] }, { id: 'b', name: 'B', active: false, nodes: [] }, { id: 'c', name: 'C', active: false }];

  it('takes blue\'s export of the ids, marked active, in the order asked', () => {
    expect(activationItems(exported, ['b', 'a'])).toEqual({ items: [{ id: 'b', name: 'B', active: true, nodes: [] }, { id: 'a', name: 'A', active: true, nodes: [] }], missing: [] });
  });

  it('names the ids the export lacks', () => {
    expect(activationItems(exported, ['a', 'z'])).toEqual({ items: [{ id: 'a', name: 'A', active: true, nodes: [] }], missing: ['z'] });
  });

  it('leaves the export as it was', () => {
    activationItems(exported, ['a']);
    expect(exported[0]!.active).toBe(false);
  });
});

describe('carriedQuietly', () => {
  it.each([
    { name: 'an active schedule goes in inactive', item: { id: 'a', active: true, nodes: schedule }, active: false },
    { name: 'an active webhook keeps its flag', item: { id: 'a', active: true, nodes: webhook }, active: true },
    { name: 'an inactive schedule stays inactive', item: { id: 'a', active: false, nodes: schedule }, active: false },
    { name: 'a 2.x export whose active version holds the schedule', item: { id: 'a', active: true, nodes: webhook, activeVersion: { nodes: schedule } }, active: false },
    { name: 'a 2.x export with no active version', item: { id: 'a', active: true, nodes: webhook, activeVersion: null }, active: true },
  ])('$name', ({ item, active }) => {
    expect(carriedQuietly(item)).toEqual({ ...item, active });
  });
});

describe('withPublishedVersions', () => {
  const items = [{ id: 'a', active: true, nodes: webhook, connections: {}, versionId: 'draft' }, { id: 'b', active: true, nodes: schedule, connections: {}, versionId: 'vb' }];
  it.each([
    { name: 'no versions: the items as they are', versions: {}, out: { items, drafts: [] } },
    {
      name: 'a published version replaces the content; the draft is kept aside',
      versions: { a: { nodes: schedule, connections: { x: 1 } } },
      out: { items: [{ ...items[0], nodes: schedule, connections: { x: 1 } }, items[1]], drafts: [{ id: 'a', nodes: webhook, connections: {}, versionId: 'draft' }] },
    },
    { name: 'a version of a workflow not activated is ignored', versions: { z: { nodes: [], connections: {} } }, out: { items, drafts: [] } },
  ])('$name', ({ versions, out }) => {
    expect(withPublishedVersions(items, versions as Record<string, VersionContent>)).toEqual(out);
  });
});

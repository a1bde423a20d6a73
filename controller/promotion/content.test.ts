import { describe, expect, it } from 'vitest';
import { contentDifferences, freezeState, tenantContent, webhookPaths } from './content.js';

const wf = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `wf ${id}`, nodes: [], connections: {}, active: false, ...extra });
const cred = (id: string, data: Record<string, unknown>) => ({ id, name: `c ${id}`, type: 'httpHeaderAuth', data });

describe('contentDifferences', () => {
  const base = tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'x' })]);
  it.each([
    ['the same content', tenantContent([wf('b'), wf('a', { active: true })], [cred('c1', { value: 'x' })]), []],
    ['a missing workflow', tenantContent([wf('a')], [cred('c1', { value: 'x' })]), ['workflows b is missing']],
    ['an extra credential', tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'x' }), cred('c2', {})]), ['credentials c2 is extra']],
  ])('%s', (_name, actual, expected) => {
    expect(contentDifferences(base, actual)).toEqual(expected);
  });
  it('names a credential whose decrypted data differs', () => {
    const [line] = contentDifferences(base, tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'y' })]));
    expect(line).toMatch(/^credentials c1 differs/);
  });
  it('names a workflow whose nodes differ', () => {
    const [line] = contentDifferences(base, tenantContent([wf('a', { nodes: [{ name: 'Set' }] }), wf('b')], [cred('c1', { value: 'x' })]));
    expect(line).toMatch(/^workflows a differs/);
  });
});

describe('webhookPaths', () => {
  const hook = (path: string) => ({ type: 'n8n-nodes-base.webhook', parameters: { path } });
  it('lists the webhook paths of the chosen workflows only, sorted', () => {
    const workflows = [wf('a', { nodes: [hook('zeta'), { type: 'n8n-nodes-base.set', parameters: {} }] }), wf('b', { nodes: [hook('alpha')] }), wf('c', { nodes: [hook('skip')] })];
    expect(webhookPaths(workflows, new Set(['a', 'b']))).toEqual(['alpha', 'zeta']);
  });
});

describe('freezeState', () => {
  const at = new Date('2026-12-06T00:10:00Z');
  it.each([
    [undefined, 10, { seconds: 0, expired: false }],
    ['2026-12-06T00:09:30Z', 1, { seconds: 30, expired: false }],
    ['2026-12-06T00:08:59Z', 1, { seconds: 61, expired: true }],
  ])('frozen at %s with ttl %s min', (frozenAt, ttl, expected) => {
    expect(freezeState(frozenAt, ttl, at)).toEqual(expected);
  });
});

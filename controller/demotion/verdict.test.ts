import { describe, expect, it } from 'vitest';
import { tenantContent } from '../promotion/content.js';
import { demotionVerdict } from './verdict.js';

const wf = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `wf ${id}`, nodes: [], connections: {}, active: false, ...extra });
const cred = (id: string, data: Record<string, unknown>) => ({ id, name: `c ${id}`, type: 'httpHeaderAuth', data });

describe('demotionVerdict', () => {
  const source = tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'x' })]);
  it.each([
    ['the same content, the recorded workflow active', tenantContent([wf('a', { active: true }), wf('b')], [cred('c1', { value: 'x' })]), ['a'], true, [], []],
    ['leftovers from before the promotion, inactive: kept and named', tenantContent([wf('a'), wf('b'), wf('old')], [cred('c1', { value: 'x' }), cred('c0', {})]), ['a'], true, [], ['credentials c0', 'workflows old']],
    ['a missing workflow', tenantContent([wf('a')], [cred('c1', { value: 'x' })]), ['a'], false, ['workflows b is missing'], []],
    ['a credential that differs', tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'y' })]), ['a'], false, [expect.stringMatching(/^credentials c1 differs/)], []],
    ['a recorded workflow not active', tenantContent([wf('a'), wf('b')], [cred('c1', { value: 'x' })]), [], false, ['workflows a is not active on shared'], []],
    ['an extra active one (a leftover activated)', tenantContent([wf('a'), wf('b'), wf('old')], [cred('c1', { value: 'x' })]), ['a', 'old'], false, ['workflows old is active on shared but was not on dedicated'], ['workflows old']],
  ])('%s', (_name, target, targetActive, ok, problems, left) => {
    const verdict = demotionVerdict({ source, target, targetActive, recorded: ['a'] });
    expect(verdict).toEqual({ ok, problems, leftOnShared: left });
  });
});

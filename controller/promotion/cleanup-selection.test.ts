import { describe, expect, it } from 'vitest';
import { cleanupItems, cleanupSelection, type CleanupItem } from './cleanup-selection.js';

const wf = (id: string, active = false): CleanupItem => ({ id, active });
const cred = (id: string): CleanupItem => ({ id });

describe('cleanupSelection', () => {
  it.each([
    {
      name: 'everything moved and inactive on shared: all of it goes',
      shared: { workflows: [wf('b'), wf('a')], credentials: [cred('c1')] },
      dedicated: { workflows: [wf('a', true), wf('b')], credentials: [cred('c1')] },
      expected: { workflows: ['a', 'b'], credentials: ['c1'], kept: { workflows: [], credentials: [] } },
    },
    {
      name: 'made on shared after the move: kept',
      shared: { workflows: [wf('a'), wf('new')], credentials: [cred('c1'), cred('c-new')] },
      dedicated: { workflows: [wf('a')], credentials: [cred('c1')] },
      expected: { workflows: ['a'], credentials: ['c1'], kept: { workflows: [{ id: 'new', why: 'not-on-dedicated' }], credentials: [{ id: 'c-new', why: 'not-on-dedicated' }] } },
    },
    {
      name: 'active again on shared: kept, never deleted under a running trigger',
      shared: { workflows: [wf('a', true), wf('b')], credentials: [] },
      dedicated: { workflows: [wf('a'), wf('b')], credentials: [] },
      expected: { workflows: ['b'], credentials: [], kept: { workflows: [{ id: 'a', why: 'active-on-shared' }], credentials: [] } },
    },
    {
      name: 'nothing left on shared (a second run after a crash): nothing to do',
      shared: { workflows: [], credentials: [] },
      dedicated: { workflows: [wf('a')], credentials: [cred('c1')] },
      expected: { workflows: [], credentials: [], kept: { workflows: [], credentials: [] } },
    },
    {
      name: 'dedicated empty (data lost there?): shared keeps everything',
      shared: { workflows: [wf('a')], credentials: [cred('c1')] },
      dedicated: { workflows: [], credentials: [] },
      expected: { workflows: [], credentials: [], kept: { workflows: [{ id: 'a', why: 'not-on-dedicated' }], credentials: [{ id: 'c1', why: 'not-on-dedicated' }] } },
    },
  ])('$name', ({ shared, dedicated, expected }) => {
    expect(cleanupSelection(shared, dedicated)).toEqual(expected);
  });
});

describe('cleanupItems', () => {
  it('keeps the id as a string and `active` when the export has it', () => {
    expect(cleanupItems([{ id: 'w1', active: true, name: 'x' }, { id: 7, name: 'c' }])).toEqual([{ id: 'w1', active: true }, { id: '7' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { smokeCandidate } from './smoke-candidate.js';

const manual = { type: 'n8n-nodes-base.manualTrigger' };
const webhook = { type: 'n8n-nodes-base.webhook' };
const sub = { type: 'n8n-nodes-base.executeWorkflowTrigger' };

describe('the workflow a restore drill executes', () => {
  it.each([
    ['none', [], undefined],
    ['only a webhook workflow', [{ id: 'a', name: 'hook', nodes: [webhook] }], undefined],
    ['a disabled manual trigger', [{ id: 'a', name: 'off', nodes: [{ ...manual, disabled: true }] }], undefined],
    ['an archived manual workflow', [{ id: 'a', name: 'old', isArchived: true, nodes: [manual] }], undefined],
    ['the first manual one by id', [{ id: 'c', name: 'c', nodes: [manual] }, { id: 'b', name: 'b', nodes: [sub] }, { id: 'a', name: 'hook', nodes: [webhook] }], { id: 'b', name: 'b', why: 'manual trigger' }],
    ['the tagged one first', [{ id: 'a', name: 'a', nodes: [manual] }, { id: 'z', name: 'z', tags: [{ id: 't', name: 'rp9-smoke' }], nodes: [manual] }], { id: 'z', name: 'z', why: 'tagged rp9-smoke' }],
    ['a tag on an unstartable workflow does not count', [{ id: 'a', name: 'a', nodes: [manual] }, { id: 'z', name: 'z', tags: ['rp9-smoke'], nodes: [webhook] }], { id: 'a', name: 'a', why: 'manual trigger' }],
  ])('%s', (_label, workflows, expected) => {
    expect(smokeCandidate(workflows as Record<string, unknown>[])).toEqual(expected);
  });
});

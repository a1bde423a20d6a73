import { describe, expect, it } from 'vitest';
import { firesByItself, isTriggerType, selfFiringTriggers, triggerKind } from './self-firing.js';

describe('triggerKind', () => {
  it.each([
    ['n8n-nodes-base.webhook', true, 'request'],
    ['n8n-nodes-base.formTrigger', true, 'request'],
    ['@n8n/n8n-nodes-langchain.chatTrigger', true, 'request'],
    ['@n8n/n8n-nodes-langchain.mcpTrigger', true, 'request'],
    ['n8n-nodes-base.manualTrigger', true, 'called'],
    ['n8n-nodes-base.start', true, 'called'],
    ['n8n-nodes-base.executeWorkflowTrigger', true, 'called'],
    ['n8n-nodes-base.errorTrigger', true, 'called'],
    ['n8n-nodes-base.scheduleTrigger', true, 'self-firing'],
    ['n8n-nodes-base.cron', true, 'self-firing'],
    ['n8n-nodes-base.interval', true, 'self-firing'],
    ['n8n-nodes-base.emailReadImap', true, 'self-firing'],
    ['n8n-nodes-base.rssFeedReadTrigger', true, 'self-firing'],
    ['n8n-nodes-base.postgresTrigger', true, 'self-firing'],
    ['n8n-nodes-base.githubTrigger', true, 'self-firing'],
    ['n8n-nodes-acme.somethingTrigger', true, 'self-firing'],
  ])('%s: a trigger %s, %s', (type, trigger, kind) => {
    expect(isTriggerType(type)).toBe(trigger);
    expect(triggerKind(type)).toBe(kind);
  });

  it.each(['n8n-nodes-base.noOp', 'n8n-nodes-base.httpRequest', 'n8n-nodes-base.respondToWebhook', 'n8n-nodes-base.form', 'n8n-nodes-base.wait'])('%s is no trigger', (type) => {
    expect(isTriggerType(type)).toBe(false);
  });
});

describe('selfFiringTriggers', () => {
  const node = (type: string, extra: Record<string, unknown> = {}) => ({ name: type, type, ...extra });
  it.each([
    { name: 'a webhook workflow', nodes: [node('n8n-nodes-base.webhook'), node('n8n-nodes-base.respondToWebhook')], out: [] },
    { name: 'a form and a chat', nodes: [node('n8n-nodes-base.formTrigger'), node('@n8n/n8n-nodes-langchain.chatTrigger'), node('n8n-nodes-base.form')], out: [] },
    { name: 'a schedule', nodes: [node('n8n-nodes-base.scheduleTrigger'), node('n8n-nodes-base.noOp')], out: ['n8n-nodes-base.scheduleTrigger'] },
    { name: 'a webhook beside a schedule', nodes: [node('n8n-nodes-base.webhook'), node('n8n-nodes-base.scheduleTrigger')], out: ['n8n-nodes-base.scheduleTrigger'] },
    { name: 'an unknown trigger', nodes: [node('n8n-nodes-acme.fooTrigger')], out: ['n8n-nodes-acme.fooTrigger'] },
    { name: 'a disabled schedule beside a webhook', nodes: [node('n8n-nodes-base.scheduleTrigger', { disabled: true }), node('n8n-nodes-base.webhook')], out: [] },
    { name: 'a sub-workflow', nodes: [node('n8n-nodes-base.executeWorkflowTrigger')], out: [] },
    { name: 'no trigger', nodes: [node('n8n-nodes-base.noOp')], out: [] },
    { name: 'two cron nodes', nodes: [node('n8n-nodes-base.cron'), node('n8n-nodes-base.cron'), node('n8n-nodes-base.interval')], out: ['n8n-nodes-base.cron', 'n8n-nodes-base.interval'] },
    { name: 'not a list', nodes: null, out: [] },
    { name: 'junk entries', nodes: [null, 3, { type: 7 }, { name: 'x' }], out: [] },
  ])('$name: $out', ({ nodes, out }) => {
    expect(selfFiringTriggers(nodes)).toEqual(out);
  });
});

describe('firesByItself', () => {
  const schedule = [{ type: 'n8n-nodes-base.scheduleTrigger' }];
  const webhook = [{ type: 'n8n-nodes-base.webhook' }];
  it.each([
    { lists: [webhook], out: false },
    { lists: [schedule], out: true },
    { lists: [webhook, schedule], out: true },
    { lists: [schedule, webhook], out: true },
    { lists: [webhook, undefined], out: false },
    { lists: [], out: false },
  ])('%#: $out', ({ lists, out }) => {
    expect(firesByItself(...lists)).toBe(out);
  });
});

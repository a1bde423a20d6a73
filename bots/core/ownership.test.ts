import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BotError } from './errors.js';
import { changedFields, checkOwnership, type BranchOwner } from './ownership.js';
import type { BotName } from './types.js';
import { applyEdits } from './yaml-edit.js';

const root = new URL('../../', import.meta.url);
const acme = readFileSync(new URL('tenants/acme.yaml', root), 'utf8');

describe('changedFields', () => {
  it.each<[string, string, string, string[]]>([
    ['identical documents', 'a: 1\n', 'a: 1\n', []],
    ['formatting and comments only', 'a: { b: 1, c: [x, y] }\n', '# note\na:\n  b: 1   # one\n  c:\n    - x\n    - y\n', []],
    ['one scalar', 'spec: { resources: { cpu: 2, workers: 2 } }\n', 'spec: { resources: { cpu: 2, workers: 3 } }\n', ['spec.resources.workers']],
    ['a new map lists its leaves', 'spec: { plan: pro }\n', 'spec: { plan: pro, promotion: { window: x, ttlMinutes: 10 } }\n', ['spec.promotion.ttlMinutes', 'spec.promotion.window']],
    ['a removed map lists its leaves', 'spec: { limits: { a: 1, b: 2 } }\n', 'spec: {}\n', ['spec.limits.a', 'spec.limits.b']],
    ['an array element by index', 'spec: { customDomains: [a.example, b.example] }\n', 'spec: { customDomains: [a.example, c.example, d.example] }\n', ['spec.customDomains[1]', 'spec.customDomains[2]']],
    ['a key with dots is bracketed', 'metadata: { labels: {} }\n', 'metadata: { labels: { rp9.io/canary: "true" } }\n', ['metadata.labels["rp9.io/canary"]']],
    ['a type change at a branch is one field', 'spec: { limits: 5 }\n', 'spec: { limits: { a: 1 } }\n', ['spec.limits']],
    ['an empty map appearing is the map itself', 'spec: {}\n', 'spec: { limits: {} }\n', ['spec.limits']],
    ['a whole-document change', 'a: 1\n', '- 1\n', ['']],
  ])('%s', (_name, before, after, expected) => {
    // Act
    const fields = changedFields(before, after);

    // Assert
    expect(fields).toEqual(expected);
  });

  it('sees exactly the fields applyEdits changed on an example tenant', () => {
    // Arrange
    const after = applyEdits(acme, [{ path: ['spec', 'resources', 'cpu'], value: 3 }, { path: ['spec', 'n8n', 'version'], value: '1.124.0' }]);

    // Act
    const fields = changedFields(acme, after);

    // Assert
    expect(fields).toEqual(['spec.n8n.version', 'spec.resources.cpu']);
  });

  it('names the file and line of unparsable input', () => {
    // Act
    const act = () => changedFields('a: 1\n', 'a: [\n', { after: 'tenants/acme.yaml' });

    // Assert
    expect(act).toThrow(BotError);
    expect(act).toThrow(/^tenants\/acme\.yaml:\d+:\d+: /);
  });
});

describe('checkOwnership', () => {
  it.each<[BranchOwner, string[], string[]]>([
    ['autoscale', ['spec.resources.cpu', 'spec.resources.workers'], []],
    ['autoscale', ['spec.resources'], []],
    ['autoscale', ['spec.resourcesExtra'], ['spec.resourcesExtra']],
    ['autoscale', ['spec.resources.cpu', 'spec.plan'], ['spec.plan']],
    ['promotion', ['spec.mode', 'spec.promotion.window', 'spec.promotion.ttlMinutes'], []],
    ['promotion', ['spec.resources.cpu'], ['spec.resources.cpu']],
    ['upgrades', ['spec.n8n.version'], []],
    ['upgrades', ['spec.n8n'], ['spec.n8n']],
    ['enforcement', ['spec.suspended', 'spec.suspendedReason', 'spec.throttle.requestsPerMinute'], []],
    ['enforcement', ['spec.limits.executionsMonthly'], ['spec.limits.executionsMonthly']],
    ['enforcement', ['spec.plan'], ['spec.plan']],
    ['stripe-sync', ['spec.plan', 'spec.limits.apiCallsHourly', 'spec.billing.stripeSubscriptionId'], []],
    ['stripe-sync', ['spec.suspended', 'metadata.labels["rp9.io/canary"]'], ['spec.suspended', 'metadata.labels["rp9.io/canary"]']],
    ['upgrades', [''], ['']],
    ['promote', ['spec.mode', 'spec.promotion.window', 'spec.promotion.reason'], []],
    ['promote', ['spec.mode', 'spec.resources.cpu'], ['spec.resources.cpu']],
    ['promotion-rollback', ['spec.mode', 'spec.promotion'], []],
    ['promotion-rollback', ['spec.mode', 'spec.customDomains[0]', 'spec.n8n.version', 'spec.resources.cpu', 'spec.throttle.concurrency'], []],
    ['promotion-rollback', ['spec.mode', 'spec.plan', 'spec.throttle.requestsPerMinute'], ['spec.plan', 'spec.throttle.requestsPerMinute']],
    ['failover', ['spec.mode', 'spec.promotion', 'spec.customDomains[0]', 'spec.n8n', 'spec.resources', 'spec.throttle.concurrency'], []],
    ['failover', ['spec.mode', 'spec.plan', 'spec.throttle.requestsPerMinute'], ['spec.plan', 'spec.throttle.requestsPerMinute']],
    ['upgrade-revert', ['spec.n8n.version'], []],
    ['upgrade-revert', ['spec.n8n.version', 'spec.n8n.image', 'spec.mode'], ['spec.n8n.image', 'spec.mode']],
    ['api-scale', ['spec.resources.cpu', 'spec.resources.workers'], []],
    ['api-scale', ['spec.resources.cpu', 'spec.plan'], ['spec.plan']],
    ['api-promote', ['spec.mode', 'spec.promotion.window'], []],
    ['api-promote', ['spec.mode', 'spec.customDomains[0]'], ['spec.customDomains[0]']],
    ['api-upgrade', ['spec.n8n.version'], []],
    ['api-upgrade', ['spec.n8n.version', 'spec.resources.cpu'], ['spec.resources.cpu']],
    ['api-create', [], []],
    ['api-create', ['spec.plan'], ['spec.plan']],
  ])('%s changing %j → violations %j', (bot, fields, violations) => {
    // Act
    const result = checkOwnership(bot, fields);

    // Assert
    expect(result.map((v) => v.field)).toEqual(violations);
    for (const violation of result) {
      expect(violation.code).toBe('bots.field-not-owned');
      expect(violation.message).toContain(`${bot} may not change`);
    }
  });

  it('says when an owner has no field of an existing file', () => {
    // Act
    const result = checkOwnership('api-create', ['spec.plan']);

    // Assert
    expect(result.map((v) => v.message)).toEqual(['api-create may not change spec.plan (it owns no field of an existing file)']);
  });

  it('refuses an unknown bot', () => {
    // Act
    const act = () => checkOwnership('janitor' as BotName, ['spec.plan']);
    const inherited = () => checkOwnership('constructor' as BotName, ['spec.plan']);

    // Assert
    expect(act).toThrow(/unknown bot "janitor"/);
    expect(inherited).toThrow(/unknown bot "constructor"/);
  });
});

import { describe, expect, it } from 'vitest';
import { autoMergeDecision } from './auto-merge.js';
import { examplePlatform } from './fixtures.js';
import { RISK_CLASSES, type BotName, type Proposal } from './types.js';

const platform = examplePlatform(new URL('../../', import.meta.url));

function proposal(bot: BotName, riskClass: string): Proposal {
  return { bot, tenant: 'acme', file: 'tenants/acme.yaml', edits: [], riskClass, trigger: '', evidence: [], summary: '', title: '', labels: [] } as unknown as Proposal;
}

describe('autoMergeDecision with the example platform.yaml', () => {
  it.each<[BotName, string, boolean, string]>([
    ['autoscale', 'withinCeiling', true, 'autoMerge.autoscale.withinCeiling = true'],
    ['autoscale', 'beyondCeiling', false, 'autoMerge.autoscale.beyondCeiling = false'],
    ['promotion', 'high', true, 'autoMerge.promotion.high = true'],
    ['promotion', 'medium', true, 'autoMerge.promotion.medium = true'],
    ['promotion', 'low', true, 'autoMerge.promotion.low = true'],
    ['upgrades', 'patch', true, 'autoMerge.upgrades.patch = true'],
    ['upgrades', 'minor', false, 'autoMerge.upgrades.minor = false'],
    ['upgrades', 'major', false, 'autoMerge.upgrades.major = false'],
    ['enforcement', 'warning', true, 'autoMerge.enforcement.warning = true'],
    ['enforcement', 'throttle', true, 'autoMerge.enforcement.throttle = true'],
    ['enforcement', 'suspend', false, 'autoMerge.enforcement.suspend = false'],
    ['enforcement', 'lift', true, 'autoMerge.enforcement.lift = true'],
    ['stripe-sync', 'planChange', false, 'autoMerge.stripeSync.planChange = false'],
    ['stripe-sync', 'limitChange', true, 'autoMerge.stripeSync.limitChange = true'],
  ])('%s/%s → %s', (bot, riskClass, autoMerge, rule) => {
    // Act
    const decision = autoMergeDecision(proposal(bot, riskClass), platform);

    // Assert
    expect(decision).toEqual({ autoMerge, rule });
  });

  it('covers every declared risk class of every bot', () => {
    // Act
    const rules = Object.entries(RISK_CLASSES).flatMap(([bot, classes]) => classes.map((risk) => autoMergeDecision(proposal(bot as BotName, risk), platform).rule));

    // Assert
    expect(rules.every((rule) => / = (true|false)$/.test(rule))).toBe(true);
    expect(rules).toHaveLength(14);
  });

  it('follows an operator override', () => {
    // Arrange
    const strict = structuredClone(platform);
    strict.spec.autoMerge.autoscale.withinCeiling = false;

    // Act
    const decision = autoMergeDecision(proposal('autoscale', 'withinCeiling'), strict);

    // Assert
    expect(decision).toEqual({ autoMerge: false, rule: 'autoMerge.autoscale.withinCeiling = false' });
  });

  it('a missing switch means human review', () => {
    // Arrange
    const partial = structuredClone(platform) as unknown as { spec: { autoMerge: Record<string, unknown> } };
    delete partial.spec.autoMerge.stripeSync;

    // Act
    const decision = autoMergeDecision(proposal('stripe-sync', 'limitChange'), partial as unknown as typeof platform);

    // Assert
    expect(decision).toEqual({ autoMerge: false, rule: 'autoMerge.stripeSync.limitChange is not set (human review)' });
  });
});

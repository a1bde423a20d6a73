import { describe, expect, it } from 'vitest';
import { rateLimit, type RateLimitState } from './rate-limit.js';
import type { BotName, Proposal } from './types.js';

function proposal(bot: BotName, tenant: string): Proposal {
  return { bot, tenant, file: `tenants/${tenant}.yaml`, edits: [], riskClass: 'low', trigger: '', evidence: [], summary: '', title: '', labels: [] } as unknown as Proposal;
}
const names = (list: { bot: string; tenant: string }[]) => list.map((p) => `${p.bot}/${p.tenant}`);
const limits = { maxOpenPrsPerBot: 3, maxPrsPerHourPerBot: 2 };
const none: RateLimitState = { openPrs: [], createdLastHour: [] };

describe('rateLimit', () => {
  it.each<[string, Proposal[], RateLimitState, string[], string[]]>([
    ['under every limit: all pass', [proposal('autoscale', 'a'), proposal('autoscale', 'b')], none, ['autoscale/a', 'autoscale/b'], []],
    ['the hourly limit defers the rest in order', [proposal('autoscale', 'a'), proposal('autoscale', 'b'), proposal('autoscale', 'c')], none,
      ['autoscale/a', 'autoscale/b'], ['autoscale/c:bots.max-prs-per-hour']],
    ['PRs created earlier in the hour count', [proposal('autoscale', 'a'), proposal('autoscale', 'b')], { openPrs: [], createdLastHour: [{ bot: 'autoscale' }] },
      ['autoscale/a'], ['autoscale/b:bots.max-prs-per-hour']],
    ['the open limit defers new PRs', [proposal('promotion', 'd')],
      { openPrs: [{ bot: 'promotion', tenant: 'a' }, { bot: 'promotion', tenant: 'b' }, { bot: 'promotion', tenant: 'c' }], createdLastHour: [] },
      [], ['promotion/d:bots.max-open-prs']],
    ['updating an already-open PR always passes, even at both limits', [proposal('promotion', 'b')],
      { openPrs: [{ bot: 'promotion', tenant: 'a' }, { bot: 'promotion', tenant: 'b' }, { bot: 'promotion', tenant: 'c' }], createdLastHour: [{ bot: 'promotion' }, { bot: 'promotion' }] },
      ['promotion/b'], []],
    ['limits are per bot', [proposal('autoscale', 'a'), proposal('upgrades', 'a'), proposal('upgrades', 'b')],
      { openPrs: [], createdLastHour: [{ bot: 'autoscale' }, { bot: 'autoscale' }] },
      ['upgrades/a', 'upgrades/b'], ['autoscale/a:bots.max-prs-per-hour']],
    ['an open PR of another bot for the tenant is no update', [proposal('autoscale', 'a')],
      { openPrs: [{ bot: 'upgrades', tenant: 'a' }], createdLastHour: [{ bot: 'autoscale' }, { bot: 'autoscale' }] },
      [], ['autoscale/a:bots.max-prs-per-hour']],
    ['a second proposal for the same bot and tenant is deferred', [proposal('autoscale', 'a'), proposal('autoscale', 'a')], none,
      ['autoscale/a'], ['autoscale/a:bots.duplicate-proposal']],
    ['new PRs allowed this run count toward the open limit', [proposal('enforcement', 'a'), proposal('enforcement', 'b')],
      { openPrs: [{ bot: 'enforcement', tenant: 'x' }, { bot: 'enforcement', tenant: 'y' }], createdLastHour: [] },
      ['enforcement/a'], ['enforcement/b:bots.max-open-prs']],
  ])('%s', (_name, proposals, state, allowed, deferred) => {
    // Act
    const result = rateLimit(proposals, state, limits);

    // Assert
    expect(names(result.allowed)).toEqual(allowed);
    expect(result.deferred.map((d) => `${d.proposal.bot}/${d.proposal.tenant}:${d.code}`)).toEqual(deferred);
  });

  it('explains a deferral with the setting and the count', () => {
    // Act
    const { deferred } = rateLimit([proposal('autoscale', 'a')], { openPrs: [], createdLastHour: [{ bot: 'autoscale' }, { bot: 'autoscale' }] }, limits);

    // Assert
    expect(deferred[0]?.reason).toBe('autoscale opened 2 PRs in the last hour (policies.bots.maxPrsPerHourPerBot = 2)');
  });

  it('a storm of 10,000 proposals lets exactly the hourly limit through', () => {
    // Arrange
    const storm = Array.from({ length: 10_000 }, (_, i) => proposal('autoscale', `t${i}`));

    // Act
    const result = rateLimit(storm, none, { maxOpenPrsPerBot: 25, maxPrsPerHourPerBot: 10 });

    // Assert
    expect(result.allowed).toHaveLength(10);
    expect(result.deferred).toHaveLength(9_990);
    expect(names(result.allowed)[9]).toBe('autoscale/t9');
  });
});

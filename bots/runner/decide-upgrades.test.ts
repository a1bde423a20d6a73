import { describe, expect, it } from 'vitest';
import { examplePlatform, schemasDirOf, tenantFromYaml, tenantYaml } from '../core/fixtures.js';
import { decideUpgradesRun } from './decide-upgrades.js';

const root = new URL('../../', import.meta.url);
const platform = examplePlatform(root); // policies.upgrades.majors: hold (the default)
const now = new Date('2026-03-10T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const released = [
  { version: '1.123.4', publishedAt: daysAgo(40) },
  { version: '1.124.0', publishedAt: daysAgo(10) },
  { version: '2.0.0', publishedAt: daysAgo(5) },
];
const dedicated = (name: string, version: string) => tenantFromYaml(tenantYaml(name, ['plan: pro', 'mode: dedicated', `n8n: { version: "${version}" }`]), schemasDirOf(root));

describe('decideUpgradesRun with majors on hold', () => {
  it('holds the tenant whose next step is a major (upgrades.major-held) and does not want it, so an open major PR is closed', async () => {
    // Arrange
    const tenants = [dedicated('acme', '1.123.4'), dedicated('wayne', '1.124.0')];

    // Act
    const decision = await decideUpgradesRun({ platform, tenants, versions: async () => released, health: async () => new Map([['acme', true], ['wayne', true]]), now });

    // Assert
    expect(decision.proposals.map((p) => `${p.tenant}:${String(p.edits[0]?.value)}:${p.riskClass}`)).toEqual(['acme:1.124.0:minor']);
    expect(decision.held).toEqual([{ tenant: 'wayne', code: 'upgrades.major-held', reason: 'the next step 2.0.0 (major) is a new major: set policies.upgrades.majors: propose to get pull requests for majors' }]);
    expect([...(decision.wanted ?? [])]).toEqual(['acme']);
  });
});

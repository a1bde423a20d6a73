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

describe('decideUpgradesRun checks that a version installs before proposing it', () => {
  // As measured: 2.41.3 is `latest` but its tree does not resolve here; 2.41.1 does.
  const registry = [
    { version: '1.123.81', publishedAt: daysAgo(60) },
    { version: '2.41.0', publishedAt: daysAgo(20) },
    { version: '2.41.1', publishedAt: daysAgo(15) },
    { version: '2.41.3', publishedAt: daysAgo(10) },
  ];
  const resolves = new Map([['2.41.0', true], ['2.41.1', true], ['2.41.3', false], ['1.123.81', true]]);

  it('passes over a version whose tree does not resolve and proposes the newest that does; only step targets are checked', async () => {
    const asked: string[][] = [];
    const installable = async (versions: string[]) => {
      asked.push(versions);
      return new Map(versions.map((v) => [v, resolves.get(v) ?? false] as const));
    };

    const decision = await decideUpgradesRun({ platform, tenants: [dedicated('acme', '2.41.0')], versions: async () => registry, installable, health: async () => new Map([['acme', true]]), now });

    expect(decision.proposals.map((p) => `${p.tenant}:${String(p.edits[0]?.value)}:${p.riskClass}`)).toEqual(['acme:2.41.1:patch']);
    expect(asked).toEqual([['2.41.3'], ['2.41.1']]);
    expect(decision.notes).toContain('not installable from the registry (dependency tree does not resolve), so not candidates: n8n 2.41.3');
  });

  it('1.x → 2.x is a major: held by policy even when 2.41.1 installs', async () => {
    const installable = async (versions: string[]) => new Map(versions.map((v) => [v, resolves.get(v) ?? false] as const));

    const decision = await decideUpgradesRun({ platform, tenants: [dedicated('wayne', '1.123.81')], versions: async () => registry, installable, health: async () => new Map([['wayne', true]]), now });

    expect(decision.proposals).toEqual([]);
    expect(decision.held).toEqual([expect.objectContaining({ tenant: 'wayne', code: 'upgrades.major-held', reason: expect.stringContaining('2.41.1 (major)') })]);
  });

  it('without an installable source it says so in the notes', async () => {
    const decision = await decideUpgradesRun({ platform, tenants: [dedicated('acme', '2.41.0')], versions: async () => registry, health: async () => new Map([['acme', true]]), now });

    expect(decision.notes).toEqual(expect.arrayContaining([expect.stringContaining('installability unchecked')]));
  });
});

describe('decideUpgradesRun reads canary health from the upgrade journal, not from rp9_tenant_ready', () => {
  const canary = (name: string, version: string) => tenantFromYaml(tenantYaml(name, ['plan: pro', 'mode: dedicated', `n8n: { version: "${version}" }`], ['labels: { rp9.io/canary: "true" }']), schemasDirOf(root));
  const registry = [
    { version: '1.123.4', publishedAt: daysAgo(40) },
    { version: '1.123.5', publishedAt: daysAgo(30) },
  ];
  const ready = async () => new Map([['acme', true], ['wayne', true]]);
  const record = (status: 'done' | 'rolled-back', error: string | null = null) => ({ operationId: 'op-7', toVersion: '1.123.5', status, finished: true, step: null, watchPassed: status === 'done', errorRateRose: status === 'done' ? false : null, error });
  // The canary's version landed long ago (no history: soaked), so only its health gates the wave.
  const run = (journal?: Map<string, ReturnType<typeof record>>) => decideUpgradesRun({ platform, tenants: [canary('acme', '1.123.5'), dedicated('wayne', '1.123.4')], versions: async () => registry, health: ready, ...(journal ? { upgradeJournal: async () => journal } : {}), now });

  it('a canary whose upgrade rolled back holds the wave although it is ready, with the reason in the run output', async () => {
    const decision = await run(new Map([['acme', record('rolled-back', '[upgrade.watch-failed] blue turned unhealthy')]]));

    expect(decision.proposals).toEqual([]);
    expect(decision.held).toEqual([{ tenant: 'wayne', code: 'upgrades.waiting-for-canaries', reason: 'waits until every canary runs 1.123.5 for 24 h and is healthy (held by acme: upgrade op-7 to 1.123.5 rolled back: [upgrade.watch-failed] blue turned unhealthy); next step 1.123.5 (patch)' }]);
    expect(decision.notes).toContain('canary acme holds the wave: upgrade op-7 to 1.123.5 rolled back: [upgrade.watch-failed] blue turned unhealthy');
  });

  it('a canary whose upgrade finished, watch passed and error rate flat opens the wave', async () => {
    const decision = await run(new Map([['acme', record('done')]]));

    expect(decision.proposals.map((p) => `${p.tenant}:${String(p.edits[0]?.value)}`)).toEqual(['wayne:1.123.5']);
  });

  it('without the journal, readiness stands in and the run says so', async () => {
    const decision = await run();

    expect(decision.proposals.map((p) => p.tenant)).toEqual(['wayne']);
    expect(decision.notes).toContain('upgrade journal unavailable (no DATABASE_URL): canary health falls back to rp9_tenant_ready');
  });
});

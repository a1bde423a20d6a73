import { describe, expect, it } from 'vitest';
import { compileTenant } from '../compile/compile-tenant.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import { LABEL } from '../model.js';
import { drillSandboxName, isSandboxName, SANDBOX_LABEL, sandboxesToRemove, sandboxName, sandboxNameProblem, sandboxTenant, withSandboxLabels } from './sandbox.js';

describe('sandbox names', () => {
  it.each([
    ['acme', '2026-12-06T23:59:59Z', 'acme-restore-20261206'],
    ['acme-corp', '2027-01-01T00:00:00Z', 'acme-corp-restore-20270101'],
  ])('%s restored at %s is %s, and that is a sandbox name', (tenant, at, name) => {
    expect(sandboxName(tenant, new Date(at))).toBe(name);
    expect(isSandboxName(name)).toBe(true);
  });

  it('a drill of acme on 2026-12-06 runs in acme-drill-20261206, a sandbox name of its own', () => {
    expect(drillSandboxName('acme', new Date('2026-12-06T05:00:00Z'))).toBe('acme-drill-20261206');
    expect(isSandboxName('acme-drill-20261206')).toBe(true);
    expect(drillSandboxName('acme', new Date('2026-12-06T05:00:00Z'))).not.toBe(sandboxName('acme', new Date('2026-12-06T05:00:00Z')));
  });

  it.each(['acme', 'acme-restore', 'acme-drill', 'acme-drill-2026120', 'acme-restore-2026120', 'acme-restore-20261206x', 'restore-20261206'])('%s is not a sandbox name', (name) => {
    expect(isSandboxName(name)).toBe(false);
  });

  it('refuses names PostgreSQL or DNS cannot hold', () => {
    expect(sandboxNameProblem('acme-restore-20261206', 'rp9.example.com')).toBeUndefined();
    const long = `${'a'.repeat(50)}-restore-20261206`;
    expect(sandboxNameProblem(long, 'rp9.example.com')).toMatch(/longer than PostgreSQL's 63/);
  });
});

describe('a sandbox is the tenant compiled under the sandbox name', () => {
  const platform = examplePlatform();
  const acme = loadedTenant('acme', { mode: 'dedicated', customDomains: ['automations.acme.com'], suspended: true, promotion: { window: '2030-01-01T00:00:00Z', ttlMinutes: 10, reason: 'x' } });
  const sandbox = 'acme-restore-20261206';
  const desired = withSandboxLabels(compileTenant(platform, sandboxTenant(acme, sandbox), exampleCompileContext(platform)), 'acme', '2026-12-07T10:00:00.000Z');

  it('has its own database, volume, running main and workers and route at its own host only', () => {
    const byKind = (kind: string) => desired.resources.filter((r) => r.kind === kind).map((r) => r.name);
    expect(desired.name).toBe(sandbox);
    expect(byKind('database')).toEqual(['rp9_acme_restore_20261206']);
    expect(byKind('volume')).toEqual([`rp9-${sandbox}-data`]);
    expect(byKind('container')).toEqual([`rp9-${sandbox}-main`, `rp9-${sandbox}-worker-1`, `rp9-${sandbox}-worker-2`]);
    const route = desired.resources.find((r) => r.kind === 'route');
    expect(route).toMatchObject({ hosts: [`${sandbox}.${platform.spec.domain}`], target: { type: 'dedicated', url: `http://rp9-${sandbox}-main:5678` } });
    expect(desired.resources.filter((r) => r.kind === 'container').every((c) => c.kind === 'container' && c.running)).toBe(true);
  });

  it('carries the owner labels of a sandbox of acme that expires at its TTL', () => {
    for (const r of desired.resources) {
      if (r.kind !== 'container' && r.kind !== 'volume') continue;
      expect(r.labels).toMatchObject({ [LABEL.tenant]: sandbox, [SANDBOX_LABEL.of]: 'acme', [SANDBOX_LABEL.expiresAt]: '2026-12-07T10:00:00.000Z' });
    }
  });

  it('runs in its own queue and database, never the tenant’s', () => {
    const main = desired.resources.find((r) => r.kind === 'container');
    expect(main?.kind === 'container' && main.env).toMatchObject({ DB_POSTGRESDB_DATABASE: 'rp9_acme_restore_20261206', QUEUE_BULL_PREFIX: `rp9:${sandbox}`, N8N_REDIS_KEY_PREFIX: `rp9:${sandbox}:n8n` });
  });
});

describe('which sandboxes the operations loop removes', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const entry = (name: string, expiresAt?: string) => ({ name, resources: [`database rp9_${name}`], ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}) });
  it.each([
    { name: 'expired', inventory: [entry('a-restore-20261206', '2026-12-07T11:59:59Z')], busy: [], removed: ['a-restore-20261206'] },
    { name: 'expiring exactly now', inventory: [entry('a-restore-20261206', '2026-12-07T12:00:00Z')], busy: [], removed: ['a-restore-20261206'] },
    { name: 'alive', inventory: [entry('a-restore-20261206', '2026-12-07T12:00:01Z')], busy: [], removed: [] },
    { name: 'no containers, no operation (a restore killed half-way)', inventory: [entry('a-restore-20261206')], busy: [], removed: ['a-restore-20261206'] },
    { name: 'no containers yet, a restore still working', inventory: [entry('a-restore-20261206')], busy: ['a-restore-20261206'], removed: [] },
    { name: 'expired but a restore still working on it', inventory: [entry('a-restore-20261206', '2026-12-01T00:00:00Z')], busy: ['a-restore-20261206'], removed: [] },
  ])('$name', ({ inventory, busy, removed }) => {
    expect(sandboxesToRemove(inventory, now, new Set(busy)).map((s) => s.name)).toEqual(removed);
  });
});

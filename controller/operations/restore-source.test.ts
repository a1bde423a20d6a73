// What a sandbox restore restores from, which workflows it activates after an
// import, which backups a drill may pick, and which tenant a sandbox name
// belongs to: pure decisions, as tables. The restore of a shared tenant's
// export against real n8n runs in test/e2e/shared-restore-real.test.ts.
import { describe, expect, it } from 'vitest';
import { drillSandboxName, sandboxName, sandboxOf } from '../sandbox/sandbox.js';
import { isDrillable } from './drill.js';
import { activeWorkflowIds, restoreSource } from './restore.js';

const object = { key: 'k', storedBytes: 1, storedSha256: 's', plainSha256: 'p', plainBytes: 1 };

describe('restoreSource', () => {
  it.each([
    ['a dedicated backup (database and export)', { database: object, workflows: object, credentials: object }, 'database'],
    ['a dedicated backup taken --skip-n8n', { database: object }, 'database'],
    ["a shared tenant's backup (export only)", { workflows: object, credentials: object }, 'export'],
    ['a backup with nothing in it', {}, 'export'],
  ])('%s restores from its %s', (_why, objects, source) => {
    expect(restoreSource({ objects })).toBe(source);
  });
});

describe('activeWorkflowIds', () => {
  it.each([
    ['none', [], []],
    ['only active === true, sorted', [{ id: 'b', active: true }, { id: 'a', active: true }, { id: 'c', active: false }, { id: 'd' }, { id: 'e', active: 'true' }], ['a', 'b']],
  ])('%s', (_why, workflows, ids) => {
    expect(activeWorkflowIds(workflows as Record<string, unknown>[])).toEqual(ids);
  });
});

describe('isDrillable', () => {
  const here = 's3://bucket';
  it.each([
    ['a verified dedicated backup here', { status: 'verified', location: here, manifest: { objects: { database: object, workflows: object } } }, true],
    ["a verified shared tenant's export here", { status: 'verified', location: here, manifest: { objects: { workflows: object, credentials: object } } }, true],
    ['a verified backup with neither database nor workflows', { status: 'verified', location: here, manifest: { objects: { credentials: object } } }, false],
    ['a failed backup', { status: 'failed', location: here, manifest: { objects: { database: object } } }, false],
    ['a backup in another store', { status: 'verified', location: 'file:///elsewhere', manifest: { objects: { workflows: object } } }, false],
    ['a catalogue row without objects', { status: 'verified', location: here, manifest: {} }, false],
  ])('%s: %s', (_why, backup, drillable) => {
    expect(isDrillable(backup as Parameters<typeof isDrillable>[0], here)).toBe(drillable);
  });
});

describe('sandboxOf', () => {
  const at = new Date('2026-12-06T05:00:00Z');
  it.each([
    [sandboxName('acme', at), 'acme'],
    [drillSandboxName('acme-corp', at), 'acme-corp'],
    ['acme-restore-drill-20261206', 'acme-restore'],
    ['acme', undefined],
    ['acme-restore-2026120', undefined],
  ])('%s belongs to %s', (name, tenant) => {
    expect(sandboxOf(name)).toBe(tenant);
  });
});

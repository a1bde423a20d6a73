import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { commitFiles, createConfigRepo } from '../../test/fixtures/git-repo.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { openSource } from '../../edges/git/index.js';
import { createConfigTracker } from './config-tracker.js';

const root = new URL('../../', import.meta.url);
const platformYaml = await readFile(new URL('platform.yaml', root), 'utf8');
const tenant = (name: string, extra = '') => `apiVersion: rp9.io/v1
kind: Tenant
metadata: { name: ${name}, email: ops@${name}.com }
spec: { plan: starter, mode: shared, region: us-east, subdomain: ${name}${extra} }
`;

describe('config tracker', () => {
  it('keeps the last good commit when a new one fails validation, and moves on once it is fixed', async () => {
    // Arrange
    const repo = await createConfigRepo({ 'platform.yaml': platformYaml, 'tenants/acme.yaml': tenant('acme') });
    const source = openSource({ url: repo.bare, cacheDir: await tempDir('rp9-tracker-') });
    const tracker = createConfigTracker(source, createParseCache());

    // Act + Assert: the first commit is good.
    const first = await tracker.track();
    expect(first.kind).toBe('updated');
    const goodCommit = first.kind === 'updated' ? first.commit : '';
    expect((await tracker.track()).kind).toBe('unchanged');

    // A commit with an unknown field is reported and not taken.
    const bad = await commitFiles(repo, { 'tenants/acme.yaml': tenant('acme', ', cpuu: 2') });
    const invalid = await tracker.track();
    expect(invalid.kind).toBe('invalid');
    if (invalid.kind !== 'invalid') throw new Error('unreachable');
    expect(invalid.commit).toBe(bad);
    expect(invalid.errors.map((e) => [e.file, e.code])).toEqual([['tenants/acme.yaml', 'schema.unknown-field']]);
    expect(invalid.good?.commit).toBe(goodCommit);
    expect(tracker.lastGood()?.commit).toBe(goodCommit);
    expect((await tracker.track()).kind).toBe('invalid');

    // A fix moves the last good commit forward.
    const fixed = await commitFiles(repo, { 'tenants/acme.yaml': tenant('acme'), 'tenants/beta.yaml': tenant('beta') });
    const updated = await tracker.track();
    expect(updated.kind === 'updated' && updated.commit).toBe(fixed);
    expect(tracker.lastGood()?.config.tenants.map((t) => t.name).sort()).toEqual(['acme', 'beta']);
  });

  it('reports an unreachable source without losing the last good commit', async () => {
    const source = openSource({ url: 'http://127.0.0.1:9/config.git', cacheDir: await tempDir('rp9-tracker-'), timeoutMs: 2_000 });
    const result = await createConfigTracker(source, createParseCache()).track();
    expect(result).toMatchObject({ kind: 'unreachable', code: 'source.unreachable', good: undefined });
  });
});

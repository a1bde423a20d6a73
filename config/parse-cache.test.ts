import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createParseCache, loadConfig } from './load-config.js';
import type { ConfigFiles, SourceFile } from './types.js';

const encoder = new TextEncoder();
const platformBytes = readFileSync(new URL('../platform.yaml', import.meta.url));
const source = (path: string, text: string, oid?: string): SourceFile => ({ path, bytes: encoder.encode(text), ...(oid ? { oid } : {}) });

function tenantYaml(name: string, plan = 'pro'): string {
  return `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\n  email: ops@${name}.example\nspec:\n  plan: ${plan}\n  mode: dedicated\n  region: us-east\n  subdomain: ${name}\n`;
}

function files(tenants: SourceFile[]): ConfigFiles {
  return { platform: { path: 'platform.yaml', bytes: platformBytes }, tenants, problems: [] };
}

describe('ParseCache', () => {
  it('re-parses only the files whose content changed', () => {
    const cache = createParseCache();
    const tenants = ['a', 'b', 'c'].map((name) => source(`tenants/${name}.yaml`, tenantYaml(name)));
    const first = loadConfig(files(tenants), cache);
    expect(cache.stats).toEqual({ hits: 0, misses: 4 });

    const changed = [tenants[0]!, source('tenants/b.yaml', tenantYaml('b', 'starter')), tenants[2]!];
    const second = loadConfig(files(changed), cache);

    expect(cache.stats).toEqual({ hits: 3, misses: 5 });
    expect(second.tenants.find((t) => t.name === 'a')?.tenant).toBe(first.tenants.find((t) => t.name === 'a')?.tenant);
    expect(second.tenants.find((t) => t.name === 'b')?.tenant.spec.plan).toBe('starter');
    expect(second.tenants.find((t) => t.name === 'b')?.generation).not.toBe(first.tenants.find((t) => t.name === 'b')?.generation);
  });

  it('keys by git oid when files carry one', () => {
    const cache = createParseCache();
    loadConfig(files([source('tenants/a.yaml', tenantYaml('a'), '1'.repeat(40))]), cache);

    const again = loadConfig(files([source('tenants/a.yaml', tenantYaml('a'), '1'.repeat(40))]), cache);
    const moved = loadConfig(files([source('tenants/a.yaml', tenantYaml('a'), '2'.repeat(40))]), cache);

    expect(cache.stats).toEqual({ hits: 3, misses: 3 });
    expect(again.tenants[0]?.generation).toBe(moved.tenants[0]?.generation);
  });

  it('keeps cached diagnostics and still runs cross-file rules on every load', () => {
    const cache = createParseCache();
    const broken = source('tenants/broken.yaml', 'kind: [\n');
    const a = source('tenants/a.yaml', tenantYaml('a'));
    loadConfig(files([broken, a]), cache);

    const duplicate = source('tenants/dup.yaml', tenantYaml('dup').replace('subdomain: dup', 'subdomain: a'));
    const config = loadConfig(files([broken, a, duplicate]), cache);

    expect(config.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['tenants/broken.yaml', 'yaml.syntax'],
      ['tenants/dup.yaml', 'tenant.subdomain-duplicate'],
    ]);
  });

  it('drops entries of files that are gone', () => {
    const cache = createParseCache();
    loadConfig(files([source('tenants/a.yaml', tenantYaml('a')), source('tenants/b.yaml', tenantYaml('b'))]), cache);

    loadConfig(files([source('tenants/a.yaml', tenantYaml('a'))]), cache);

    expect([...cache.entries.keys()].sort()).toEqual(['platform.yaml', 'tenants/a.yaml']);
  });
});

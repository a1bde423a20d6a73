import { describe, expect, it } from 'vitest';
import { queuePrefix, redisKeyPrefix, type Colour } from './names.js';

describe('queuePrefix', () => {
  it.each<[string, Colour, string]>([
    ['acme', 'green', 'rp9:acme'],
    ['acme', 'blue', 'rp9:acme:blue'],
    ['a-b-9', 'green', 'rp9:a-b-9'],
    ['acme-restore-20261206', 'green', 'rp9:acme-restore-20261206'],
  ])('%s %s → %s', (tenant, colour, prefix) => {
    expect(queuePrefix(tenant, colour)).toBe(prefix);
  });
});

describe('redisKeyPrefix', () => {
  it.each<[string, Colour, string]>([
    ['acme', 'green', 'rp9:acme:n8n'],
    ['acme', 'blue', 'rp9:acme:blue:n8n'],
    ['globex', 'green', 'rp9:globex:n8n'],
    ['a-b-9', 'blue', 'rp9:a-b-9:blue:n8n'],
    // A restore sandbox is a tenant of its own name: its n8n never reads the tenant's cache.
    ['acme-restore-20261206', 'green', 'rp9:acme-restore-20261206:n8n'],
  ])('%s %s → %s', (tenant, colour, prefix) => {
    expect(redisKeyPrefix(tenant, colour)).toBe(prefix);
  });

  it('is green by default, the colour every tenant that never upgraded has', () => {
    expect(redisKeyPrefix('acme')).toBe(redisKeyPrefix('acme', 'green'));
  });

  it("is never n8n's shared default and differs for every tenant and colour", () => {
    const prefixes = ['acme', 'acme-corp', 'globex'].flatMap((tenant) => (['green', 'blue'] as const).map((colour) => redisKeyPrefix(tenant, colour)));

    expect(new Set(prefixes).size).toBe(prefixes.length);
    expect(prefixes).not.toContain('n8n');
  });

  it("sits in its own segment of the colour's queue prefix, so an n8n key never meets a Bull key (`<queue>:jobs:…`)", () => {
    for (const colour of ['green', 'blue'] as const) {
      expect(redisKeyPrefix('acme', colour).startsWith(`${queuePrefix('acme', colour)}:`)).toBe(true);
      expect(redisKeyPrefix('acme', colour)).not.toBe(`${queuePrefix('acme', colour)}:jobs`);
    }
  });
});
